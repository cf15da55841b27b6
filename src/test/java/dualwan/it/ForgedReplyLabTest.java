package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host on ISP1's path ({@link dualwan.labtools.EchoForger} in the isp1 namespace) forges echo replies for
 * ISP1's probe hosts while they are dead: the live request's ids with another payload, the exact reply from
 * another host, the exact reply sent round through ISP2 (another socket), replays of older requests, predicted
 * and random ids. ISP1 still goes down and the LAN fails over to ISP2. Positive control: a counter in rtr
 * sees the forgeries arrive on wan1 and wan2. The forger also reports what it sniffed: sequence numbers that
 * follow each other and payloads that repeat (a counter would give both).
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class ForgedReplyLabTest extends DaemonLabTest {
    static final List<String> ISP1_HOSTS = List.of("192.0.2.1", "198.51.100.1", "203.0.113.1");
    static final List<String> KINDS =
            List.of("wrong_payload", "wrong_source", "other_socket", "replayed", "predicted", "guessed");

    @Test
    void forgedEchoRepliesDoNotKeepADeadUplinkUp(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        String hosts = String.join(", ", ISP1_HOSTS);
        Path rules = tmp.resolve("count.nft");
        Files.writeString(rules, """
                table inet labforged {
                    counter via_wan1 {}
                    counter via_wan2 {}
                    counter wan2_delivered {}
                    chain pre {
                        type filter hook prerouting priority -350; policy accept;
                        iifname "wan1" ip saddr { %s } icmp type echo-reply counter name "via_wan1"
                        iifname "wan2" ip saddr { %s } icmp type echo-reply counter name "via_wan2"
                    }
                    chain in {
                        type filter hook input priority 350; policy accept;
                        iifname "wan2" ip saddr { %s } icmp type echo-reply counter name "wan2_delivered"
                    }
                }
                """.formatted(hosts, hosts, hosts));
        Path report = tmp.resolve("forger.txt");
        Process forger = null;
        try {
            Daemon.ok(lab.exec("rtr", "nft", "-f", rules.toString()));
            // The lab's internet forwards nothing and owns the hosts' addresses: let it carry forgeries with
            // those sources from isp1 to isp2.
            Daemon.ok(lab.exec("inet", "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.isp1.accept_local=1"));
            forger = lab.spawn("isp1", List.of(Daemon.java(), "--enable-native-access=ALL-UNNAMED", "-cp",
                    Daemon.labClasspath(lab), "dualwan.labtools.EchoForger", "--customer", "100.64.1.2",
                    "--other", "100.64.2.2", "--hosts", String.join(",", ISP1_HOSTS), "--seconds", "90",
                    "--report", report.toString(), "--replay-age", "5s"), tmp.resolve("forger.log"));
            // Requests sniffed while the hosts still answer: answered probes, replayed later.
            awaitReport(report, tmp, r -> r.get("sniffed") >= 12, "the forger sniffs isp1's probes");
            long before = counter("via_wan1");

            long killedAt = System.nanoTime();
            for (String h : ISP1_HOSTS) lab.killHost(1, h);
            Map<String, Object> s = daemon.awaitState("isp1 down and the LAN on isp2 despite the forger",
                    Duration.ofSeconds(45), st -> "isp2".equals(active(st)) && "down".equals(wanState(st, "isp1")));
            long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
            assertEquals("wan2", Daemon.lanDefaultDev(lab), "table 200 points at wan2");

            // It stays down while the forger goes on, past the late-reply horizon (4 s) of every probe.
            Map<String, Integer> seenAt = new HashMap<>();
            long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (System.nanoTime() < until) {
                Map<String, Object> now = daemon.stateNow();
                assertEquals("down", wanState(now, "isp1"), "isp1 came back up on forged replies: " + now);
                assertEquals("isp2", active(now), now::toString);
                Daemon.sleep(Daemon.POLL);
            }
            for (String h : ISP1_HOSTS) {
                assertEquals("down", Daemon.host(daemon.stateNow(), "isp1", h).get("state"), h);
            }
            assertTrue(lab.exec("lan", "ping", "-n", "-c", "1", "-W", "2", "203.0.113.3").ok(),
                    "the LAN reaches the internet through isp2");

            Map<String, Long> r = readReport(report);
            long viaWan1 = counter("via_wan1") - before, viaWan2 = counter("via_wan2");
            long delivered = counter("wan2_delivered");
            System.out.println("[it] forged replies: isp1 down and the LAN on isp2 " + failoverMs
                    + " ms after its hosts died; the forger sent " + r + "; arrived at rtr after the kill: "
                    + viaWan1 + " on wan1, " + viaWan2 + " on wan2 (all; " + delivered + " passed rp_filter and input)");
            for (String kind : KINDS) assertTrue(r.get(kind) > 0, "the forger sent no " + kind + ": " + r);
            assertEquals(0L, r.get("send_errors"), r::toString);
            assertTrue(viaWan1 >= 100, "forged replies arriving on wan1 after the kill: " + viaWan1);
            assertTrue(viaWan2 > 0 && viaWan2 >= r.get("other_socket") / 2,
                    "forged replies through isp2: " + viaWan2 + " of " + r.get("other_socket"));
            assertTrue(delivered > 0, "the forgeries through isp2 reach rtr's sockets: " + delivered);
            // What the forger saw of the requests: no counter to predict from.
            long sniffed = r.get("sniffed");
            assertTrue(r.get("consecutive_seq") * 20 < sniffed, "sequence numbers follow each other: " + r);
            assertEquals(0L, r.get("repeated_payload"), "a payload was sent twice: " + r);
        } finally {
            if (forger != null) {
                forger.destroyForcibly();
                forger.waitFor();
            }
            lab.exec("rtr", "nft", "delete", "table", "inet", "labforged");
            lab.exec("inet", "sysctl", "-qw", "net.ipv4.ip_forward=0", "net.ipv4.conf.isp1.accept_local=0");
        }
    }

    private long counter(String name) {
        String out = Daemon.ok(lab.exec("rtr", "nft", "list", "counter", "inet", "labforged", name));
        Matcher m = Pattern.compile("packets (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    private static Map<String, Long> readReport(Path report) throws Exception {
        Map<String, Long> r = new java.util.LinkedHashMap<>();
        if (!Files.exists(report)) return r;
        for (String line : Files.readAllLines(report)) {
            int eq = line.indexOf('=');
            if (eq > 0) r.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).trim()));
        }
        return r;
    }

    private static void awaitReport(Path report, Path tmp, java.util.function.Predicate<Map<String, Long>> cond,
            String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Map<String, Long> r = readReport(report);
            if (!r.isEmpty() && cond.test(r)) return;
            if (System.nanoTime() > deadline) {
                Path log = tmp.resolve("forger.log");
                throw new AssertionError("timed out waiting for: " + what + "; report " + r + "\n"
                        + (Files.exists(log) ? Files.readString(log) : "(no forger log)"));
            }
            Thread.sleep(200);
        }
    }
}
