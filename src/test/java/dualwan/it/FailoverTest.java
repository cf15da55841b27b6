package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.lanDefaultDev;
import static dualwan.it.Daemon.wan;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.labtools.UdpGapReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Whole-uplink failures: upstream cut, blackholed ISP, dead gateway. */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class FailoverTest extends DaemonLabTest {
    static final String HOLD = "3s";
    static final long HOLD_MS = 3000;

    @Test
    void upstreamCutMovesLanFlowToIsp2AndFailsBackAfterHold(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, HOLD).start();
        daemon.awaitAllUp();
        // The state file may show the first choice a moment before the kernel worker has applied it.
        daemon.awaitState("the first choice applied", Duration.ofSeconds(10),
                st -> st.get("kernel") instanceof Map<?, ?> k && "in_sync".equals(k.get("state")));
        assertEquals("wan1", lanDefaultDev(lab));

        Path sinkLog = tmp.resolve("sink.log");
        Process sink = ItLabs.startSink(lab, tmp, sinkLog);
        // 10 s of 20 ms datagrams, one flow (fixed source port) from the LAN client.
        Process sender = lab.spawn("lan", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab),
                "dualwan.labtools.UdpSender", "--to", "203.0.113.100:9000", "--every", "20ms",
                "--count", "500", "--source-port", "5061"), tmp.resolve("sender.out"));
        // The failover's length from kernel timestamps on one clock (ip -ts monitor): the ISP's upstream link going
        // down, and the LAN table's new default. Neither the test's polling nor its scheduling is in it.
        Path ispLinks = tmp.resolve("isp1-links.txt");
        Path lanRoutes = tmp.resolve("rtr-routes.txt");
        Process linkMonitor = lab.spawn("isp1", List.of("ip", "-ts", "monitor", "link"), ispLinks);
        Process routeMonitor = lab.spawn("rtr", List.of("ip", "-ts", "monitor", "route"), lanRoutes);
        Thread.sleep(2000);
        long cutAt = System.nanoTime();
        lab.cut(1);
        Map<String, Object> s = daemon.awaitState("active isp2 after cutting isp1's upstream",
                Duration.ofSeconds(10), st -> "isp2".equals(active(st)));
        long failoverMs = (System.nanoTime() - cutAt) / 1_000_000;
        System.out.println("[it] cut isp1: state switched to isp2 after " + failoverMs + " ms");
        assertEquals("down", wanState(s, "isp1"));
        assertEquals("wan2", lanDefaultDev(lab), "table 200 must now point at wan2");
        for (Process p : List.of(linkMonitor, routeMonitor)) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        CarrierTimingTest.Event cut = CarrierTimingTest.events(ispLinks,
                l -> l.contains(" upl@") && !l.contains(",UP")).getFirst();
        CarrierTimingTest.Event moved = CarrierTimingTest.events(lanRoutes,
                l -> l.startsWith("default via 100.64.2.1 dev wan2 table 200")).stream()
                .filter(e -> !e.at().isBefore(cut.at())).findFirst()
                .orElseThrow(() -> new AssertionError("no LAN route to wan2 after the cut: " + ItLabs.read(lanRoutes)));
        long kernelMs = java.time.temporal.ChronoUnit.MILLIS.between(cut.at(), moved.at());
        System.out.println("[it] cut isp1 -> LAN table on wan2 after " + kernelMs + " ms (kernel timestamps)");
        // The README's promise: under two seconds from the cut to the LAN's new route.
        assertTrue(kernelMs < 2000, "failover took " + kernelMs + " ms from the cut to the LAN route (kernel)");

        assertTrue(sender.waitFor(20, TimeUnit.SECONDS), "sender did not finish");
        Thread.sleep(300);
        sink.destroy();
        sink.waitFor(5, TimeUnit.SECONDS);
        UdpGapReport.Report r = UdpGapReport.analyze(sinkLog);
        System.out.println("[it] LAN UDP flow across the failover: max gap " + r.maxGapMillis() + " ms, lost "
                + r.lostOf(500) + " of 500, sources " + r.sources());
        assertEquals("100.64.1.2", r.firstSource(), "flow starts on isp1");
        assertEquals("100.64.2.2", r.lastSource(),
                "the LAN flow must leave via ISP2 after the failover; sources " + r.sources()
                        + " (last seq " + r.lastSeq() + ")");
        // The gap is printed; the 2 s is asserted above from kernel timestamps (the flow's gap adds the sender's and
        // sink's scheduling on a busy machine).

        // Restore: isp1 must come back only after the hold.
        long restoredAt = System.nanoTime();
        lab.restore(1);
        long isp1UpAt = -1;
        long deadline = restoredAt + Duration.ofSeconds(30).toNanos();
        Map<String, Object> last = null;
        while (System.nanoTime() < deadline) {
            last = daemon.stateNow();
            long now = System.nanoTime();
            if (isp1UpAt < 0 && "up".equals(wanState(last, "isp1"))) {
                isp1UpAt = now;
            }
            if ("isp1".equals(active(last))) {
                break;
            }
            Thread.sleep(100);
        }
        long backAt = System.nanoTime();
        assertEquals("isp1", active(last), "no failback within 30 s of restore: " + last);
        assertTrue(isp1UpAt > 0, "isp1 never seen up before the failback: " + last);
        long afterUpMs = (backAt - isp1UpAt) / 1_000_000;
        long afterRestoreMs = (backAt - restoredAt) / 1_000_000;
        System.out.println("[it] restore isp1: up after " + (isp1UpAt - restoredAt) / 1_000_000
                + " ms, failback " + afterUpMs + " ms after up (hold " + HOLD_MS + " ms)");
        assertTrue(afterUpMs >= HOLD_MS - 1000, "failed back " + afterUpMs + " ms after isp1 was up, hold is "
                + HOLD_MS);
        assertTrue(afterUpMs <= HOLD_MS + 5000, "failback took " + afterUpMs + " ms after isp1 was up");
        assertTrue(afterRestoreMs >= HOLD_MS - 1000, "failed back " + afterRestoreMs + " ms after restore");
        assertEquals("wan1", lanDefaultDev(lab), "table 200 back on wan1");
        assertEquals(2, Daemon.switches(last), "exactly two switches: " + last);
    }

    @Test
    void carrierLossSwitchesOnTheLinkEventNotOnProbeTimeouts(@TempDir Path tmp) {
        // Probes alone conclude in 0.5-0.8 s at defaults, as fast as a link event on a loaded machine: 30 misses
        // in a row (about 1.6 s) keep them out of this race, so the test sees the event path alone.
        daemon = Daemon.configure(lab, tmp, HOLD, y -> {
            String slow = y.replace("      hosts: [192.0.2.1, 198.51.100.1, 203.0.113.1]\n",
                    "      hosts: [192.0.2.1, 198.51.100.1, 203.0.113.1]\n      down-after: 30\n");
            assertNotEquals(y, slow, "scripts/lab.yaml changed: isp1's hosts line not found");
            return slow;
        }).start();
        daemon.awaitAllUp();
        Daemon.sleep(Duration.ofSeconds(3)); // past start-up's own burst of route events and re-reads
        long cutAt = System.nanoTime();
        lab.carrier(1, false);
        Map<String, Object> s = daemon.awaitState("active isp2 after isp1 lost carrier", Duration.ofSeconds(10),
                st -> "isp2".equals(active(st)));
        long tookMs = (System.nanoTime() - cutAt) / 1_000_000;
        System.out.println("[it] carrier loss -> isp2 active in the state file after " + tookMs + " ms");
        // Probes would have said "gateway not answering" or "0 of 3 hosts", and cannot conclude in under ~1.6 s;
        // the 10 s safety poll would rarely land this early. A wide margin: the event path takes ~0.1 s.
        assertEquals("failover: isp1 no carrier", s.get("reason"), "switched for another reason: " + s);
        // The reason is the property (the link event, not probes); the time is printed (CarrierTimingTest measures
        // it from kernel timestamps).
        assertEquals("wan2", lanDefaultDev(lab));
        lab.carrier(1, true);
        daemon.awaitState("isp1 judged again after carrier returns", Duration.ofSeconds(10),
                st -> "up".equals(wanState(st, "isp1")));
    }

    @Test
    void blackholedIspWithLiveGatewayFailsOver(@TempDir Path tmp) {
        daemon = Daemon.configure(lab, tmp, HOLD).start();
        daemon.awaitAllUp();
        lab.blackhole(1);
        Map<String, Object> s = daemon.awaitState("active isp2 after blackholing isp1", Duration.ofSeconds(10),
                st -> "isp2".equals(active(st)));
        Map<String, Object> w = wan(s, "isp1");
        assertEquals("down", w.get("state"), s::toString);
        assertEquals("up", w.get("gateway_state"), "the gateway still answers: " + s);
        assertTrue(String.valueOf(w.get("reason")).contains("host"), "reason about hosts: " + w.get("reason"));
        assertEquals("up", wanState(s, "isp2"));
        assertEquals("wan2", lanDefaultDev(lab));
        assertTrue(lab.exec("lan", "ping", "-n", "-c", "1", "-W", "2", "203.0.113.3").ok(),
                "LAN reaches the internet via isp2");
    }

    @Test
    void deadGatewayGetsNoProbesThroughTheOtherIsp(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, HOLD).start();
        daemon.awaitAllUp();
        lab.countStart(2, "leak", "192.0.2.1", "198.51.100.1", "203.0.113.1", "100.64.1.1");
        lab.countStart(2, "ctl", "192.0.2.2", "198.51.100.2", "203.0.113.2");
        lab.blackhole(1);
        lab.gatewaySilent(1);
        Map<String, Object> s = daemon.awaitState("active isp2 after killing isp1's gateway",
                Duration.ofSeconds(10), st -> "isp2".equals(active(st)));
        assertEquals("down", wanState(s, "isp1"));
        Thread.sleep(10_000);
        s = daemon.stateNow();
        assertEquals("isp2", active(s));
        assertEquals("down", wanState(s, "isp1"));
        assertEquals("down", wan(s, "isp1").get("gateway_state"), "gateway must be judged down: " + s);
        long ctl = lab.countRead(2, "ctl");
        long leak = lab.countRead(2, "leak");
        System.out.println("[it] dead gateway: leak counter " + leak + ", control counter " + ctl);
        assertTrue(ctl > 0, "control counter must see isp2's own probes");
        assertEquals(0, leak, "probes for isp1's hosts/gateway leaked through ISP2");
        assertFalse(Files.readString(tmp.resolve("state.json")).isEmpty());
    }
}
