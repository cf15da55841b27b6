package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.inSync;
import static dualwan.it.Daemon.switches;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dualwan.labtools.UdpGapReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL the real daemon at random moments — in steady state and during start-up, right after a cut
 * (mid-failover), around the end of a failback hold (mid-failback), inside an {@code nft} replace and a
 * {@code conntrack} flush (stand-ins that pause there, {@link SlowTools}), with forced modes — and restart it
 * each time. After every kill and restart the kernel must hold each rule, route and table once and one
 * nftables table ({@link KernelInvariants}); every run keeps the mode, switches only towards the uplink the
 * situation calls for (at most once per trigger, a failback never before the hold since the heal), and the LAN
 * always has a default route ({@link LanRouteSampler}, every 10 ms). A LAN client's UDP flow (NATed, so each
 * switch flushes) shows the gaps a kill causes. Seeded: {@code -Dchaos.seed=N}; 500 kills with {@code -Dsoak=true}.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class CrashRestartChaosTest extends DaemonLabTest {
    static final long HOLD_MS = 2000;
    static final String POLICY = """
            policies:
              - name: web
                match: {destinations: [198.51.100.0/24], protocol: tcp, ports: [443]}
                order: [isp1, isp2]
            """;

    enum Trigger { NONE, CUT, HEAL, MODE }

    enum Window { RANDOM, NFT, CONNTRACK }

    /** What the test did to the world; the daemon must follow it. */
    static final class World {
        boolean cut1;
        String mode = "auto";
        long healedAtMillis;

        /** The uplink the LAN must end up on. */
        String target() {
            return !mode.equals("auto") ? mode : cut1 ? "isp2" : "isp1";
        }
    }

    /** scripts/dualwan's flags (the JVM as shipped; C1 only also starts faster). */
    static final String PRODUCT_JVM_FLAGS = "-XX:+UseSerialGC -Xms8m -Xmx32m -XX:MaxMetaspaceSize=48m"
            + " -XX:ReservedCodeCacheSize=16m -XX:TieredStopAtLevel=1 -Xss512k -XX:+ExitOnOutOfMemoryError"
            + " -XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0";

    Random rng;
    dualwan.config.Config modeConfig;
    /** Milliseconds spent restarting, settling, in triggers and in kill windows. */
    final Map<String, Long> spent = new java.util.TreeMap<>();
    final World world = new World();
    final List<String> violations = new ArrayList<>();
    List<Integer> ownedRules = List.of();
    final Map<Window, Integer> windowsHit = new EnumMap<>(Window.class);
    final Map<Window, Integer> windowsMissed = new EnumMap<>(Window.class);
    final List<long[]> quietWindows = new ArrayList<>();
    int restarts;
    int killedBeforeFirstState;
    Object deadUpdated;
    long spawnedAt;
    long spawnedAtBefore;
    long[] openQuiet;
    final List<long[]> kills = new ArrayList<>();

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void fiftyKillsAtRandomMomentsLeaveNoDuplicateNoSpuriousSwitchAndAlwaysALanRoute(@TempDir Path tmp) throws Exception {
        assumeFalse(Boolean.getBoolean("dualwan.soak"), "the soak runs 500 kills instead");
        chaos(tmp, 50);
    }

    @Test
    @EnabledIfSystemProperty(named = "dualwan.soak", matches = "true")
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void soakFiveHundredKills(@TempDir Path tmp) throws Exception {
        chaos(tmp, 500);
    }

    private void chaos(Path tmp, int kills) throws Exception {
        long seed = Long.getLong("chaos.seed", 14);
        rng = new Random(seed);
        System.out.println("[chaos] seed " + seed + " (-Dchaos.seed=" + seed + "), " + kills + " kills");
        SlowTools tools = SlowTools.write(tmp, Duration.ofMillis(250));
        daemon = Daemon.configure(lab, tmp, HOLD_MS / 1000 + "s", yaml -> yaml
                .replaceFirst("gateway: auto", "gateway: 100.64.1.1").replaceFirst("gateway: auto", "gateway: 100.64.2.1")
                .replace("      hosts: [", "      interval: 500ms\n      hosts: [") + POLICY)
                .withEnv("PATH=" + tools.path(), "JAVA_TOOL_OPTIONS=" + PRODUCT_JVM_FLAGS);
        modeConfig = dualwan.config.ConfigLoader.load(daemon.config());
        // Without main's defaults (the gateways are in the config), "no dualwan route" is "no route at all".
        lab.exec("rtr", "ip", "route", "del", "default", "dev", "wan1");
        lab.exec("rtr", "ip", "route", "del", "default", "dev", "wan2");
        long maxSeconds = kills * 8L + 60;
        Path sinkLog = tmp.resolve("sink.log");
        Process sink = ItLabs.startSink(lab, tmp, sinkLog, 9000, (int) maxSeconds);
        Process sender = null;
        long started = System.nanoTime();
        daemon.start();
        spawnedAt = spawnedAtBefore = System.currentTimeMillis();
        settle("first start");
        try (LanRouteSampler sampler = new LanRouteSampler(lab, "203.0.113.100", "100.64.10.2", "lan0", maxSeconds)) {
            ownedRules = new ArrayList<>(new java.util.TreeSet<>(KernelInvariants.ownedPriorities(lab)));
            sender = lab.spawn("lan", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab), "dualwan.labtools.UdpSender",
                    "--to", "203.0.113.100:9000", "--every", "20ms", "--count", Long.toString(maxSeconds * 50),
                    "--source-port", "5060"), tmp.resolve("sender.out"));
            for (int k = 1; k <= kills && violations.size() < 20; k++) {
                round(k, tools);
            }
            settle("after the last restart");
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            UdpGapReport.Report udp = UdpGapReport.analyze(sinkLog);
            System.out.println("[chaos] restarts " + restarts + ", violations " + violations.size() + " in " + seconds
                    + " s; kill windows hit " + windowsHit + ", missed " + windowsMissed + "; ms spent " + spent);
            System.out.println("[chaos] LAN without a default route: longest " + sampler.longestNoRouteMillis()
                    + " ms (" + sampler.noRouteSamples() + " of " + sampler.samples() + " samples, every 10 ms; longest"
                    + " sampling interval " + sampler.longestIntervalMillis() + " ms)");
            System.out.println("[chaos] LAN client's UDP flow (20 ms): longest gap " + udp.maxGapMillis()
                    + " ms overall (failovers and forced dead uplinks included); around kills that moved no traffic "
                    + quietGap(sinkLog));
            System.out.println("[chaos] kills before the restarted run wrote its first state: " + killedBeforeFirstState);
            assertTrue(sampler.failure() == null, "route sampler stopped: " + sampler.failure());
            assertEquals(0, sampler.noRouteSamples(), "the LAN was without a default route (last ip error: "
                    + sampler.lastError() + ")");
            assertEquals(List.of(), violations, "violations");
            assertEquals(kills, restarts);
        } finally {
            if (sender != null) {
                sender.destroyForcibly();
            }
            sink.destroyForcibly();
            lab.exec("rtr", "ip", "route", "replace", "default", "via", "100.64.1.1", "dev", "wan1", "metric", "100");
            lab.exec("rtr", "ip", "route", "append", "default", "via", "100.64.2.1", "dev", "wan2", "metric", "200");
        }
    }

    /**
     * One trigger (or none), one kill inside its window, the checks, one restart. Without a trigger the kill
     * comes at a random moment of the restart itself (JVM start, reading the kernel, adopting, first verdicts).
     */
    private void round(int k, SlowTools tools) {
        Trigger trigger = pickTrigger();
        long t0 = System.currentTimeMillis();
        int switchesBefore = 0;
        if (trigger != Trigger.NONE) {
            switchesBefore = switches(settle("#" + k + " before " + trigger));
        }
        String before = world.target();
        long triggerAt = System.currentTimeMillis();
        spent.merge("settle", triggerAt - t0, Long::sum);
        String what = fire(trigger);
        if (trigger != Trigger.NONE) {
            closeQuiet(triggerAt);
        }
        boolean moves = !world.target().equals(before);
        Window window = moves ? Window.values()[rng.nextInt(Window.values().length)] : Window.RANDOM;
        tools.clearStaleMarks();
        long delay = waitForWindow(trigger, window, tools);
        long killAt = System.currentTimeMillis();
        spent.merge(trigger == Trigger.NONE ? "restart" : "trigger+window", killAt - triggerAt, Long::sum);
        daemon.kill9();
        closeQuiet(killAt);
        kills.add(new long[] {k, killAt});
        String devAtKill = Daemon.lanDefaultDev(lab);
        Map<String, Object> last = daemon.state().orElse(Map.of());
        boolean wroteState = !last.isEmpty() && !Objects.equals(last.get("updated"), deadUpdated);
        if (wroteState) {
            checkRun("#" + k + " run killed", last, switchesBefore, 1);
        } else {
            killedBeforeFirstState++;
            if (!last.isEmpty() && !world.mode.equals(last.get("mode"))) {
                violations.add("#" + k + ": the state file says mode " + last.get("mode") + ", expected " + world.mode);
            }
        }
        checkKernel("#" + k + " after the kill");
        deadUpdated = last.get("updated");
        // Nothing to move, and the LAN on a live uplink: a kill and its restart should cost the flow nothing.
        if (!moves && ("wan" + world.target().substring(3)).equals(devAtKill) && !(world.cut1 && world.target().equals("isp1"))) {
            openQuiet = new long[] {killAt - 100, Long.MAX_VALUE};
            quietWindows.add(openQuiet);
        }
        daemon.spawn();
        spawnedAt = System.currentTimeMillis();
        restarts++;
        System.out.printf("[chaos] #%d %s%s, kill %s +%d ms (%d ms after the %s): kernel had %s, run %s%n", k, trigger,
                what, window, delay, killAt - (trigger == Trigger.NONE ? spawnedAtBefore : triggerAt),
                trigger == Trigger.NONE ? "restart" : "trigger", devAtKill,
                wroteState ? "had written its state (active " + active(last) + ", mode " + last.get("mode") + ")"
                        : "was killed before its first state");
        spawnedAtBefore = spawnedAt;
    }

    private void closeQuiet(long at) {
        if (openQuiet != null) {
            openQuiet[1] = at;
            openQuiet = null;
        }
    }

    private Trigger pickTrigger() {
        int r = rng.nextInt(100);
        if (r < 60) {
            return Trigger.NONE;
        }
        if (r < 75) {
            return world.cut1 ? Trigger.HEAL : Trigger.CUT;
        }
        return Trigger.MODE;
    }

    /** Does it; says what in words. */
    private String fire(Trigger trigger) {
        switch (trigger) {
            case CUT -> {
                lab.cut(1);
                world.cut1 = true;
                return " isp1";
            }
            case HEAL -> {
                lab.restore(1);
                world.cut1 = false;
                world.healedAtMillis = System.currentTimeMillis();
                return " isp1";
            }
            case MODE -> {
                List<String> modes = new ArrayList<>(List.of("auto", "isp1", "isp2"));
                modes.remove(world.mode);
                String m = modes.get(rng.nextInt(modes.size()));
                // `dualwan mode M`'s own code through the control socket, without starting a JVM for it
                var out = new java.io.ByteArrayOutputStream();
                int code = dualwan.control.ModeCommand.run(modeConfig, List.of(m), new java.io.PrintStream(out, true),
                        new java.io.PrintStream(out, true));
                assertEquals(0, code, () -> "dualwan mode " + m + ": " + out);
                world.mode = m;
                return " " + m + (world.cut1 ? " (isp1 cut)" : "");
            }
            default -> {
                return "";
            }
        }
    }

    /** Waits for the kill moment; returns the random part of the wait in ms. */
    private long waitForWindow(Trigger trigger, Window window, SlowTools tools) {
        long window1 = switch (trigger) {
            case NONE -> 3000;          // from the restart: JVM start, kernel reads, adoption, first verdicts
            case CUT -> 1500;           // detection takes 0.5-1 s: before, at and after the switch
            case HEAL -> 1500 + HOLD_MS; // isp1 judged up, the hold, the failback
            case MODE -> 600;
        };
        if (window != Window.RANDOM) {
            String tool = window == Window.NFT ? "nft" : "conntrack";
            boolean hit = tools.awaitRunning(tool, Duration.ofMillis(window1 + 5000));
            (hit ? windowsHit : windowsMissed).merge(window, 1, Integer::sum);
            long delay = rng.nextInt(200); // the stand-in pauses 250 ms: the kill lands inside the run
            Daemon.sleep(Duration.ofMillis(delay));
            return delay;
        }
        windowsHit.merge(window, 1, Integer::sum);
        long delay = rng.nextLong(window1);
        long from = trigger == Trigger.NONE ? spawnedAt : System.currentTimeMillis();
        Daemon.sleep(Duration.ofMillis(Math.max(0, from + delay - System.currentTimeMillis())));
        return delay;
    }

    /**
     * Waits until the daemon has followed the world (mode, target, verdicts, kernel in sync) and checks the run
     * so far. A failback waits for the hold, which a restart starts again.
     */
    private Map<String, Object> settle(String when) {
        String isp1 = world.cut1 ? "down" : "up";
        Map<String, Object> s = daemon.awaitState(when + ": " + world.target() + " active, mode " + world.mode
                        + ", isp1 " + isp1, Duration.ofSeconds(30),
                st -> !Objects.equals(deadUpdated, st.get("updated")) // written by the running daemon
                        && world.target().equals(active(st)) && world.mode.equals(st.get("mode")) && inSync(st)
                        && isp1.equals(wanState(st, "isp1")) && "up".equals(wanState(st, "isp2")));
        checkRun(when, s, 0, 1);
        checkKernel(when);
        return s;
    }

    /**
     * A run may switch at most {@code allowed} times since {@code from} switches, only to the uplink the world
     * calls for, and a failback to isp1 not before the hold has passed since the heal.
     */
    @SuppressWarnings("unchecked")
    private void checkRun(String when, Map<String, Object> s, int from, int allowed) {
        int n = switches(s) - from;
        if (!world.mode.equals(s.get("mode"))) {
            violations.add(when + ": mode " + s.get("mode") + ", expected " + world.mode);
        }
        if (n > allowed) {
            violations.add(when + ": " + n + " switches in one run (at most " + allowed + "): " + s.get("last_switch"));
        }
        if (n > 0 && s.get("last_switch") instanceof Map<?, ?> last) {
            Object to = last.get("to");
            if (!world.target().equals(to)) {
                violations.add(when + ": switched to " + to + ", the situation calls for " + world.target() + ": " + last);
            }
            long at = Instant.parse((String) last.get("at")).toEpochMilli();
            boolean failback = world.mode.equals("auto") && "isp1".equals(to);
            if (failback && at < world.healedAtMillis + HOLD_MS) {
                violations.add(when + ": failback " + (at - world.healedAtMillis) + " ms after the heal, hold " + HOLD_MS);
            }
        }
    }

    private void checkKernel(String when) {
        KernelInvariants.violations(lab, ownedRules).forEach(v -> violations.add(when + ": " + v));
    }

    /** The longest gap at the sink overlapping a kill that moved no traffic (its restart included), and where. */
    private String quietGap(Path sinkLog) throws java.io.IOException {
        List<UdpGapReport.Arrival> arrivals = UdpGapReport.read(sinkLog);
        long worst = 0;
        long worstAt = 0;
        for (int i = 1; i < arrivals.size(); i++) {
            long a = arrivals.get(i - 1).epochNanos() / 1_000_000;
            long b = arrivals.get(i).epochNanos() / 1_000_000;
            for (long[] w : quietWindows) {
                // clipped to the window: a gap that a following trigger (a cut) opens is that trigger's
                long gap = Math.min(b, w[1]) - Math.max(a, w[0]);
                if (b >= w[0] && a <= w[1] && gap > worst) {
                    worst = gap;
                    worstAt = a;
                }
            }
        }
        return worst + " ms (" + quietWindows.size() + " such kills" + (worst > 0 ? "; " + near(worstAt) : "") + ")";
    }

    /** "from N ms after #k's kill" for a moment of the run, to find it in the round lines. */
    private String near(long at) {
        long[] last = null;
        for (long[] k : kills) {
            if (k[1] <= at) {
                last = k;
            }
        }
        return last == null ? "before the first kill" : "from " + (at - last[1]) + " ms after #" + last[0] + "'s kill";
    }
}
