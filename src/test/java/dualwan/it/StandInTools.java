package dualwan.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Stand-in {@code ip}, {@code nft} and {@code conntrack} in a test's own directory, for a daemon whose PATH puts
 * that directory first. Each passes its arguments to the real tool, except when its control file ({@code
 * faults/TOOL}, one {@code MODE PATTERN} line per fault) has a line whose shell pattern matches {@code " ARGS "}:
 * <ul>
 *   <li>{@code fail}: prints {@code TOOL: injected failure} on stderr and exits 1, as a refused write does;</li>
 *   <li>{@code hang}: becomes {@code sleep 3600}, as a tool stuck on a lock does;</li>
 *   <li>{@code garbage}: prints a cut-off JSON text and exits 0, as a tool of another version might.</li>
 * </ul>
 * Every injected fault is one line of {@code faults.log}: {@code EPOCH_SECONDS PID MODE TOOL ARGS}. Test code only:
 * the product never looks for these files.
 */
final class StandInTools {

    static final List<String> TOOLS = List.of("ip", "nft", "conntrack");
    static final String GARBAGE = "[{\"priority\": 1000, \"src\": \"all\", \"table\": [";

    private final Path dir;
    private final Path faults;
    private final Path log;

    private StandInTools(Path dir) {
        this.dir = dir.resolve("tools");
        this.faults = dir.resolve("faults");
        this.log = dir.resolve("faults.log");
    }

    /** Writes the stand-ins of all three tools into {@code dir/tools}, none faulty yet. */
    static StandInTools create(Path dir) {
        StandInTools t = new StandInTools(dir);
        try {
            Files.createDirectories(t.dir);
            Files.createDirectories(t.faults);
            for (String tool : TOOLS) {
                t.write(tool, real(tool));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }

    /** Only {@code tools}: the others are missing from the directory. */
    static StandInTools createOnly(Path dir, String... tools) {
        StandInTools t = create(dir);
        for (String tool : TOOLS) {
            if (!List.of(tools).contains(tool)) {
                try {
                    Files.delete(t.dir.resolve(tool));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return t;
    }

    static String real(String tool) {
        return List.of("/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/").stream().map(d -> d + tool)
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new AssertionError(tool + " is not installed"));
    }

    private void write(String tool, String real) throws IOException {
        Path control = faults.resolve(tool);
        String script = """
                #!/bin/sh
                # dualwan test stand-in for %1$s: runs %2$s unless %3$s names a fault for these arguments
                if [ -r '%3$s' ]; then
                  while read -r mode pattern; do
                    [ -n "$mode" ] || continue
                    case " $* " in
                      $pattern)
                        echo "$(date +%%s.%%N) $$ $mode %1$s $*" >> '%4$s'
                        case "$mode" in
                          fail) echo "%1$s: injected failure" >&2; exit 1 ;;
                          hang) exec sleep 3600 ;;
                          garbage) printf '%%s\\n' '%5$s'; exit 0 ;;
                        esac ;;
                    esac
                  done < '%3$s'
                fi
                exec '%2$s' "$@"
                """.formatted(tool, real, control, log, GARBAGE);
        Path p = dir.resolve(tool);
        Files.writeString(p, script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    Path dir() {
        return dir;
    }

    /** The PATH for the daemon: the stand-ins first, then the real tools' directories. */
    String path() {
        return dir + ":/usr/sbin:/usr/bin:/sbin:/bin";
    }

    /** From now on, {@code tool} behaves as {@code mode} for arguments matching {@code pattern} (a shell glob). */
    void fault(String tool, String mode, String pattern) {
        try {
            Files.writeString(faults.resolve(tool), mode + " " + pattern + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code tool} works again. */
    void heal(String tool) {
        try {
            Files.deleteIfExists(faults.resolve(tool));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void healAll() {
        TOOLS.forEach(this::heal);
    }

    /** One injected fault, as logged by a stand-in. */
    record Injected(double at, long pid, String mode, String tool, String args) {
        String kind() {
            return tool + " " + mode;
        }
    }

    List<Injected> injected() {
        List<Injected> out = new ArrayList<>();
        try {
            if (!Files.exists(log)) {
                return out;
            }
            for (String line : Files.readAllLines(log)) {
                String[] f = line.split(" ", 5);
                if (f.length >= 4) {
                    out.add(new Injected(Double.parseDouble(f[0]), Long.parseLong(f[1]), f[2], f[3],
                            f.length == 5 ? f[4] : ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    List<Injected> injected(String tool, String mode) {
        return injected().stream().filter(i -> i.tool.equals(tool) && i.mode.equals(mode)).toList();
    }

    /** "ip fail ×5, nft hang ×2, …" */
    String summary() {
        Map<String, Long> counts = new TreeMap<>(injected().stream()
                .collect(Collectors.groupingBy(Injected::kind, Collectors.counting())));
        return counts.entrySet().stream().map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", "));
    }
}
