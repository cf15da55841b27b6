package dualwan.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dualwan.labtools.UdpGapReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Proves the lab topology and every fault of scripts/lab with real packets. */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class LabSmokeTest {
    private static Lab lab;

    @BeforeAll
    static void up() {
        assumeTrue(Lab.available(), "lab needs root, ip and nft");
        lab = Lab.start(env -> env.put("LAB_NAT", "1")); // no daemon here to do the NAT
    }

    @AfterAll
    static void teardown() {
        if (lab != null) {
            lab.close();
            Lab.Result r = Lab.runArgv(List.of("ip", "netns", "list"), Duration.ofSeconds(10), e -> {});
            assertFalse(r.stdout().contains(lab.prefix() + "-"), "namespaces left behind:\n" + r.stdout());
        }
    }

    @AfterEach
    void heal() {
        lab.heal();
    }

    private static boolean ping(String wan, String addr) {
        return lab.exec("rtr", "ping", "-n", "-c", "1", "-W", "1", "-I", wan, addr).ok();
    }

    /** After a link comes back, neighbours are resolved again: allow up to 3 tries before calling it dead. */
    private static boolean pingSoon(String wan, String addr) {
        for (int i = 0; i < 3; i++) {
            if (ping(wan, addr)) {
                return true;
            }
        }
        return false;
    }

    private static boolean lanPing(String addr) {
        return lab.exec("lan", "ping", "-n", "-c", "1", "-W", "1", addr).ok();
    }

    @Test
    void lanClientReachesInternetThroughNat() {
        assertTrue(lanPing("203.0.113.1"), lab::status);
        assertTrue(ping("wan1", "198.51.100.2"));
        assertTrue(ping("wan2", "198.51.100.2"));
    }

    @Test
    void antiSpoofDropsUnmasqueradedLanTraffic() {
        Lab.Result flush = lab.exec("rtr", "nft", "flush", "chain", "ip", "labnat", "masq");
        assertTrue(flush.ok(), flush::toString);
        try {
            assertFalse(lanPing("203.0.113.1"), "ISP1 must drop sources other than 100.64.1.2");
        } finally {
            Lab.Result add = lab.exec("rtr", "nft", "add", "rule", "ip", "labnat", "masq",
                    "ip", "saddr", "100.64.10.0/24", "oifname", "{", "wan1,", "wan2", "}", "masquerade");
            assertTrue(add.ok(), add::toString);
        }
        assertTrue(lanPing("203.0.113.1"));
    }

    @Test
    void killHostIsPerIsp() {
        lab.killHost(1, "192.0.2.1");
        lab.killHost(1, "192.0.2.1"); // idempotent
        assertFalse(ping("wan1", "192.0.2.1"));
        assertTrue(ping("wan2", "192.0.2.1"));
        assertTrue(ping("wan1", "192.0.2.2"), "only the killed host is affected");
        lab.restore(1);
        assertTrue(ping("wan1", "192.0.2.1"));
    }

    @Test
    void cutKeepsGatewayButLosesInternet() {
        lab.cut(1);
        lab.cut(1);
        assertTrue(ping("wan1", "100.64.1.1"));
        assertFalse(ping("wan1", "192.0.2.1"));
        assertTrue(ping("wan2", "192.0.2.1"));
        lab.restore(1);
        assertTrue(ping("wan1", "192.0.2.1"), "restore must bring the upstream and its route back");
    }

    @Test
    void blackholeKeepsGatewayButForwardsNothing() {
        lab.blackhole(1);
        lab.blackhole(1);
        assertTrue(ping("wan1", "100.64.1.1"));
        assertFalse(ping("wan1", "203.0.113.2"));
        assertTrue(ping("wan2", "203.0.113.2"));
        lab.restore(1);
        assertTrue(ping("wan1", "203.0.113.2"));
    }

    @Test
    void silentGatewayStillForwards() {
        lab.gatewaySilent(1);
        lab.gatewaySilent(1);
        assertFalse(ping("wan1", "100.64.1.1"));
        assertTrue(ping("wan1", "192.0.2.3"));
        lab.restore(1);
        assertTrue(ping("wan1", "100.64.1.1"));
    }

    @Test
    void carrierOffShowsNoCarrierOnRouter() {
        lab.carrier(1, false);
        lab.carrier(1, false);
        String link = lab.exec("rtr", "ip", "-o", "link", "show", "wan1").stdout();
        assertTrue(link.contains("NO-CARRIER"), link);
        String oper = lab.exec("rtr", "cat", "/sys/class/net/wan1/operstate").stdout().trim();
        assertEquals("down", oper);
        assertFalse(ping("wan1", "100.64.1.1"));
        lab.carrier(1, true);
        String link2 = lab.exec("rtr", "ip", "-o", "link", "show", "wan1").stdout();
        assertFalse(link2.contains("NO-CARRIER"), link2);
        assertTrue(pingSoon("wan1", "100.64.1.1"));
        assertTrue(pingSoon("wan1", "192.0.2.1"));
    }

    @Test
    void lossDropsAPlausibleShare() {
        lab.loss(1, 50);
        lab.loss(1, 50);
        // Ping the gateway: only the request crosses a loss rule (input), so ~50 % are lost.
        Lab.Result r = lab.exec("rtr", Duration.ofSeconds(20),
                "ping", "-n", "-q", "-c", "40", "-i", "0.05", "-W", "1", "-I", "wan1", "100.64.1.1");
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(r.stdout());
        assertTrue(m.find(), r::toString);
        assertEquals(40, Integer.parseInt(m.group(1)));
        int lost = 40 - Integer.parseInt(m.group(2));
        assertTrue(lost >= 5 && lost <= 35, "lost " + lost + " of 40");
        lab.loss(1, 0);
        Lab.Result clean = lab.exec("rtr", Duration.ofSeconds(20),
                "ping", "-n", "-q", "-c", "20", "-i", "0.05", "-W", "1", "-I", "wan1", "100.64.1.1");
        assertTrue(clean.stdout().contains(" 0% packet loss"), clean::toString);
    }

    @Test
    void countersCountOnlyTheirIsp() {
        lab.countStart(2, "probe2", "192.0.2.1");
        lab.countStart(1, "probe1", "192.0.2.1");
        assertEquals(0, lab.countRead(2, "probe2"));
        assertTrue(ping("wan2", "192.0.2.1"));
        assertTrue(lab.countRead(2, "probe2") >= 1);
        assertEquals(0, lab.countRead(1, "probe1"), "a probe via wan2 must not cross ISP1");
        assertTrue(ping("wan1", "192.0.2.2"));
        assertEquals(0, lab.countRead(1, "probe1"), "other destinations are not counted");
        lab.countStart(2, "probe2", "192.0.2.1"); // restart resets
        assertEquals(0, lab.countRead(2, "probe2"));
    }

    @Test
    void udpToolsMeasureAFlowThroughNat(@TempDir Path tmp) throws Exception {
        Path sinkLog = tmp.resolve("sink.log");
        Path out = tmp.resolve("sink.out");
        Files.createFile(out);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = lab.root().resolve("target").resolve("test-classes") + ":" + lab.root().resolve("target").resolve("classes");
        Process sink = lab.spawn("inet", List.of(java, "-cp", cp, "dualwan.labtools.UdpSink",
                "--bind", "203.0.113.100:9000", "--out", sinkLog.toString(), "--max-seconds", "30"), out);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!Files.readString(out).contains("listening") && System.nanoTime() < deadline) {
                assertTrue(sink.isAlive(), () -> "sink died: " + readQuietly(out));
                Thread.sleep(50);
            }
            assertTrue(Files.readString(out).contains("listening"), "sink did not start");
            Lab.Result send = lab.exec("lan", Duration.ofSeconds(30), java, "-cp", cp,
                    "dualwan.labtools.UdpSender", "--to", "203.0.113.100:9000", "--every", "20ms",
                    "--count", "50", "--source-port", "5060");
            assertTrue(send.ok(), send::toString);
            Thread.sleep(300);
        } finally {
            sink.destroy();
            sink.waitFor();
        }
        UdpGapReport.Report r = UdpGapReport.analyze(sinkLog);
        assertEquals(50, r.datagrams(), () -> readQuietly(out));
        assertEquals(0, r.lost());
        assertEquals(0, r.lostOf(50));
        assertEquals("100.64.1.2", r.firstSource());
        assertEquals(List.of(), r.sourceChanges());
        System.out.println("[lab] 50 datagrams through the lab's NAT: max gap " + r.maxGapMillis() + " ms");
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }
}
