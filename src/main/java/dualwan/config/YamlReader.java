package dualwan.config;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What every part of the config loader reads with: typed values out of SnakeYAML nodes, maps checked for unknown
 * and duplicate keys, and each problem recorded as a {@link ConfigError} with file, line and dotted key.
 * {@link ConfigLoader} and the section loaders ({@link PolicyLoader}, {@link DnsLoader}, {@link GpioLoader},
 * {@link MqttLoader}) each extend it over the same file and the same error list, so one pass reports every
 * problem in the file.
 */
class YamlReader {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]{0,18})");
    private static final Set<String> TRUE = Set.of("true", "True", "TRUE");
    private static final Set<String> FALSE = Set.of("false", "False", "FALSE");

    final Path file;
    final List<ConfigError> errors;

    YamlReader(Path file, List<ConfigError> errors) {
        this.file = file;
        this.errors = errors;
    }

    /** Another reader of the same file, recording into the same errors. */
    YamlReader(YamlReader same) {
        this(same.file, same.errors);
    }

    /** A value with where it came from; for defaults, the line of the enclosing map. */
    static final class Located<T> {
        final T value;
        final int line;
        final String key;
        final boolean explicit;

        Located(T value, int line, String key, boolean explicit) {
            this.value = value;
            this.line = line;
            this.key = key;
            this.explicit = explicit;
        }
    }

    @FunctionalInterface
    interface ValueParser<T> {
        /** Returns the value, or null after recording an error. */
        T parse(Node node, String key);
    }

    /** One map of the file, checked for unknown and duplicate keys as it is opened. */
    final class Section {
        private final Node node;
        private final String path;
        final Map<String, NodeTuple> entries = new LinkedHashMap<>();
        private final Set<String> reported = new HashSet<>();

        Section(MappingNode node, String path, List<String> allowed) {
            this.node = node;
            this.path = path;
            if (node == null) {
                return;
            }
            for (NodeTuple t : node.getValue()) {
                Node k = t.getKeyNode();
                if (!(k instanceof ScalarNode sk) || sk.getTag().equals(Tag.NULL)) {
                    error(line(k), path, "a key must be a plain word, found " + describe(k) + "; allowed keys"
                            + " here: " + String.join(", ", allowed));
                    continue;
                }
                String key = sk.getValue();
                if (sk.getTag().equals(Tag.MERGE)) {
                    error(line(k), path(key), "merge keys (<<) are not supported; write the keys out");
                    continue;
                }
                if (!allowed.contains(key)) {
                    error(line(k), path(key), "unknown key " + quote(key) + "; allowed keys here: "
                            + String.join(", ", allowed));
                    continue;
                }
                NodeTuple first = entries.putIfAbsent(key, t);
                if (first != null) {
                    error(line(k), path(key), "duplicate key (first given at line " + line(first.getKeyNode())
                            + "); give each key once");
                }
            }
        }

        /** Line of this map, used to locate defaulted values. */
        int mapLine() {
            return node == null ? 0 : YamlReader.line(node);
        }

        String path(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        /** The value node, or null when absent or written without a value (which is reported). */
        Node value(String key) {
            NodeTuple t = entries.get(key);
            if (t == null) {
                return null;
            }
            Node v = t.getValueNode();
            if (v instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
                if (reported.add(key)) {
                    error(YamlReader.line(t.getKeyNode()), path(key), "has no value; give one, or remove the"
                            + " line to use the default");
                }
                return null;
            }
            return v;
        }

        /** Like {@link #value} but reports a missing key. */
        Node required(String key, String what) {
            Node v = value(key);
            if (v == null && !reported.contains(key)) {
                error(defaultLine(), path(key), "missing; every " + (path.isEmpty() ? "config" : "entry")
                        + " needs " + quote(key) + " (" + what + ")");
            }
            return v;
        }

        /** A nested section; an absent one behaves as an empty map. */
        Section section(String key, List<String> allowed) {
            Node v = value(key);
            MappingNode map = v == null ? null : mapping(v, path(key));
            Section s = new Section(map, path(key), allowed);
            return map == null ? s.locatedAt(this) : s;
        }

        private Section parentForLine;

        private Section locatedAt(Section parent) {
            this.parentForLine = parent;
            return this;
        }

        private int defaultLine() {
            if (node != null) {
                return mapLine();
            }
            return parentForLine == null ? 0 : parentForLine.defaultLine();
        }

        /** The parsed value, or {@code fallback} when absent; the value is null when the file had an error. */
        <T> Located<T> defaulted(String key, T fallback, ValueParser<T> parser) {
            Node v = value(key);
            if (v == null) {
                return new Located<>(reported.contains(key) ? null : fallback, defaultLine(), path(key), false);
            }
            return new Located<>(parser.parse(v, path(key)), YamlReader.line(v), path(key), true);
        }
    }

    /**
     * A top-level section that may be absent ({@code mqtt}, {@code web}): empty when it is, and when it is not a
     * map (that error is recorded).
     */
    Optional<Section> optionalSection(Section top, String key, List<String> allowedKeys) {
        Node node = top.value(key);
        MappingNode map = node == null ? null : mapping(node, key);
        return map == null ? Optional.empty() : Optional.of(new Section(map, key, allowedKeys));
    }

    MappingNode mapping(Node n, String key) {
        if (n instanceof MappingNode m) {
            return m;
        }
        typeError(n, key, "a map of keys (key: value)");
        return null;
    }

    SequenceNode sequence(Node n, String key) {
        if (n instanceof SequenceNode s) {
            return s;
        }
        typeError(n, key, "a list (one '- item' per line, or [a, b])");
        return null;
    }

    /** The text of a plain scalar (string, number or boolean as written), or null after an error. */
    String text(Node n, String key, String expected) {
        if (n instanceof ScalarNode s && isPlainType(s.getTag()) && !s.getTag().equals(Tag.NULL)) {
            return s.getValue();
        }
        typeError(n, key, expected);
        return null;
    }

    static boolean isPlainType(Tag tag) {
        return tag.equals(Tag.STR) || tag.equals(Tag.INT) || tag.equals(Tag.FLOAT) || tag.equals(Tag.BOOL);
    }

    Long integer(Node n, String key) {
        if (!(n instanceof ScalarNode s) || !s.getTag().equals(Tag.INT)) {
            String hint = n instanceof ScalarNode s && DECIMAL.matcher(s.getValue()).matches()
                    ? " (remove the quotes)" : "";
            typeError(n, key, "a whole number" + hint);
            return null;
        }
        String v = s.getValue();
        if (!DECIMAL.matcher(v).matches()) {
            error(line(n), key, "write a plain decimal number (no '+', leading zeros, '_' or 0x/0o/0b prefix),"
                    + " found " + quote(v));
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            error(line(n), key, "is far too large: " + quote(v));
            return null;
        }
    }

    Long ranged(Node n, String key, long min, long max, String what) {
        Long v = integer(n, key);
        if (v == null) {
            return null;
        }
        if (v < min || v > max) {
            error(line(n), key, what + " must be between " + min + " and " + max + ", found " + v);
            return null;
        }
        return v;
    }

    Boolean bool(Node n, String key) {
        if (n instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
            if (TRUE.contains(s.getValue())) {
                return true;
            }
            if (FALSE.contains(s.getValue())) {
                return false;
            }
            error(line(n), key, "write true or false, found " + quote(s.getValue()));
            return null;
        }
        typeError(n, key, "true or false");
        return null;
    }

    Duration duration(Node n, String key) {
        String text = text(n, key, "a duration such as 500ms, 2s or 1m");
        if (text == null) {
            return null;
        }
        try {
            Duration d = Durations.parse(text);
            if (d.compareTo(ConfigLoader.MAX_DURATION) > 0) {
                error(line(n), key, "must be at most " + Durations.format(ConfigLoader.MAX_DURATION) + ", found " + quote(text));
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            error(line(n), key, e.getMessage());
            return null;
        }
    }

    String ifname(Node n, String key) {
        String text = text(n, key, "a Linux interface name such as eth1");
        if (text == null) {
            return null;
        }
        if (!IFNAME.matcher(text).matches() || text.equals(".") || text.equals("..")) {
            error(line(n), key, "is not a Linux interface name (1-15 characters of letters, digits, '_', '.'"
                    + " and '-'): " + quote(text));
            return null;
        }
        return text;
    }

    /**
     * An IPv4 unicast address a probe or route can target: not 0.0.0.0/8, loopback, multicast, reserved or
     * broadcast. Parsed by hand; never resolves names.
     */
    Inet4Address unicastAddress(String text, Node n, String key, String alternatives) {
        byte[] bytes;
        try {
            bytes = Ipv4.parse(text);
        } catch (IllegalArgumentException e) {
            error(line(n), key, e.getMessage() + (alternatives.isEmpty() ? "" : "; write " + alternatives
                    + "an IPv4 address"));
            return null;
        }
        int first = bytes[0] & 0xFF;
        String problem = null;
        if (first == 0) {
            problem = "is a 'this network' address (0.0.0.0/8)";
        } else if (first == 127) {
            problem = "is a loopback address";
        } else if (first >= 224 && first <= 239) {
            problem = "is a multicast address";
        } else if (text.equals("255.255.255.255")) {
            problem = "is the broadcast address";
        } else if (first >= 240) {
            problem = "is in the reserved range 240.0.0.0/4";
        }
        if (problem != null) {
            error(line(n), key, text + " " + problem + "; use a unicast address reachable through the uplink");
            return null;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, which Ipv4.parse rules out
        }
    }

    /** Dotted-quad IPv4 parsing without any name lookup. */
    // ------------------------------------------------------------------------------------------------ errors

    void typeError(Node n, String key, String expected) {
        error(line(n), key, "expected " + expected + ", found " + describe(n));
    }

    void error(int line, String key, String message) {
        errors.add(new ConfigError(file, line, key, message));
    }

    /** 1-based line of the code point at {@code index}. */
    static int lineOfCodePoint(String text, int index) {
        int line = 1;
        int i = 0;
        for (int cp = 0; i < text.length() && cp < index; cp++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
            i += Character.charCount(text.codePointAt(i));
        }
        return line;
    }

    static int line(Node n) {
        return n == null || n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    static String describe(Node n) {
        if (n instanceof MappingNode) {
            return "a map";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        if (n instanceof ScalarNode s) {
            if (s.getTag().equals(Tag.NULL)) {
                return "nothing";
            }
            String kind = s.getTag().equals(Tag.STR) ? "text " : s.getTag().equals(Tag.INT) ? "the number "
                    : s.getTag().equals(Tag.BOOL) ? "the boolean " : s.getTag().equals(Tag.FLOAT)
                    ? "the number " : "the value tagged " + s.getTag().getValue() + " ";
            return kind + quote(s.getValue());
        }
        return "an unexpected node";
    }

    /** Quotes a value for a message, shortened and with control characters escaped. */
    /** Calls {@code each} for every item of a list, or once for a single scalar written without brackets. */
    void forEachItem(Node node, String key, BiConsumer<Node, String> each) {
        if (node instanceof ScalarNode) {
            each.accept(node, key);
            return;
        }
        SequenceNode seq = sequence(node, key);
        if (seq != null) {
            for (int i = 0; i < seq.getValue().size(); i++) {
                each.accept(seq.getValue().get(i), key + "[" + i + "]");
            }
        }
    }

    /** One of a fixed set of words, e.g. masquerade|snat|none. */
    <E extends Enum<E>> E choice(Node n, String key, E[] values, Function<E, String> label) {
        List<String> words = java.util.Arrays.stream(values).map(label).toList();
        String text = text(n, key, "one of " + String.join(", ", words));
        if (text == null) {
            return null;
        }
        for (E v : values) {
            if (label.apply(v).equals(text)) {
                return v;
            }
        }
        error(line(n), key, "unknown value " + quote(text) + "; use one of " + String.join(", ", words));
        return null;
    }

    <T> void unique(List<Located<T>> values, String what, String advice) {
        Map<T, Located<T>> seen = new HashMap<>();
        for (Located<T> v : values) {
            if (v == null || v.value == null) {
                continue;
            }
            Located<T> first = seen.putIfAbsent(v.value, v);
            if (first != null) {
                String shown = v.value instanceof Long l && what.equals("mark") ? "0x" + Long.toHexString(l)
                        : String.valueOf(v.value);
                error(v.line, v.key, "duplicate " + what + ": " + how(v) + shown + " is already used by "
                        + first.key + (first.explicit ? "" : " (its default)") + " at line " + first.line + "; "
                        + advice + (v.explicit ? "" : ", so set " + what + " explicitly"));
            }
        }
    }
    static String how(Located<?> v) {
        return v.explicit ? "" : "the default ";
    }

    Path absolutePath(Node n, String key, Path example) {
        String text = text(n, key, "an absolute file path such as " + example);
        if (text == null) {
            return null;
        }
        if (!text.startsWith("/") || text.endsWith("/")) {
            error(line(n), key, "must be an absolute file path such as " + example + ", found "
                    + quote(text));
            return null;
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            error(line(n), key, "is not a usable file path: " + e.getReason());
            return null;
        }
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        int max = 60;
        for (int i = 0; i < s.length() && i < max; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > max) {
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
