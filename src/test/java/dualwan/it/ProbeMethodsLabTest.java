package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.lanDefaultDev;
import static dualwan.it.Daemon.switches;
import static dualwan.it.Daemon.wan;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check settings other than the lab's defaults, in the daemon on the real kernel: the {@code dns} and
 * {@code tcp:PORT} probe methods with {@code check.gateway: false}, and a gateway-only uplink ({@code hosts: []},
 * {@code min-up: 0}). Each uplink is shown up by exactly the probe its config names, and down when that probe
 * fails, while the probes it does not use would still have succeeded.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class ProbeMethodsLabTest extends DaemonLabTest {
    static final String ISP1_HOSTS = "      hosts: [192.0.2.1, 198.51.100.1, 203.0.113.1]\n";
    static final String ISP2_HOSTS = "      hosts: [192.0.2.2, 198.51.100.2, 203.0.113.2]\n";
    /** A closed port: the host's kernel answers a connect with a reset, which counts as an answer. */
    static final int TCP_PORT = 7;

    static UnaryOperator<String> replacing(String line, String with) {
        return yaml -> {
            String edited = yaml.replace(line, with);
            assertNotEquals(yaml, edited, "scripts/lab.yaml changed: line not found: " + line);
            return edited;
        };
    }

    /**
     * isp1 is judged by DNS queries to two servers (dnsmasq in the internet namespace), isp2 by TCP connects to
     * two hosts whose ICMP is dropped; neither probes its gateway. A silent gateway changes nothing; a DNS server
     * that stops answering downs isp1 although its hosts still answer ping; a cut downs both.
     */
    @Test
    void dnsAndTcpMethodsWithoutTheGatewayCheck(@TempDir Path tmp) throws Exception {
        Process dns = null;
        Process dns2 = null;
        try {
            dns = startDns(tmp, "dns1");
            // ICMP to isp2's check hosts is dropped: isp2 can only be up through its TCP probes.
            Daemon.ok(lab.exec("inet", "nft", "add", "table", "inet", "gaps"));
            Daemon.ok(lab.exec("inet", "nft", "add", "chain", "inet", "gaps", "in",
                    "{ type filter hook input priority 0; policy accept; }"));
            Daemon.ok(lab.exec("inet", "nft", "add", "rule", "inet", "gaps", "in", "ip", "daddr",
                    "{ 192.0.2.2, 203.0.113.2 }", "meta", "l4proto", "icmp", "drop"));
            daemon = Daemon.configure(lab, tmp, "3s", replacing(ISP1_HOSTS,
                    "      hosts: [192.0.2.1, 198.51.100.1]\n      method: dns\n      gateway: false\n")
                    .andThen(replacing(ISP2_HOSTS, "      hosts: [192.0.2.2, 203.0.113.2]\n      method: tcp:"
                            + TCP_PORT + "\n      gateway: false\n"))::apply).start();
            Map<String, Object> s = daemon.awaitState("isp1 active, both uplinks up by dns and tcp",
                    Duration.ofSeconds(20), st -> "isp1".equals(active(st)) && "up".equals(wanState(st, "isp1"))
                            && "up".equals(wanState(st, "isp2")));
            assertNull(wan(s, "isp1").get("gateway_state"), "isp1's gateway must not be probed: " + s);
            assertNull(wan(s, "isp2").get("gateway_state"), "isp2's gateway must not be probed: " + s);
            assertTrue(!lab.exec("rtr", "ping", "-n", "-c", "1", "-W", "1", "-I", "wan2", "192.0.2.2").ok(),
                    "the lab must drop ICMP to isp2's check hosts");

            lab.gatewaySilent(1);
            lab.gatewaySilent(2);
            holdsFor(Duration.ofSeconds(3), "silent gateways are not checked", st -> "isp1".equals(active(st))
                    && "up".equals(wanState(st, "isp1")) && "up".equals(wanState(st, "isp2")));

            long stoppedAt = System.nanoTime();
            dns.destroy();
            dns.waitFor();
            s = daemon.awaitState("isp2 active after isp1's DNS servers stopped", Duration.ofSeconds(10),
                    st -> "isp2".equals(active(st)) && "down".equals(wanState(st, "isp1")));
            System.out.println("[it] dns method: isp1 down " + (System.nanoTime() - stoppedAt) / 1_000_000
                    + " ms after its DNS servers stopped; reason: " + wan(s, "isp1").get("reason"));
            assertEquals("0 of 2 hosts answer (need 1)", wan(s, "isp1").get("reason"), s::toString);
            assertTrue(lab.exec("rtr", "ping", "-n", "-c", "1", "-W", "2", "-I", "wan1", "192.0.2.1").ok(),
                    "isp1's hosts still answer ping: only the DNS probe tells isp1 down");
            assertEquals("wan2", lanDefaultDev(lab), "table 200 on the tcp-probed uplink");

            dns2 = startDns(tmp, "dns2");
            daemon.awaitState("isp1 up again once DNS answers", Duration.ofSeconds(15),
                    st -> "up".equals(wanState(st, "isp1")));
            long cutAt = System.nanoTime();
            lab.cut(1);
            lab.cut(2);
            s = daemon.awaitState("both uplinks down after the cuts", Duration.ofSeconds(10),
                    st -> "down".equals(wanState(st, "isp1")) && "down".equals(wanState(st, "isp2")));
            System.out.println("[it] dns and tcp methods: both uplinks down " + (System.nanoTime() - cutAt) / 1_000_000
                    + " ms after their upstreams were cut; isp2: " + wan(s, "isp2").get("reason"));
            assertEquals("0 of 2 hosts answer (need 1)", wan(s, "isp2").get("reason"), s::toString);
        } finally {
            for (Process p : new Process[] {dns, dns2}) {
                if (p != null) {
                    p.destroyForcibly();
                }
            }
            lab.exec("inet", "nft", "delete", "table", "inet", "gaps");
        }
    }

    /**
     * isp1 has no check hosts ({@code min-up: 0}): its gateway alone decides. A cut behind a live gateway keeps
     * it up; a gateway that stops answering downs it.
     */
    @Test
    void aGatewayOnlyUplinkFollowsItsGateway(@TempDir Path tmp) {
        daemon = Daemon.configure(lab, tmp, "3s", replacing(ISP1_HOSTS, "      hosts: []\n      min-up: 0\n"))
                .start();
        Map<String, Object> s = daemon.awaitAllUp();
        assertEquals("up", wan(s, "isp1").get("gateway_state"), s::toString);
        lab.cut(1);
        holdsFor(Duration.ofSeconds(3), "a cut behind a live gateway is not seen by a gateway-only uplink",
                st -> "isp1".equals(active(st)) && "up".equals(wanState(st, "isp1")));
        long silentAt = System.nanoTime();
        lab.gatewaySilent(1);
        s = daemon.awaitState("isp2 active after isp1's gateway went silent", Duration.ofSeconds(10),
                st -> "isp2".equals(active(st)));
        System.out.println("[it] gateway-only uplink: down " + (System.nanoTime() - silentAt) / 1_000_000
                + " ms after its gateway went silent; reason: " + wan(s, "isp1").get("reason"));
        assertEquals("down", wanState(s, "isp1"), s::toString);
        assertTrue(String.valueOf(wan(s, "isp1").get("reason")).contains("gateway"), s::toString);
        assertEquals(1, switches(s), s::toString);
        assertEquals("wan2", lanDefaultDev(lab));
    }

    /** dnsmasq answering on isp1's two check hosts in the internet namespace (no upstream: any answer counts). */
    private static Process startDns(Path tmp, String name) throws Exception {
        Process p = lab.spawn("inet", List.of("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                "--no-resolv", "--no-hosts", "--user=root", "--group=root", "--pid-file=", "--bind-interfaces",
                "--except-interface=lo", "--listen-address=192.0.2.1", "--listen-address=198.51.100.1",
                "--port=53", "--log-facility=-"), tmp.resolve(name + ".log"));
        for (int i = 0; i < 50; i++) {
            if (lab.exec("inet", "ss", "-Hlun").stdout().contains("198.51.100.1:53")) {
                return p;
            }
            assertTrue(p.isAlive(), () -> "dnsmasq exited: " + ItLabs.read(tmp.resolve(name + ".log")));
            Thread.sleep(100);
        }
        throw new AssertionError("dnsmasq did not listen: " + ItLabs.read(tmp.resolve(name + ".log")));
    }

    /** Asserts {@code cond} on every state-file reading for {@code d}. */
    private void holdsFor(Duration d, String what, java.util.function.Predicate<Map<String, Object>> cond) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            Map<String, Object> s = daemon.stateNow();
            assertTrue(cond.test(s), what + ": " + s);
            Daemon.sleep(Daemon.POLL);
        }
        assertEquals(0, switches(daemon.stateNow()), what + ": no switch");
    }
}
