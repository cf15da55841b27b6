package dualwan.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.lab.Lab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Starts {@code dualwan run} inside a lab's router namespace, reads its state file and stops it.
 * One instance per daemon process; {@link #close()} kills it (call it in finally / @AfterEach).
 */
final class Daemon implements AutoCloseable {
    static final Duration POLL = Duration.ofMillis(100);

    private final Lab lab;
    private final Path dir;
    private final Path config;
    private final Path stateFile;
    private final Path log;
    private Process process;
    /** {@code NAME=VALUE} pairs the daemon runs with (through env(1)), e.g. a PATH with stand-in tools. */
    private final List<String> env = new ArrayList<>();
    /** A command the daemon (and one-shot commands) are started through, e.g. setpriv with the unit's privileges. */
    private final List<String> launcher = new ArrayList<>();

    private Daemon(Lab lab, Path dir, Path config, Path stateFile) {
        this.lab = lab;
        this.dir = dir;
        this.config = config;
        this.stateFile = stateFile;
        this.log = dir.resolve("daemon.log");
    }

    /**
     * Writes a lab config (scripts/lab.yaml, state-file in dir, hold as given and not dampened, then edit
     * applied).
     */
    static Daemon configure(Lab lab, Path dir, String hold, UnaryOperator<String> edit) {
        try {
            Path state = dir.resolve("state.json");
            String yaml = Files.readString(lab.root().resolve("scripts").resolve("lab.yaml"))
                    // max-hold = hold: no dampening, so repeated cuts in one run each fail back after the hold;
                    // the same number of lines, so tests can name lines of the file
                    .replace("failback:\n  hold: 10s\n", "failback: {hold: " + hold + ", max-hold: " + hold
                            + "}\n# failback dampening off in lab tests\n")
                    .replaceAll("(?m)^state-file:.*$", "state-file: " + state);
            yaml = edit.apply(yaml);
            Path cfg = dir.resolve("dualwan.yaml");
            Files.writeString(cfg, yaml);
            return new Daemon(lab, dir, cfg, state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Daemon configure(Lab lab, Path dir, String hold) {
        return configure(lab, dir, hold, UnaryOperator.identity());
    }

    static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    static String jar(Lab lab) {
        return lab.root().resolve("target").resolve("dualwan.jar").toString();
    }

    /** The lab tools (UDP sender and sink, MQTT watcher, DNS lookup) are test classes, not in the product jar. */
    static String labClasspath(Lab lab) {
        return lab.root().resolve("target").resolve("test-classes") + ":" + jar(lab);
    }

    Path config() {
        return config;
    }

    Path stateFile() {
        return stateFile;
    }

    /** Runs the daemon (and one-shot commands) with these {@code NAME=VALUE} settings added to its environment. */
    Daemon withEnv(String... nameValues) {
        env.addAll(List.of(nameValues));
        return this;
    }

    /** Starts the daemon and one-shot commands through {@code prefix} (which ends in the command it runs). */
    Daemon withLauncher(List<String> prefix) {
        launcher.addAll(prefix);
        return this;
    }

    List<String> argv(String... cmd) {
        List<String> a = new ArrayList<>(launcher);
        if (!env.isEmpty()) {
            a.add("env");
            a.addAll(env);
        }
        a.addAll(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", jar(lab)));
        a.addAll(List.of(cmd));
        a.add("--config");
        a.add(config.toString());
        return a;
    }

    /** Runs a one-shot dualwan subcommand (check, plan, run on a bad config) in rtr. */
    Lab.Result oneShot(String cmd) {
        return lab.exec("rtr", Duration.ofSeconds(30), argv(cmd).toArray(String[]::new));
    }

    /** Starts the daemon and waits until its state file shows an active uplink. */
    Daemon start() {
        try {
            Files.deleteIfExists(stateFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return startKeepingState();
    }

    /** Starts the daemon without deleting a previous state file; waits for a fresh state file. */
    Daemon startKeepingState() {
        Object before = state().map(s -> s.get("updated")).orElse(null);
        spawn();
        // A wait, not a figure (scripts/bench prints the start-up time): a JVM starting on a loaded two-core
        // machine, under libfaketime in RobustnessTest, has taken 18 s to its first probe.
        awaitState("daemon writes a fresh state file with an active uplink", Duration.ofSeconds(60),
                s -> s.get("active") != null && !java.util.Objects.equals(before, s.get("updated")));
        return this;
    }

    /** Starts the daemon and returns at once (a test may kill it at any moment of its start-up). */
    Daemon spawn() {
        process = lab.spawn("rtr", argv("run"), log);
        return this;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** The state file, or empty if absent/unreadable. */
    Optional<Map<String, Object>> state() {
        try {
            if (!Files.exists(stateFile)) {
                return Optional.empty();
            }
            return Optional.of(JSON.std.mapFrom(Files.readString(stateFile)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    Map<String, Object> stateNow() {
        return state().orElseThrow(() -> new AssertionError("no state file " + stateFile + "\n" + log()));
    }

    /**
     * Polls the state file every 100 ms until cond holds and the kernel has what the daemon decided (its
     * {@code kernel.state} is {@code in_sync}: the kernel worker applies decisions on its own thread, so a state
     * can show a decision a few milliseconds before the kernel does); fails with what and the last state on timeout.
     */
    Map<String, Object> awaitState(String what, Duration timeout, Predicate<Map<String, Object>> cond) {
        return awaitStateAnyKernel(what + " (kernel in sync)", timeout, s -> cond.test(s) && inSync(s));
    }

    static boolean inSync(Map<String, Object> s) {
        return s.get("kernel") instanceof Map<?, ?> k && "in_sync".equals(k.get("state"));
    }

    /** As {@link #awaitState}, whatever the kernel worker's state. */
    Map<String, Object> awaitStateAnyKernel(String what, Duration timeout, Predicate<Map<String, Object>> cond) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Map<String, Object>> last = Optional.empty();
        while (true) {
            if (process != null && !process.isAlive()) {
                fail("daemon exited (" + process.exitValue() + ") while waiting for: " + what + "\n" + log());
            }
            last = state();
            if (last.isPresent()) {
                try {
                    if (cond.test(last.get())) {
                        return last.get();
                    }
                } catch (RuntimeException ignored) {
                    // field missing yet
                }
            }
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout + " waiting for: " + what + "\nlast state: "
                        + last.map(Object::toString).orElse("(none)") + "\nlog:\n" + log());
            }
            sleep(POLL);
        }
    }

    static Object active(Map<String, Object> s) {
        return s.get("active");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> wan(Map<String, Object> s, String name) {
        return (Map<String, Object>) ((Map<String, Object>) s.get("wans")).get(name);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> host(Map<String, Object> s, String wan, String ip) {
        return (Map<String, Object>) ((Map<String, Object>) wan(s, wan).get("hosts")).get(ip);
    }

    static String wanState(Map<String, Object> s, String name) {
        return (String) wan(s, name).get("state");
    }

    static int switches(Map<String, Object> s) {
        return ((Number) s.get("switches")).intValue();
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** SIGKILL, as a crash would. */
    void kill9() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertTrue(!process.isAlive(), "daemon survived SIGKILL");
        }
    }

    /** SIGTERM, then SIGKILL after 5 s. Idempotent. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    // ------------------------------------------------------------ kernel views (rtr)

    static String rules(Lab lab) {
        return ok(lab.exec("rtr", "ip", "-json", "rule", "show"));
    }

    static String table(Lab lab, int t) {
        Lab.Result r = lab.exec("rtr", "ip", "-json", "route", "show", "table", Integer.toString(t));
        // An empty/nonexistent table may report an error on some iproute2 versions; treat as "[]".
        return r.ok() ? r.stdout().trim() : "ERR:" + r.stderr().trim();
    }

    /** Rules + tables 101, 102, 200 as one comparable snapshot. */
    static String kernelSnapshot(Lab lab) {
        return "rules=" + rules(lab) + "\n101=" + table(lab, 101) + "\n102=" + table(lab, 102)
                + "\n200=" + table(lab, 200);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> jsonList(String json) {
        try {
            return (List<Map<String, Object>>) (List<?>) JSON.std.listFrom(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Table 200's default route gateway device ("wan1"/"wan2"), or null. */
    static String lanDefaultDev(Lab lab) {
        String t = table(lab, 200);
        if (t.startsWith("ERR:") || t.isEmpty()) {
            return null;
        }
        for (Map<String, Object> r : jsonList(t)) {
            if ("default".equals(r.get("dst")) && r.get("type") == null || "unicast".equals(r.get("type"))
                    && "default".equals(r.get("dst"))) {
                return (String) r.get("dev");
            }
        }
        return null;
    }

    static String ok(Lab.Result r) {
        assertTrue(r.ok(), r::toString);
        return r.stdout().trim();
    }

    /** Waits until both uplinks and every probed host report "up" and isp1 is active. */
    Map<String, Object> awaitAllUp() {
        return awaitState("isp1 active, both uplinks and all their hosts up", Duration.ofSeconds(20), s -> {
            if (!"isp1".equals(active(s))) {
                return false;
            }
            for (String w : List.of("isp1", "isp2")) {
                if (!"up".equals(wanState(s, w))) {
                    return false;
                }
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> hosts = (Map<String, Map<String, Object>>) wan(s, w).get("hosts");
                for (Map<String, Object> h : hosts.values()) {
                    if (!"up".equals(h.get("state"))) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /** Removes everything dualwan owns in rtr (rules 1000..1099, tables 101, 102, 200, its nft table) and conntrack. */
    static void resetKernel(Lab lab) {
        for (Map<String, Object> r : jsonList(rules(lab))) {
            int prio = ((Number) r.get("priority")).intValue();
            if (prio >= 1000 && prio <= 1099) {
                lab.exec("rtr", "ip", "rule", "del", "priority", Integer.toString(prio));
            }
        }
        for (String t : List.of("101", "102", "200")) {
            lab.exec("rtr", "ip", "route", "flush", "table", t);
        }
        lab.exec("rtr", "nft", "delete", "table", "inet", "dualwan");
        lab.exec("rtr", "conntrack", "-F");
    }
}
