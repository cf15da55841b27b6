package dualwan.health;

import dualwan.model.Verdict;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.model.ProbeResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timelines on a fake clock with the default-like settings of {@link TestConfigs}. */
class MonitorTest {

    private final Config config = TestConfigs.twoWans();
    private FakeNet net;

    @BeforeEach
    void start() {
        net = new FakeNet(new Monitor(config, FakeNet.T0));
        net.run(Duration.ofSeconds(5));
    }

    @Test
    void bothUplinksAreUpAfterStartUp() {
        assertEquals(Verdict.UP, net.verdict("isp1"));
        assertEquals(Verdict.UP, net.verdict("isp2"));
    }

    @Test
    void healthyTargetsAreProbedOncePerIntervalOnSpreadPhases() {
        Instant from = net.now;
        net.run(Duration.ofSeconds(10));
        for (String h : new String[]{"192.0.2.1", "198.51.100.1", "100.64.1.1"}) {
            assertEquals(10, net.sentTo(ip(h), from, net.now), h);
        }
        long distinctPhases = net.sent.stream().filter(s -> !s.at().isBefore(from) && s.device().equals("wan1"))
                .map(s -> s.at().toEpochMilli() % 1000).distinct().count();
        assertEquals(4, distinctPhases, "gateway and three hosts each on their own phase");
    }

    @Test
    void oneMissMakesTheUplinksHostsProbeFastUntilTheyAnswer() {
        net.kill("wan1", ip("192.0.2.1"));
        Instant from = net.now;
        net.run(Duration.ofSeconds(3));
        assertEquals(Verdict.UP, net.verdict("isp1"), "one dead host is not a dead uplink");
        assertEquals(Verdict.DOWN, net.monitor.snapshot(net.now).uplinks().get("isp1").hosts().get(ip("192.0.2.1")).verdict());
        assertTrue(net.sentTo(ip("192.0.2.1"), from, net.now) >= TestConfigs.DOWN_AFTER, "the doubtful host was confirmed fast");
        Instant firstToDead = net.sent.stream().filter(x -> !x.at().isBefore(from)
                && x.target().equals(ip("192.0.2.1"))).findFirst().orElseThrow().at();
        // its miss is known 100 ms later (the timeout of a 10 ms target); the siblings are probed right then
        assertTrue(net.sentTo(ip("198.51.100.1"), firstToDead, firstToDead.plusMillis(150)) >= 1,
                "its siblings were checked at once too");
        Instant later = net.now;
        net.run(Duration.ofSeconds(10));
        assertEquals(10, net.sentTo(ip("192.0.2.1"), later, net.now), "a down host is probed at the normal rate");
        assertEquals(10, net.sentTo(ip("198.51.100.1"), later, net.now), "siblings are back to the normal rate");
    }

    @Test
    void aGatewayThatStopsAnsweringWhileTheHostsAnswerIsNoDeadUplink() {
        net.kill("wan1", ip("100.64.1.1"));
        Instant from = net.now;
        net.run(Duration.ofSeconds(3));
        assertEquals(Verdict.UP, net.verdict("isp1"), "the hosts answer through it: it forwards");
        assertEquals("3 of 3 hosts answer (gateway not answering)",
                net.monitor.snapshot(net.now).uplinks().get("isp1").reason());
        assertTrue(net.sentTo(ip("192.0.2.1"), from, net.now) <= 5, "hosts are asked once, not confirmed fast");
    }

    @Test
    void aDeadGatewayWithSilentHostsIsADeadUplinkAtTheGatewaysPace() {
        net.kill("wan1", ip("100.64.1.1"));
        net.kill("wan1", ip("192.0.2.1"));
        net.kill("wan1", ip("198.51.100.1"));
        net.kill("wan1", ip("203.0.113.1"));
        Duration took = net.runUntil(() -> net.verdict("isp1") == Verdict.DOWN, Duration.ofSeconds(3));
        assertTrue(took.compareTo(Duration.ofSeconds(1)) <= 0, "took " + took);
    }

    @Test
    void totalLossIsDetectedWithinTwoSeconds() {
        net.killUplink("wan1");
        Duration took = net.runUntil(() -> net.verdict("isp1") == Verdict.DOWN, Duration.ofSeconds(5));
        assertTrue(took.compareTo(Duration.ofSeconds(2)) <= 0, "took " + took);
        assertEquals(Verdict.UP, net.verdict("isp2"));
    }

    @Test
    void allHostsDeadBehindALiveGatewayIsDown() {
        for (String h : new String[]{"192.0.2.1", "198.51.100.1", "203.0.113.1"}) {
            net.kill("wan1", ip(h));
        }
        net.run(Duration.ofSeconds(3));
        UplinkHealth u = net.monitor.snapshot(net.now).uplinks().get("isp1");
        assertEquals(Verdict.DOWN, u.verdict());
        assertEquals("0 of 3 hosts answer (need 1)", u.reason());
        assertEquals(Verdict.UP, u.gatewayHealth().orElseThrow().verdict());
    }

    @Test
    void quorumCountsHosts() {
        Config strict = TestConfigs.of(Duration.ofSeconds(30),
                TestConfigs.wan(1, TestConfigs.check(2, true, "192.0.2.1", "198.51.100.1", "203.0.113.1")));
        FakeNet n = new FakeNet(new Monitor(strict, FakeNet.T0));
        n.run(Duration.ofSeconds(3));
        n.kill("wan1", ip("192.0.2.1"));
        n.run(Duration.ofSeconds(3));
        assertEquals(Verdict.UP, n.verdict("isp1"), "2 of 3 still meet min-up 2");
        n.kill("wan1", ip("198.51.100.1"));
        n.run(Duration.ofSeconds(3));
        assertEquals(Verdict.DOWN, n.verdict("isp1"));
        assertEquals("1 of 3 hosts answer (need 2)", n.monitor.snapshot(n.now).uplinks().get("isp1").reason());
    }

    @Test
    void carrierLossIsDownAtOnceAndStopsProbing() {
        net.monitor.setLink("isp1", LinkState.NO_CARRIER, net.now);
        assertEquals(Verdict.DOWN, net.verdict("isp1"));
        assertEquals("no carrier", net.monitor.snapshot(net.now).uplinks().get("isp1").reason());
        Instant from = net.now;
        net.run(Duration.ofSeconds(3));
        assertEquals(0, net.sentTo(ip("192.0.2.1"), from, net.now));
        net.monitor.setLink("isp1", LinkState.CARRIER, net.now);
        assertEquals(Verdict.UNKNOWN, net.verdict("isp1"), "verdicts from before the outage are forgotten");
        net.run(Duration.ofMillis(100));
        assertEquals(Verdict.UP, net.verdict("isp1"));
    }

    @Test
    void missingInterfaceAndUnknownGatewayAreReasons() {
        net.monitor.setLink("isp2", LinkState.MISSING, net.now);
        assertEquals("no interface", net.monitor.snapshot(net.now).uplinks().get("isp2").reason());
        net.monitor.setLink("isp2", LinkState.CARRIER, net.now);
        net.monitor.setGateway("isp2", Optional.empty(), net.now);
        assertEquals("no gateway", net.monitor.snapshot(net.now).uplinks().get("isp2").reason());
        Instant from = net.now;
        net.run(Duration.ofSeconds(2));
        assertEquals(0, net.sentTo(ip("192.0.2.2"), from, net.now), "nothing to route probes through");
    }

    @Test
    void resultsOfProbesSentBeforeAResetAreIgnored() {
        Monitor m = new Monitor(config, FakeNet.T0);
        var first = m.due(FakeNet.T0);
        m.setLink("isp1", LinkState.NO_CARRIER, FakeNet.T0);
        m.setLink("isp1", LinkState.CARRIER, FakeNet.T0);
        first.stream().filter(r -> r.device().equals("wan1"))
                .forEach(r -> m.onResult(new ProbeResult(r.id(), true, Duration.ofMillis(5), "ok"), FakeNet.T0));
        assertEquals(Verdict.UNKNOWN, m.snapshot(FakeNet.T0).verdict("isp1"));
    }

    @Test
    void aProbeThatNeverReportsCountsAsAMiss() {
        Monitor m = new Monitor(config, FakeNet.T0);
        m.due(FakeNet.T0);
        Instant later = FakeNet.T0.plusSeconds(4);
        m.due(later);
        UplinkHealth u = m.snapshot(later).uplinks().get("isp1");
        assertEquals(1, u.hosts().get(ip("192.0.2.1")).misses());
        assertFalse(u.up());
    }
}
