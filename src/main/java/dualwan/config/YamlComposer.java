package dualwan.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Config text to SnakeYAML's node tree: compose only, so no object is ever constructed from the file, under the
 * loader's limits (size, nesting, aliases, no duplicate keys). Whatever SnakeYAML rejects becomes one located
 * error: at its mark when it has one, else at the node it was composing (ConfigLoaderFuzzTest holds it to that).
 */
final class YamlComposer {

    /** Where a rejection goes: {@link YamlReader#error}. */
    interface Errors {
        void error(int line, String key, String message);
    }

    private YamlComposer() {
    }

    /** The root node, {@code null} for an empty file; on a rejection {@code null} after one error. */
    static Node compose(String text, Errors errors) {
        StreamReader reader = new StreamReader(text);
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(ConfigLoader.MAX_FILE_BYTES);
        options.setMaxAliasesForCollections(ConfigLoader.MAX_COLLECTION_ALIASES);
        options.setNestingDepthLimit(ConfigLoader.MAX_NESTING);
        options.setAllowRecursiveKeys(false);
        options.setAllowDuplicateKeys(false);
        options.setMergeOnCompose(false);
        ParserImpl parser = new ParserImpl(reader, options);
        try {
            return new Composer(parser, new Resolver(), options).getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            errors.error(mark != null ? mark.getLine() + 1 : limitLine(parser, reader), "",
                    "YAML syntax error: " + problem + context);
        } catch (ReaderException e) {
            errors.error(YamlReader.lineOfCodePoint(text, e.getPosition()), "", String.format(
                    "the file contains the control character U+%04X, which YAML does not allow; remove it",
                    e.getCodePoint()));
        } catch (YAMLException e) {
            errors.error(limitLine(parser, reader), "", limitMessage(e.getMessage()));
        }
        return null;
    }

    /**
     * A limit reached (nesting, aliases) carries no mark. The node being composed when it was hit starts just
     * before the parser's next event; failing that, where the reader stopped (it reads ahead, so later).
     */
    private static int limitLine(ParserImpl parser, StreamReader reader) {
        try {
            if (parser.peekEvent() != null && parser.peekEvent().getStartMark() != null) {
                return parser.peekEvent().getStartMark().getLine() + 1;
            }
        } catch (YAMLException e) {
            // a syntax error further on: fall back to the reader's position
        }
        return reader.getMark().getLine() + 1;
    }

    /** SnakeYAML's words for the limits set in {@link #compose}, in ours. */
    private static String limitMessage(String yaml) {
        String m = yaml == null ? "" : yaml;
        if (m.startsWith("Nesting Depth exceeded")) {
            return "lists and maps are nested more than " + ConfigLoader.MAX_NESTING + " levels deep";
        }
        if (m.startsWith("Number of aliases")) {
            return "more than " + ConfigLoader.MAX_COLLECTION_ALIASES + " aliases (*name) of lists or maps";
        }
        return "YAML error: " + m;
    }
}
