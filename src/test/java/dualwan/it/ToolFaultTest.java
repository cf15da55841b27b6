package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.lanDefaultDev;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon with {@code ip}, {@code nft} and {@code conntrack} that fail, hang or print garbage
 * ({@link StandInTools}, first on the daemon's PATH): it keeps probing and deciding, shows the failure in the
 * state file's {@code kernel} section, retries with backoff, and converges once the tool works again. A missing
 * tool is one clear line and exit 2 before anything happens.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class ToolFaultTest extends DaemonLabTest {

    private static final Duration CONVERGE = Duration.ofSeconds(45);

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void toolsThatFailHangOrPrintGarbageStopNeitherProbingNorDecisionsAndTheKernelConverges(@TempDir Path tmp) {
        StandInTools tools = StandInTools.create(tmp);
        daemon = Daemon.configure(lab, tmp, "2s").withEnv("PATH=" + tools.path()).start();
        daemon.awaitAllUp();
        List<String> converged = new ArrayList<>();
        try {
            // 1. ip refuses every route write: the cut is judged and decided, the kernel keeps the old route.
            tools.fault("ip", "fail", "*route replace*");
            lab.cut(1);
            Map<String, Object> s = daemon.awaitStateAnyKernel("isp1 down, isp2 decided, 3 failed attempts",
                    Duration.ofSeconds(30), st -> "isp2".equals(active(st)) && "down".equals(wanState(st, "isp1"))
                            && "failing".equals(kernel(st).get("state")) && attempts(st) >= 3);
            assertTrue(lastError(s).contains("ip: injected failure"), s::toString);
            assertEquals("wan1", lanDefaultDev(lab), "the write really failed: the LAN table is unchanged");
            List<Double> gaps = attemptGaps(tools.injected("ip", "fail"));
            System.out.println("[it] ip route writes failing: retries after " + gaps + " s");
            assertTrue(gaps.size() >= 2 && gaps.get(1) > gaps.get(0) * 1.5, "the retries back off: " + gaps);
            converged.add("ip fail: " + healAndConverge(tools, "ip", "isp2", "wan2") + " ms");

            // 2. ip prints garbage for its rule listing, and someone deletes a rule of ours: the comparison fails
            // on the read and touches nothing, while isp1 comes back and is judged up.
            tools.fault("ip", "garbage", "*-json -4 rule show*");
            Daemon.ok(lab.exec("rtr", "ip", "rule", "del", "priority", "1030"));
            s = daemon.awaitStateAnyKernel("the rule listing fails to parse", Duration.ofSeconds(20),
                    st -> "failing".equals(kernel(st).get("state")) && lastError(st).startsWith("cannot read routing state"));
            assertFalse(Daemon.rules(lab).contains("\"priority\":1030"), "nothing written on a read that failed");
            lab.restore(1);
            daemon.awaitStateAnyKernel("isp1 judged up while ip prints garbage", Duration.ofSeconds(20),
                    st -> "up".equals(wanState(st, "isp1")) && "failing".equals(kernel(st).get("state")));

            // 3. nft hangs (set before ip is fixed, so the next attempt reaches it): the routes are repaired, the
            // listing is killed at the runner's timeout, and the daemon keeps deciding (the failback after the hold).
            tools.fault("nft", "hang", "*");
            tools.heal("ip");
            s = daemon.awaitStateAnyKernel("nft cut off by the runner's timeout", Duration.ofSeconds(40),
                    st -> lastError(st).contains("did not finish within"));
            assertTrue(lastError(s).startsWith("nftables: "), s::toString);
            assertEquals(1, count(Daemon.rules(lab), "\"priority\":1030"), "the routes were repaired before the table");
            StandInTools.Injected hung = tools.injected("nft", "hang").getFirst();
            assertFalse(Files.exists(Path.of("/proc/" + hung.pid())), "the hanging nft was killed: " + hung);
            daemon.awaitStateAnyKernel("failback to isp1 decided while nft hangs", Duration.ofSeconds(30),
                    st -> "isp1".equals(active(st)));
            converged.add("nft hang: " + healAndConverge(tools, "nft", "isp1", "wan1") + " ms");
            assertEquals(1, count(Daemon.ok(lab.exec("rtr", "nft", "list", "tables")), "table inet dualwan"));

            // 4. conntrack fails during a switch: the switch is made and the failure is the last error.
            tools.fault("conntrack", "fail", "*");
            lab.cut(1);
            s = daemon.awaitState("isp2 in the kernel, the flush failed", Duration.ofSeconds(20),
                    st -> "isp2".equals(active(st)) && lastError(st).startsWith("conntrack "));
            assertTrue(lastError(s).contains("conntrack: injected failure"), s::toString);
            assertEquals("wan2", lanDefaultDev(lab));
            assertEquals(2, tools.injected("conntrack", "fail").size(), "a failed flush is tried once more, not forever");
            tools.heal("conntrack");
        } finally {
            tools.healAll();
        }
        System.out.println("[it] tool faults survived: " + tools.summary() + "; kernel in sync after the tool was"
                + " fixed: " + String.join(", ", converged));
        assertTrue(daemon.alive(), "the daemon survived every fault\n" + daemon.log());
    }

    /** ip without nft and conntrack: {@code check} and {@code run} each say which are missing and exit 2. */
    @Test
    void aMissingToolIsNamedAndExitsTwoBeforeAnythingHappens(@TempDir Path tmp) {
        StandInTools tools = StandInTools.createOnly(tmp, "ip");
        // The search path property exists for tests (linux/Tools); PATH alone would still find /usr/sbin's.
        daemon = Daemon.configure(lab, tmp, "2s").withEnv("JAVA_TOOL_OPTIONS=-Ddualwan.tool-path=" + tools.dir());
        String before = Daemon.kernelSnapshot(lab) + Daemon.ok(lab.exec("rtr", "nft", "list", "tables"));
        String nft = "dualwan: nft not found (searched " + tools.dir() + "): dualwan keeps its nftables table (NAT,"
                + " policies) with nft; install the Debian package nftables\n";
        String conntrack = "dualwan: conntrack not found (searched " + tools.dir() + "): conntrack.flush: affected"
                + " deletes moved flows with conntrack; install the Debian package conntrack, or set conntrack.flush: none\n";
        for (String command : List.of("check", "run")) {
            Lab.Result r = daemon.oneShot(command);
            assertEquals(2, r.exitCode(), command + ": " + r);
            assertTrue(r.stderr().contains(nft + conntrack), command + ": " + r);
            assertFalse(r.stdout().contains("ok"), command + ": " + r);
            System.out.println("[it] dualwan " + command + " without nft and conntrack: exit 2, " + r.stderr().trim()
                    .lines().filter(l -> l.startsWith("dualwan:")).count() + " lines naming them");
        }
        assertFalse(Files.exists(daemon.stateFile()), "run did not start");
        assertEquals(before, Daemon.kernelSnapshot(lab) + Daemon.ok(lab.exec("rtr", "nft", "list", "tables")),
                "nothing in the kernel changed");
    }

    /** Heals {@code tool}; returns the ms until the kernel is in sync with {@code active} on {@code dev}. */
    private long healAndConverge(StandInTools tools, String tool, String active, String dev) {
        long healed = System.nanoTime();
        tools.heal(tool);
        Map<String, Object> s = daemon.awaitState(tool + " works again: " + active + " in the kernel", CONVERGE,
                st -> active.equals(active(st)));
        long ms = (System.nanoTime() - healed) / 1_000_000;
        assertEquals(dev, lanDefaultDev(lab), "the LAN table follows once " + tool + " works");
        assertEquals(0, attempts(s), s::toString);
        return ms;
    }

    /** Seconds between the failed attempts; writes of one attempt (within 0.5 s) count once. */
    private static List<Double> attemptGaps(List<StandInTools.Injected> fails) {
        List<Double> gaps = new ArrayList<>();
        double last = Double.NaN;
        for (StandInTools.Injected f : fails) {
            if (!Double.isNaN(last) && f.at() - last < 0.5) {
                continue;
            }
            if (!Double.isNaN(last)) {
                gaps.add(Math.round((f.at() - last) * 100) / 100.0);
            }
            last = f.at();
        }
        return gaps;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> kernel(Map<String, Object> s) {
        return (Map<String, Object>) s.get("kernel");
    }

    private static String lastError(Map<String, Object> s) {
        Object e = kernel(s).get("last_error");
        return e == null ? "" : e.toString();
    }

    private static int attempts(Map<String, Object> s) {
        return ((Number) kernel(s).get("attempts")).intValue();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
