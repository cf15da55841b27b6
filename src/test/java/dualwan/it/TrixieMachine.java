package dualwan.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.lab.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A Debian trixie machine booted with systemd-nspawn in a lab namespace ({@code scripts/trixie-machine}): an
 * overlay over the cached root in {@code dir}, removed by {@link #close()} whatever happened.
 */
final class TrixieMachine implements AutoCloseable {

    private final Lab lab;
    private final Path dir;
    private final String netns;
    private final Path debDir;
    private final Path script;
    /** Tears the machine down should the test JVM be stopped before close() runs. */
    private final Thread shutdownHook = new Thread(this::stop, "trixie-machine-teardown");

    private TrixieMachine(Lab lab, Path dir, String netns, Path debDir) {
        this.lab = lab;
        this.dir = dir;
        this.netns = netns;
        this.debDir = debDir;
        this.script = lab.root().resolve("scripts").resolve("trixie-machine");
    }

    /** True as root with systemd-nspawn and debootstrap installed (.ci/run installs both). */
    static boolean available() {
        return Lab.available() && Files.isExecutable(Path.of("/usr/bin/systemd-nspawn"))
                && Files.isExecutable(Path.of("/usr/sbin/debootstrap"));
    }

    /** Builds the cached root if absent (about a minute), fetches the .debs' dependencies, boots. */
    static TrixieMachine boot(Lab lab, Path dir, String netns, Path debDir) {
        TrixieMachine m = new TrixieMachine(lab, dir, netns, debDir);
        Runtime.getRuntime().addShutdownHook(m.shutdownHook);
        try {
            m.script(Duration.ofMinutes(10), "start", dir.toString(), netns, debDir.toString());
        } catch (RuntimeException | AssertionError e) {
            m.close();
            throw e;
        }
        return m;
    }

    /** The machine's root file system, as the host sees it. */
    Path root() {
        return dir.resolve("root");
    }

    void halt() {
        script(Duration.ofSeconds(30), "halt", dir.toString());
    }

    void bootAgain() {
        script(Duration.ofSeconds(60), "boot", dir.toString(), netns, debDir.toString());
    }

    /** Runs argv inside the machine. */
    Lab.Result exec(Duration timeout, String... argv) {
        List<String> a = new ArrayList<>(List.of("bash", script.toString(), "exec", dir.toString()));
        a.addAll(List.of(argv));
        return Lab.runHost(a, timeout);
    }

    Lab.Result exec(String... argv) {
        return exec(Duration.ofSeconds(30), argv);
    }

    /** Runs argv inside and returns its stdout; fails the test if it fails. */
    String ok(String... argv) {
        Lab.Result r = exec(Duration.ofMinutes(3), argv);
        assertTrue(r.ok(), () -> String.join(" ", argv) + " failed in the machine: " + r);
        return r.stdout().strip();
    }

    String show(String unit, String property) {
        return ok("systemctl", "show", "-P", property, unit);
    }

    Optional<Map<String, Object>> state() {
        Lab.Result r = exec("cat", "/run/dualwan/state.json");
        if (!r.ok()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.std.mapFrom(r.stdout()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Polls the daemon's state file (inside the machine) every 100 ms until cond holds. */
    Map<String, Object> awaitState(String what, Duration timeout, Predicate<Map<String, Object>> cond) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Map<String, Object>> last = Optional.empty();
        while (true) {
            last = state();
            try {
                if (last.isPresent() && cond.test(last.get())) {
                    return last.get();
                }
            } catch (RuntimeException ignored) {
                // a field not there yet
            }
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout + " waiting for: " + what + "\nlast state: "
                        + last.map(Object::toString).orElse("(none)") + "\njournal:\n"
                        + exec("journalctl", "-u", "dualwan", "--no-pager", "-n", "60").stdout());
            }
            Daemon.sleep(Daemon.POLL);
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs or ran
        }
    }

    private synchronized void stop() {
        Lab.Result r = Lab.runHost(List.of("bash", script.toString(), "stop", dir.toString()),
                Duration.ofSeconds(60));
        if (!r.ok()) {
            System.err.println("trixie machine " + dir + ": stop failed: " + r);
        }
    }

    private void script(Duration timeout, String... args) {
        List<String> a = new ArrayList<>(List.of("bash", script.toString()));
        a.addAll(List.of(args));
        Lab.Result r = Lab.runHost(a, timeout);
        assertTrue(r.ok(), () -> "scripts/trixie-machine " + String.join(" ", args) + " failed: " + r);
    }
}
