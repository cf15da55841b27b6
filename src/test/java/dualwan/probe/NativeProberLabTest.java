package dualwan.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probes from a router namespace R with two uplinks A (r-a, mark 0x65, table 101) and B (r-b, mark 0x66,
 * table 102). R's main table defaults via B and B also owns 192.0.2.1, so any probe for A's 192.0.2.1
 * that escapes its pinning would reach B, answer, and bump a counter in B's firewall.
 *
 * <p>A and B set arp_ignore=1 like real gateways (they answer ARP only for their own link address):
 * when a socket is bound to a device but its mark's table has no route through that device, Linux
 * falls back to treating the destination as on-link on the bound device, and a host that answers ARP
 * for every local address would then answer the probe.
 *
 * <p>Needs root, iproute2 and nftables; dnsmasq is used for the DNS case when installed.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NativeProberLabTest {
    private static final String P = "pt" + ProcessHandle.current().pid();
    private static final String R = P + "r", A = P + "a", B = P + "b";
    private static final String HOST_A = "192.0.2.1", HOST_B = "198.51.100.1";
    private static Process dnsmasq;

    @BeforeAll
    static void buildLab() throws Exception {
        teardown(); // leftovers of an earlier run with the same pid
        try {
            for (String ns : List.of(R, A, B)) {
                sh("ip", "netns", "add", ns);
                sh("ip", "-n", ns, "link", "set", "lo", "up");
            }
            sh("ip", "-n", R, "link", "add", "r-a", "type", "veth", "peer", "name", "a-r", "netns", A);
            sh("ip", "-n", R, "link", "add", "r-b", "type", "veth", "peer", "name", "b-r", "netns", B);
            link(R, "r-a", "100.64.201.1/30");
            link(A, "a-r", "100.64.201.2/30");
            link(R, "r-b", "100.64.202.1/30");
            link(B, "b-r", "100.64.202.2/30");
            sh("ip", "-n", A, "addr", "add", HOST_A + "/32", "dev", "lo");
            sh("ip", "-n", B, "addr", "add", HOST_B + "/32", "dev", "lo");
            sh("ip", "-n", B, "addr", "add", HOST_A + "/32", "dev", "lo"); // the leak trap
            for (String t : List.of("101 100.64.201.2 r-a", "102 100.64.202.2 r-b")) {
                String[] f = t.split(" ");
                sh("ip", "-n", R, "route", "add", "default", "via", f[1], "dev", f[2], "onlink", "table", f[0]);
                sh("ip", "-n", R, "route", "add", "unreachable", "default", "metric", "4294967295", "table", f[0]);
            }
            sh("ip", "-n", R, "rule", "add", "fwmark", "0x65", "lookup", "101", "priority", "1000");
            sh("ip", "-n", R, "rule", "add", "fwmark", "0x66", "lookup", "102", "priority", "1001");
            sh("ip", "-n", R, "route", "add", "default", "via", "100.64.202.2", "dev", "r-b");
            // Replies arrive on the uplink while the main table points at B: no strict reverse-path check.
            sh("ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0",
                    "net.ipv4.conf.default.rp_filter=0", "net.ipv4.conf.r-a.rp_filter=0", "net.ipv4.conf.r-b.rp_filter=0");
            for (String ns : List.of(A, B)) sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1");
            sh("ip", "netns", "exec", B, "nft", "add", "table", "ip", "ptleak");
            sh("ip", "netns", "exec", B, "nft", "add", "chain", "ip", "ptleak", "input",
                    "{ type filter hook input priority 0; policy accept; }");
            sh("ip", "netns", "exec", B, "nft", "add", "rule", "ip", "ptleak", "input",
                    "iifname", "b-r", "ip", "daddr", HOST_A, "counter");
            startDnsmasq();
        } catch (Exception | Error e) {
            teardown();
            throw e;
        }
    }

    private static void startDnsmasq() throws IOException {
        if (!Files.isExecutable(Path.of("/usr/sbin/dnsmasq"))) return;
        dnsmasq = new ProcessBuilder("ip", "netns", "exec", A, "/usr/sbin/dnsmasq", "--no-daemon",
                "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces",
                "--listen-address=" + HOST_A, "--port=53", "--pid-file=", "--user=root", "--group=root")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @AfterAll
    static void teardown() throws Exception {
        if (dnsmasq != null) {
            dnsmasq.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            dnsmasq = null;
        }
        for (String ns : List.of(R, A, B)) {
            if (!Files.exists(Path.of("/run/netns", ns))) continue;
            Result pids = exec(List.of("ip", "netns", "pids", ns), 5);
            for (String pid : pids.out().split("\\s+")) {
                if (pid.matches("\\d+")) ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
            exec(List.of("ip", "netns", "del", ns), 5);
        }
    }

    @Test
    @Order(1)
    void icmpDnsAndTcpThroughTheRightUplink() throws Exception {
        Result ok = probe("--device", "r-a", "--mark", "0x65", "--count", "10", "--interval", "50ms", HOST_A);
        assertEquals(0, ok.exit(), ok.out());
        assertTrue(ok.out().contains(HOST_A + ": 10 sent, 10 received, 0% loss"), ok.out());
        assertEquals(10, count(ok.out(), HOST_A + " icmp ok "), ok.out());

        Result refused = probe("--device", "r-a", "--mark", "0x65", "--method", "tcp:9", HOST_A);
        assertEquals(0, refused.exit(), refused.out());
        assertTrue(refused.out().contains("tcp:9 ok ") && refused.out().contains("refused (host answered)"), refused.out());

        Result noDns = probe("--device", "r-b", "--mark", "0x66", "--method", "dns", HOST_B);
        assertEquals(1, noDns.exit(), noDns.out());
        assertTrue(noDns.out().contains(HOST_B + " dns miss refused"), noDns.out());

        if (dnsmasq != null) {
            // dnsmasq may still be starting: a few bounded tries.
            Result dns = null;
            for (int i = 0; i < 10 && (dns == null || dns.exit() != 0); i++) {
                dns = probe("--device", "r-a", "--mark", "0x65", "--method", "dns", HOST_A);
            }
            assertEquals(0, dns.exit(), dns.out());
            assertTrue(dns.out().contains(HOST_A + " dns ok "), dns.out());
            Result tcp = probe("--device", "r-a", "--mark", "0x65", "--method", "tcp:53", HOST_A);
            assertEquals(0, tcp.exit(), tcp.out());
            assertTrue(tcp.out().matches("(?s).*tcp:53 ok [0-9.]+ms\n.*"), tcp.out());
        }
        assertEquals(0, leakCounter(), "nothing aimed at A may reach B");
    }

    @Test
    @Order(2)
    void wrongPinningMissesAndNeverLeaks() throws Exception {
        for (List<String> pin : List.of(List.of("r-a", "0x66"), List.of("r-a", "0"), List.of("r-b", "0x65"))) {
            Result r = probe("--device", pin.get(0), "--mark", pin.get(1), "--timeout", "300ms", HOST_A);
            assertEquals(1, r.exit(), pin + ": " + r.out());
        }
        Result missing = probe("--device", "nosuch0", "--mark", "0x65", HOST_A);
        assertEquals(1, missing.exit(), missing.out());
        assertTrue(missing.out().contains(HOST_A + " icmp miss ENODEV"), missing.out());
        assertEquals(0, leakCounter());
    }

    @Test
    @Order(3)
    void deadUplinkMissesWhileTheOtherWorks() throws Exception {
        sh("ip", "-n", A, "link", "set", "a-r", "down");
        Result icmp = probe("--device", "r-a", "--mark", "0x65", "--count", "10", "--interval", "50ms", HOST_A);
        assertEquals(1, icmp.exit(), icmp.out());
        assertTrue(icmp.out().contains(HOST_A + ": 10 sent, 0 received, 100% loss"), icmp.out());
        assertEquals(10, count(icmp.out(), HOST_A + " icmp miss "), icmp.out());

        Result tcp = probe("--device", "r-a", "--mark", "0x65", "--method", "tcp:9", "--timeout", "300ms", HOST_A);
        assertEquals(1, tcp.exit(), tcp.out());
        assertTrue(tcp.out().contains(HOST_A + " tcp:9 miss timeout"), tcp.out());

        // Without the uplink's own route the kernel still cannot pick another interface.
        sh("ip", "-n", R, "route", "del", "default", "table", "101", "via", "100.64.201.2");
        Result noRoute = probe("--device", "r-a", "--mark", "0x65", "--timeout", "300ms", HOST_A);
        assertEquals(1, noRoute.exit(), noRoute.out());
        assertEquals(0, leakCounter(), "a probe pinned to A leaked to B");

        // Positive controls: the counter does see probes pinned to B, and unpinned traffic goes to B.
        Result viaB = probe("--device", "r-b", "--mark", "0x66", HOST_A);
        assertEquals(0, viaB.exit(), viaB.out());
        long afterB = leakCounter();
        assertTrue(afterB >= 1, "the counter in B must see probes via B");
        exec(List.of("ip", "netns", "exec", R, "ping", "-c", "1", "-W", "1", HOST_A), 5);
        assertTrue(leakCounter() > afterB, "an unpinned packet must land in B (the trap works)");
    }

    // ------------------------------------------------------------------ helpers

    private static void link(String ns, String dev, String cidr) throws Exception {
        sh("ip", "-n", ns, "addr", "add", cidr, "dev", dev);
        sh("ip", "-n", ns, "link", "set", dev, "up");
    }

    private static long leakCounter() throws Exception {
        Result r = exec(List.of("ip", "netns", "exec", B, "nft", "list", "chain", "ip", "ptleak", "input"), 5);
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Long.parseLong(m.group(1));
    }

    /** Runs ProbeCommand in a child JVM inside R. */
    private static Result probe(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", R, java,
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", cp, ProbeCommand.class.getName()));
        cmd.addAll(List.of(args));
        return exec(cmd, 20);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    record Result(int exit, String out) {}

    private static void sh(String... cmd) throws Exception {
        Result r = exec(List.of(cmd), 10);
        if (r.exit() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.out());
    }

    private static Result exec(List<String> cmd, int timeoutSeconds) throws Exception {
        Path out = Files.createTempFile(P, ".out"); // a file, so a chatty child can never block on a pipe
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
