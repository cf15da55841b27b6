package dualwan.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Test-only stand-ins for {@code nft} and {@code conntrack}, put first on the daemon's PATH: a write
 * ({@code nft -f -}, not its {@code -c} check; {@code conntrack -D}/{@code -F}) leaves a marker file while it
 * runs and pauses before running the real tool, so a test can SIGKILL the daemon inside an nft replace or a
 * conntrack flush on purpose. Reads and version queries run the real tool at once. Never in the product.
 */
final class SlowTools {
    private final Path tools;
    private final Path marks;

    private SlowTools(Path tools, Path marks) {
        this.tools = tools;
        this.marks = marks;
    }

    static SlowTools write(Path dir, Duration pause) {
        try {
            SlowTools t = new SlowTools(Files.createDirectories(dir.resolve("tools")),
                    Files.createDirectories(dir.resolve("marks")));
            String seconds = String.format(java.util.Locale.ROOT, "%.3f", pause.toMillis() / 1000.0);
            t.standIn("nft", "*\" -f \"*", "*\" -c \"*", seconds);
            t.standIn("conntrack", "*\" -D \"*|*\" -F \"*", "*\" --version \"*", seconds);
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stand-in that pauses and marks runs whose arguments match {@code writes} but not {@code except}. */
    private void standIn(String tool, String writes, String except, String seconds) throws IOException {
        String real = Stream.of("/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/").map(d -> d + tool)
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElseThrow(() -> new AssertionError(tool + " not found"));
        String script = """
                #!/bin/sh
                # test stand-in (CrashRestartChaosTest): a write marks its run and pauses, then runs the real tool
                case " $* " in
                  %s) ;;
                  *) exec %s "$@" ;;
                esac
                case " $* " in
                  %s) exec %s "$@" ;;
                esac
                m=%s/%s.$$
                : > "$m"
                sleep %s
                %s "$@"
                rc=$?
                rm -f "$m"
                exit $rc
                """.formatted(writes, real, except, real, marks, tool, seconds, real);
        Path file = tools.resolve(tool);
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** PATH for the daemon: the stand-ins first. */
    String path() {
        return tools + ":" + System.getenv("PATH");
    }

    /** Whether a write of {@code tool} is running now. */
    boolean running(String tool) {
        try (Stream<Path> s = Files.list(marks)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(tool + "."));
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits (polling every 2 ms, at most {@code limit}) until a write of {@code tool} runs; false if none did. */
    boolean awaitRunning(String tool, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (running(tool)) {
                return true;
            }
            Daemon.sleep(Duration.ofMillis(2));
        }
        return false;
    }

    /** Markers of runs a kill interrupted are left by nobody; they go before the next window is looked for. */
    void clearStaleMarks() {
        try (Stream<Path> s = Files.list(marks)) {
            for (Path p : s.toList()) {
                String pid = p.getFileName().toString().replaceAll("^[a-z]+\\.", "");
                if (pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
