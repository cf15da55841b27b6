package dualwan.it;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.wan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A metered standby (isp2, {@code metered: true}) on the real kernel: idle it is probed every 180 s, yet a cut of
 * isp1 still moves the LAN to it at once (the doubt on isp1 asks isp2's targets before the decision), and from
 * then on it is probed at the normal rate. The soak run measures the bytes on isp2's link while idle.
 */
class MeteredLabTest extends DaemonLabTest {

    /** Longer than the state file's refresh (5 s), so both byte counts are fresh. */
    private static final Duration WINDOW = Duration.ofSeconds(11);

    private Daemon meteredIsp2(Path tmp) {
        return Daemon.configure(lab, tmp, "3s",
                yaml -> yaml.replace("    interface: wan2\n", "    interface: wan2\n    metered: true\n"));
    }

    @Test
    void anIdleMeteredStandbyIsProbedRarelyButTakesOverAtOnceAfterACut(@TempDir Path tmp) throws Exception {
        daemon = meteredIsp2(tmp).start();
        daemon.awaitAllUp();
        Map<String, Object> idle = daemon.awaitState("isp2 idle on the metered schedule", Duration.ofSeconds(10),
                s -> projected(s, "isp2") < 20);
        double idleMb = projected(idle, "isp2");
        assertTrue(idleMb < 20, "idle metered projection " + idleMb + " MB/30 d");
        assertTrue(projected(idle, "isp1") > 100, "isp1 (not metered) keeps fast probing: " + projected(idle, "isp1"));
        long sentBefore = probeBytes(idle, "isp2");
        Daemon.sleep(WINDOW);
        long idleGrowth = probeBytes(daemon.stateNow(), "isp2") - sentBefore;

        long cutAt = System.nanoTime();
        lab.cut(1);
        Map<String, Object> after = daemon.awaitState("isp2 active after the cut", Duration.ofSeconds(10),
                s -> "isp2".equals(active(s)));
        long tookMs = (System.nanoTime() - cutAt) / 1_000_000;
        assertEquals("up", wan(after, "isp2").get("state"));
        long before = probeBytes(after, "isp2");
        Daemon.sleep(WINDOW);
        Map<String, Object> carrying = daemon.stateNow();
        long carryingGrowth = probeBytes(carrying, "isp2") - before;
        assertTrue(carryingGrowth > 4 * idleGrowth, "carrying: probed fast (" + carryingGrowth + " B vs "
                + idleGrowth + " B idle, in the same time)");
        assertTrue(projected(carrying, "isp2") > 100, "the projection follows the fast schedule: " + carrying);
        System.out.println("[it] metered standby: idle projection " + idleMb + " MB/30 d, " + idleGrowth
                + " probe bytes in " + WINDOW.toSeconds() + " s idle (" + carryingGrowth + " B carrying); after a cut of isp1 the LAN was on isp2 after " + tookMs
                + " ms (state file); carrying it costs " + projected(carrying, "isp2") + " MB/30 d");
    }

    /**
     * The bytes on isp2's link (both directions, as {@code ip -s link} counts them: frames with their Ethernet
     * header, ARP included) while it is an idle metered standby, projected to 30 days. Soak: 10 minutes, after 3 minutes of settling.
     */
    @Test
    @EnabledIfSystemProperty(named = "dualwan.soak", matches = "true")
    @Timeout(value = 18, unit = TimeUnit.MINUTES)
    void theIdleMeteredStandbysLinkCarriesUnderTwentyMegabytesPerThirtyDays(@TempDir Path tmp) throws Exception {
        daemon = meteredIsp2(tmp).start();
        daemon.awaitAllUp();
        daemon.awaitState("isp2 idle", Duration.ofSeconds(10), s -> projected(s, "isp2") < 20);
        Daemon.sleep(Duration.ofSeconds(190)); // the first idle round is behind us
        Duration window = Duration.ofMinutes(10);
        long[] start = linkBytes("wan2");
        long startProbe = probeBytes(daemon.stateNow(), "isp2");
        Daemon.sleep(window);
        long[] end = linkBytes("wan2");
        long probe = probeBytes(daemon.stateNow(), "isp2") - startProbe;
        long rx = end[0] - start[0];
        long tx = end[1] - start[1];
        double mb30 = (rx + tx) * (30.0 * 24 * 3600 / window.toSeconds()) / 1e6;
        System.out.println("[it] idle metered standby, " + window.toMinutes() + " min on wan2's link: rx " + rx
                + " B, tx " + tx + " B (the daemon counted " + probe + " B of probes) = " + Math.round(mb30 * 10) / 10.0
                + " MB per 30 days");
        assertTrue(mb30 <= 20, mb30 + " MB per 30 days");
    }

    private static double projected(Map<String, Object> s, String name) {
        return ((Number) wan(s, name).get("probe_mb_per_30d")).doubleValue();
    }

    private static long probeBytes(Map<String, Object> s, String name) {
        return ((Number) wan(s, name).get("probe_bytes")).longValue();
    }

    /** rx and tx bytes of a link in rtr, from {@code ip -j -s link}. */
    @SuppressWarnings("unchecked")
    private static long[] linkBytes(String dev) throws Exception {
        var r = lab.exec("rtr", "ip", "-j", "-s", "link", "show", "dev", dev);
        assertTrue(r.ok(), r.stderr());
        Map<String, Object> link = (Map<String, Object>) ((List<Object>) JSON.std.anyFrom(r.stdout())).getFirst();
        Map<String, Object> stats = (Map<String, Object>) link.get("stats64");
        long rx = ((Number) ((Map<String, Object>) stats.get("rx")).get("bytes")).longValue();
        long tx = ((Number) ((Map<String, Object>) stats.get("tx")).get("bytes")).longValue();
        return new long[] {rx, tx};
    }
}
