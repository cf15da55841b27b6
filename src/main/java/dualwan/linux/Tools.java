package dualwan.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The programs dualwan runs, found once at start: each as an absolute path (so a later change of PATH, or an
 * {@code ip} of another directory, is never run) with what its version option printed, for {@link Preflight}.
 */
public final class Tools {

    /** A program dualwan runs, with the option that prints its version and the Debian package that has it. */
    public enum Tool {
        IP("ip", "-V", "iproute2"),
        NFT("nft", "--version", "nftables"),
        CONNTRACK("conntrack", "--version", "conntrack");

        public final String command;
        final String versionOption;
        public final String debianPackage;

        Tool(String command, String versionOption, String debianPackage) {
            this.command = command;
            this.versionOption = versionOption;
            this.debianPackage = debianPackage;
        }
    }

    /**
     * Where a tool was found, and what its version option printed (stdout and stderr; empty when it printed
     * nothing or could not run).
     */
    public record Found(Path path, String versionText) {
    }

    /**
     * System property: the directories to search (separated by ':'), instead of PATH and the usual ones. For
     * tests, which must not depend on (or change) the machine's PATH.
     */
    public static final String SEARCH_PATH_PROPERTY = "dualwan.tool-path";

    /** Searched after PATH: a service or sudo may run with a PATH that lacks the sbin directories. */
    static final List<Path> USUAL_DIRECTORIES = List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/bin"),
            Path.of("/bin"));

    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(3);

    private final List<Path> searched;
    private final Map<Tool, Found> found;

    Tools(List<Path> searched, Map<Tool, Found> found) {
        this.searched = List.copyOf(searched);
        this.found = found.isEmpty() ? new EnumMap<>(Tool.class) : new EnumMap<>(found);
    }

    /**
     * Finds ip, nft and conntrack in the directories of {@link #SEARCH_PATH_PROPERTY}, else in PATH and then
     * /usr/sbin, /sbin, /usr/bin, /bin, and runs each one's version option.
     */
    public static Tools find() {
        String property = System.getProperty(SEARCH_PATH_PROPERTY);
        return find(searchPath(property, System.getenv("PATH")), new ProcessRunner(VERSION_TIMEOUT));
    }

    static Tools find(List<Path> directories, CommandRunner runner) {
        Map<Tool, Found> found = new EnumMap<>(Tool.class);
        for (Tool tool : Tool.values()) {
            locate(tool.command, directories).ifPresent(path -> found.put(tool, new Found(path, version(tool, path, runner))));
        }
        return new Tools(directories, found);
    }

    /** The directories to search, in order, without repeats: the property's if set, else PATH's and the usual. */
    static List<Path> searchPath(String property, String pathVariable) {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        if (property != null) {
            addAll(dirs, property);
        } else {
            addAll(dirs, pathVariable == null ? "" : pathVariable);
            dirs.addAll(USUAL_DIRECTORIES);
        }
        return List.copyOf(dirs);
    }

    private static void addAll(LinkedHashSet<Path> dirs, String list) {
        for (String d : list.split(":")) {
            try {
                Path p = Path.of(d);
                if (p.isAbsolute()) { // a relative entry would make the result depend on the working directory
                    dirs.add(p.normalize());
                }
            } catch (InvalidPathException e) {
                // not a directory name: skip it
            }
        }
    }

    private static Optional<Path> locate(String command, List<Path> directories) {
        for (Path dir : directories) {
            Path candidate = dir.resolve(command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String version(Tool tool, Path path, CommandRunner runner) {
        try {
            CommandRunner.Result r = runner.run(List.of(path.toString(), tool.versionOption));
            return (r.stdout() + r.stderr()).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The tool as found, or empty when it is in none of the directories searched. */
    public Optional<Found> found(Tool tool) {
        return Optional.ofNullable(found.get(tool));
    }

    /** The directories searched, in order. */
    public List<Path> searched() {
        return searched;
    }

    /** The absolute path to run; an IOException saying where it was looked for when it is missing. */
    String path(Tool tool) throws IOException {
        Found f = found.get(tool);
        if (f == null) {
            throw new IOException(notFound(tool));
        }
        return f.path().toString();
    }

    /** {@code tool ARGS} as an argument list, the tool by its absolute path. */
    List<String> argv(Tool tool, List<String> args) throws IOException {
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(path(tool));
        argv.addAll(args);
        return argv;
    }

    String notFound(Tool tool) {
        return tool.command + " not found (searched " + searched.stream().map(Path::toString)
                .collect(Collectors.joining(":")) + ")";
    }
}
