package dualwan.it;

import static dualwan.it.NatFlushTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.lab.Lab;
import dualwan.labtools.UdpGapReport;
import dualwan.labtools.UdpGapReport.Arrival;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Routing-mark policies and weighted balancing on a real kernel, and the table across a restart. */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class PolicyTest extends DaemonLabTest {

    static final String OPPOSITE = """
            policies:
              - name: toISP1
                match:
                  protocol: udp
                  ports: [6001]
                order: [isp1, isp2]
              - name: toISP2
                match:
                  protocol: udp
                  ports: [6002]
                order: [isp2, isp1]
            """;

    static final String WEIGHTED = """
            policies:
              - name: spread
                match:
                  sources: [100.64.10.0/24]
                  protocol: udp
                  ports: [7000]
                balance:
                  isp1: 2
                  isp2: 1
            """;

    /** Sends one datagram every 100 ms from a fixed source port to 203.0.113.100:port for 60 s. */
    private static Process flow(Path tmp, int port) {
        return lab.spawn("lan", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab), "dualwan.labtools.UdpSender",
                "--to", "203.0.113.100:" + port, "--every", "100ms", "--count", "600", "--source-port",
                Integer.toString(port)), tmp.resolve("flow-" + port + ".out"));
    }

    /** Waits (up to 5 s) until the newest datagram in the sink log comes from {@code source}. */
    private static void awaitSource(Path log, String source, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            List<Arrival> all = UdpGapReport.read(log);
            last = all.isEmpty() ? null : all.getLast().source();
            if (source.equals(last)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + ": last datagram from " + last + ", expected " + source);
    }

    private Map<String, Object> awaitPolicy(String name, String uplink, Duration timeout) {
        return daemon.awaitState(name + " on " + uplink, timeout,
                s -> uplink.equals(policy(s, name).get("active")));
    }

    @Test
    void oppositePoliciesEachFailOverToTheOtherAndComeBack(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s", yaml -> yaml + OPPOSITE).start();
        daemon.awaitAllUp();
        awaitPolicy("toISP1", "isp1", Duration.ofSeconds(5));
        awaitPolicy("toISP2", "isp2", Duration.ofSeconds(5));
        Path log1 = tmp.resolve("6001.log");
        Path log2 = tmp.resolve("6002.log");
        Process sink1 = ItLabs.startSink(lab, tmp, log1, 6001, 90);
        Process sink2 = ItLabs.startSink(lab, tmp, log2, 6002, 90);
        Process flow1 = flow(tmp, 6001);
        Process flow2 = flow(tmp, 6002);
        try {
            awaitSource(log1, NatFlushTest.ISP1_ADDRESS, "toISP1 at start");
            awaitSource(log2, NatFlushTest.ISP2_ADDRESS, "toISP2 at start");

            lab.cut(1);
            awaitPolicy("toISP1", "isp2", Duration.ofSeconds(10));
            awaitSource(log1, NatFlushTest.ISP2_ADDRESS, "toISP1 after isp1 failed");
            awaitSource(log2, NatFlushTest.ISP2_ADDRESS, "toISP2 stays on isp2");
            lab.restore(1);
            awaitPolicy("toISP1", "isp1", Duration.ofSeconds(30));
            awaitSource(log1, NatFlushTest.ISP1_ADDRESS, "toISP1 back on isp1");

            lab.cut(2);
            awaitPolicy("toISP2", "isp1", Duration.ofSeconds(10));
            awaitSource(log2, NatFlushTest.ISP1_ADDRESS, "toISP2 after isp2 failed");
            awaitSource(log1, NatFlushTest.ISP1_ADDRESS, "toISP1 stays on isp1");
            lab.restore(2);
            Map<String, Object> s = awaitPolicy("toISP2", "isp2", Duration.ofSeconds(30));
            awaitSource(log2, NatFlushTest.ISP2_ADDRESS, "toISP2 back on isp2");
            assertEquals("isp1", s.get("active"), "traffic of no policy stayed on isp1 throughout");
            System.out.println("[it] opposite policies: both failed over and back; " + s.get("conntrack"));
        } finally {
            for (Process p : List.of(flow1, flow2, sink1, sink2)) {
                p.destroyForcibly();
            }
        }
    }

    /** conntrack entries in rtr with this connection mark, by the LAN client's source port. */
    private static Set<String> entriesWithMark(String mark) {
        Lab.Result r = lab.exec("rtr", "conntrack", "-L", "-p", "udp", "--mark", mark);
        Set<String> ports = new HashSet<>();
        Matcher m = Pattern.compile("src=100\\.64\\.10\\.2 dst=203\\.0\\.113\\.100 sport=(\\d+) dport=7000").matcher(r.stdout());
        while (m.find()) {
            ports.add(m.group(1));
        }
        return ports;
    }

    private static Map<String, Long> sendNewConnections(Path tmp, Path log, int count) throws Exception {
        long before = UdpGapReport.read(log).size();
        Process p = lab.spawn("lan", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab), "dualwan.labtools.UdpSender",
                "--to", "203.0.113.100:7000", "--every", "5ms", "--count", Integer.toString(count),
                "--source-port", "new"), tmp.resolve("new-" + count + ".out"));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "sender did not finish");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<Arrival> all = UdpGapReport.read(log);
        while (all.size() < before + count && System.nanoTime() < deadline) {
            Thread.sleep(100);
            all = UdpGapReport.read(log);
        }
        Map<String, Long> bySource = new java.util.TreeMap<>();
        all.subList((int) before, all.size()).forEach(a -> bySource.merge(a.source(), 1L, Long::sum));
        return bySource;
    }

    @Test
    void weightsSplitNewConnectionsAndAFailureMovesOnlyTheDeadUplinksFlows(@TempDir Path tmp) throws Exception {
        // Unreplied UDP entries live 30 s by default; this test must still see them after the failover.
        lab.exec("rtr", "sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout=300");
        daemon = Daemon.configure(lab, tmp, "3s", yaml -> yaml + WEIGHTED).start();
        daemon.awaitAllUp();
        daemon.awaitState("spread over both", Duration.ofSeconds(10),
                s -> List.of("isp1", "isp2").equals(policy(s, "spread").get("uplinks")));
        Path log = tmp.resolve("7000.log");
        Process sink = ItLabs.startSink(lab, tmp, log, 7000, 90);
        try {
            Map<String, Long> split = sendNewConnections(tmp, log, 300);
            long viaIsp1 = split.getOrDefault(NatFlushTest.ISP1_ADDRESS, 0L);
            long viaIsp2 = split.getOrDefault(NatFlushTest.ISP2_ADDRESS, 0L);
            double share1 = viaIsp1 / 300.0;
            System.out.printf("[it] weights 2:1 over 300 new connections: isp1 %d (%.1f %%), isp2 %d (%.1f %%)%n",
                    viaIsp1, 100 * share1, viaIsp2, 100.0 * viaIsp2 / 300);
            assertEquals(300, viaIsp1 + viaIsp2, "every connection arrived: " + split);
            assertTrue(Math.abs(share1 - 2.0 / 3) <= 0.10 * 2 / 3, "isp1's share " + share1 + " is not 2/3 ± 10 %");

            // Two sockets in a row may get the same ephemeral port: one connection, two datagrams.
            Set<String> onIsp2 = entriesWithMark("0x102");
            assertTrue(onIsp2.size() > 0.9 * viaIsp2 && onIsp2.size() <= viaIsp2, "isp2's flows: " + onIsp2.size());
            assertTrue(entriesWithMark("0x101").size() > 0.9 * viaIsp1, "isp1's flows");

            lab.cut(1);
            daemon.awaitState("spread only on isp2", Duration.ofSeconds(10),
                    s -> List.of("isp2").equals(policy(s, "spread").get("uplinks")));
            Map<String, Long> after = sendNewConnections(tmp, log, 30);
            System.out.println("[it] isp1 down: 30 new connections went " + after);
            assertEquals(Map.of(NatFlushTest.ISP2_ADDRESS, 30L), after, "all new connections on isp2");

            Set<String> stillOnIsp2 = entriesWithMark("0x102");
            assertTrue(stillOnIsp2.containsAll(onIsp2), "a flow on the healthy uplink was flushed: "
                    + onIsp2.size() + " before, " + stillOnIsp2.size() + " after");
            assertEquals(Set.of(), entriesWithMark("0x101"), "isp1's flows were flushed");
            System.out.println("[it] after isp1 failed: all " + onIsp2.size() + " entries of isp2's flows still there");
        } finally {
            sink.destroyForcibly();
            lab.exec("rtr", "sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout=30");
        }
    }

    @Test
    void aStickySourceKeepsItsUplinkForNewConnections(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s", yaml -> yaml + WEIGHTED.replace("isp1: 2", "isp1: 1")
                + "    sticky: 1m\n").start();
        daemon.awaitAllUp();
        daemon.awaitState("spread over both", Duration.ofSeconds(10),
                s -> List.of("isp1", "isp2").equals(policy(s, "spread").get("uplinks")));
        Path log = tmp.resolve("7000.log");
        Process sink = ItLabs.startSink(lab, tmp, log, 7000, 60);
        try {
            Map<String, Long> split = sendNewConnections(tmp, log, 40);
            System.out.println("[it] sticky 1:1, 40 new connections from one client: " + split);
            assertEquals(1, split.size(), "one source address, one uplink (the weights test, not sticky, spreads"
                    + " the same client): " + split);
        } finally {
            sink.destroyForcibly();
        }
    }

    @Test
    void restartWithTheTableInPlaceLeavesOneTableWithTheSameRules(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s", yaml -> yaml + OPPOSITE + WEIGHTED.replace("policies:\n", "")).start();
        daemon.awaitAllUp();
        awaitPolicy("toISP2", "isp2", Duration.ofSeconds(5));
        Daemon.sleep(Duration.ofSeconds(1));
        String before = Daemon.ok(lab.exec("rtr", "nft", "-t", "-s", "list", "ruleset"));
        assertTrue(before.contains("comment \"toISP2 via isp2\""), before);
        daemon.close();
        daemon.startKeepingState();
        daemon.awaitAllUp();
        Daemon.sleep(Duration.ofSeconds(2));
        String after = Daemon.ok(lab.exec("rtr", "nft", "-t", "-s", "list", "ruleset"));
        assertEquals(1, after.split("table inet dualwan \\{", -1).length - 1, after);
        assertEquals(before, after, "the same rules after the restart");
        String secondRun = daemon.log().substring(daemon.log().lastIndexOf("starting: active uplink"));
        assertFalse(secondRun.contains("nftables table inet dualwan"), "the identical table was replaced:\n" + secondRun);
        System.out.println("[it] restart: one table inet dualwan, identical, not re-applied");

        Lab.Result plan = daemon.oneShot("plan");
        assertTrue(plan.stdout().contains("# the nftables table is in place"), plan::toString);
    }

    @Test
    void aBadPolicyIsRefusedAndChangesNothing(@TempDir Path tmp) {
        Daemon bad = Daemon.configure(lab, tmp, "3s", yaml -> yaml + """
                policies:
                  - name: voip
                    match:
                      sources: [100.64.10.0/33]
                    order: [isp3]
                """);
        Lab.Result r = bad.oneShot("run");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("dualwan.yaml:22: policies[0].match.sources[0]"), r.stderr());
        assertTrue(r.stderr().contains("dualwan.yaml:23: policies[0].order[0]: unknown uplink 'isp3'"), r.stderr());
        assertFalse(lab.exec("rtr", "nft", "list", "table", "inet", "dualwan").ok(), "no table was made");
        Lab.Result plan = Daemon.configure(lab, tmp, "3s", yaml -> yaml + OPPOSITE).oneShot("plan");
        assertTrue(plan.stdout().contains("ct mark set 0x100 return comment \"toISP1\""), plan::toString);
        assertFalse(lab.exec("rtr", "nft", "list", "table", "inet", "dualwan").ok(), "plan made no table");
    }
}
