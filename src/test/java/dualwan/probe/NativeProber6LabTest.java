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
 * IPv6 probes from a router namespace R with two uplinks A (r-a, mark 0x65, table 101) and B (r-b, mark 0x66,
 * table 102), set up by hand as the IPv6 planner will: each table holds {@code default via fe80::1 dev IF} and an
 * {@code unreachable default}, and {@code ip -6 rule fwmark} picks it. Both ISP routers are {@code fe80::1}, so
 * only the probe's own device can tell which one a link-local probe means. R's main table defaults via B, and B
 * also owns A's host 2001:db8:a::1: a probe for A that escapes its pinning would reach B, answer, and bump a
 * counter in B's firewall. Addresses: 2001:db8::/32, fc00::/7 and fe80::, only inside these namespaces.
 *
 * <p>Needs root, iproute2 and nftables; dnsmasq is used for the DNS case when installed.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NativeProber6LabTest {
    private static final String P = "p6" + ProcessHandle.current().pid();
    private static final String R = P + "r", A = P + "a", B = P + "b";
    private static final String HOST_A = "2001:db8:a::1", HOST_B = "2001:db8:b::1";
    /** Behind A: a host nobody answers for (silently dropped), and one A has no route to (an ICMPv6 error). */
    private static final String SILENT = "2001:db8:a:99::1", UNROUTED = "2001:db8:a:dead::1";
    private static final String GATEWAY = "fe80::1";
    /** A's late DNS responder: one forged answer at once, the real one 1.2 s later, then it exits. */
    private static final String LATE_DNS = "2001:db8:a::53";
    private static final String LATE_RESPONDER = """
            import socket, sys, time
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], 53))
            s.settimeout(10)
            print("ready", flush=True)
            query, peer = s.recvfrom(512)
            answer = bytearray(query)
            answer[2] |= 0x80
            forged = bytearray(answer)
            forged[1] ^= 0x5a
            s.sendto(forged, peer)
            time.sleep(1.2)
            s.sendto(answer, peer)
            """;
    private static Process dnsmasq;

    @BeforeAll
    static void buildLab() throws Exception {
        teardown(); // leftovers of an earlier run with the same pid
        try {
            for (String ns : List.of(R, A, B)) {
                sh("ip", "netns", "add", ns);
                // Before the links exist, so that their link-local addresses are usable at once.
                sysctl(ns, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
                sh("ip", "-n", ns, "link", "set", "lo", "up");
            }
            for (String isp : List.of(A, B)) {
                // Routers: forward (so an unrouted host gets its ICMPv6 error) and never rate-limit those errors.
                sysctl(isp, "net.ipv6.conf.all.forwarding=1", "net.ipv6.icmp.ratelimit=0");
            }
            sh("ip", "-n", R, "link", "add", "r-a", "type", "veth", "peer", "name", "a-r", "netns", A);
            sh("ip", "-n", R, "link", "add", "r-b", "type", "veth", "peer", "name", "b-r", "netns", B);
            link(R, "r-a", "fd00:65::2/64");
            link(A, "a-r", "fd00:65::1/64", GATEWAY + "/64");
            link(R, "r-b", "fd00:66::2/64");
            link(B, "b-r", "fd00:66::1/64", GATEWAY + "/64");
            sh("ip", "-n", A, "-6", "addr", "add", HOST_A + "/128", "dev", "lo");
            sh("ip", "-n", B, "-6", "addr", "add", HOST_B + "/128", "dev", "lo");
            sh("ip", "-n", B, "-6", "addr", "add", HOST_A + "/128", "dev", "lo"); // the leak trap
            sh("ip", "-n", A, "-6", "route", "add", "blackhole", "2001:db8:a:99::/64");
            sh("ip", "-n", A, "-6", "route", "add", "unreachable", "2001:db8:a:dead::/64");
            for (String t : List.of("101 r-a", "102 r-b")) {
                String[] f = t.split(" ");
                sh("ip", "-n", R, "-6", "route", "add", "default", "via", GATEWAY, "dev", f[1], "table", f[0]);
                sh("ip", "-n", R, "-6", "route", "add", "unreachable", "default", "metric", "4294967295",
                        "table", f[0]);
            }
            sh("ip", "-n", R, "-6", "rule", "add", "fwmark", "0x65", "lookup", "101", "priority", "1000");
            sh("ip", "-n", R, "-6", "rule", "add", "fwmark", "0x66", "lookup", "102", "priority", "1001");
            sh("ip", "-n", R, "-6", "route", "add", "default", "via", GATEWAY, "dev", "r-b");
            nft(B, "add table ip6 p6leak",
                    "add chain ip6 p6leak input { type filter hook input priority 0; policy accept; }",
                    "add rule ip6 p6leak input iifname b-r ip6 daddr " + HOST_A + " counter");
            for (String isp : List.of(A, B)) {
                String dev = isp.equals(A) ? "a-r" : "b-r";
                nft(isp, "add table ip6 p6gw",
                        "add chain ip6 p6gw input { type filter hook input priority 0; policy accept; }",
                        "add rule ip6 p6gw input iifname " + dev + " ip6 daddr " + GATEWAY
                                + " icmpv6 type echo-request counter");
            }
            startDnsmasq();
            for (String uplink : List.of("r-a 101", "r-b 102")) awaitPath(uplink.split(" "));
        } catch (Exception | Error e) {
            teardown();
            throw e;
        }
    }

    /** Bounded wait until ping (bound and marked) gets through: a loaded machine settles a fresh link slowly. */
    private static void awaitPath(String[] deviceAndMark) throws Exception {
        Result r = null;
        for (int i = 0; i < 10 && (r == null || r.exit() != 0); i++) {
            r = exec(List.of("ip", "netns", "exec", R, "ping", "-6", "-c", "1", "-W", "1", "-I", deviceAndMark[0],
                    "-m", deviceAndMark[1], deviceAndMark[0].equals("r-a") ? HOST_A : HOST_B), 5);
        }
        if (r.exit() != 0) throw new IllegalStateException("lab not ready via " + deviceAndMark[0] + ": " + r.out());
    }

    private static void startDnsmasq() throws IOException {
        if (!Files.isExecutable(Path.of("/usr/sbin/dnsmasq"))) return; // then the DNS answer case is skipped
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
    void icmpDnsAndTcpOverIpv6ThroughTheRightUplink() throws Exception {
        Result ok = probe("--device", "r-a", "--mark", "0x65", "--count", "10", "--interval", "50ms", HOST_A);
        assertEquals(0, ok.exit(), ok.out());
        assertTrue(ok.out().contains(HOST_A + ": 10 sent, 10 received, 0% loss"), ok.out());
        assertEquals(10, count(ok.out(), HOST_A + " icmp ok "), ok.out());
        System.out.println("[probe6] ICMPv6 via A: " + summary(ok.out(), HOST_A));

        Result refused = probe("--device", "r-a", "--mark", "0x65", "--method", "tcp:9", HOST_A);
        assertEquals(0, refused.exit(), refused.out());
        assertTrue(refused.out().contains("tcp:9 ok ") && refused.out().contains("refused (host answered)"),
                refused.out());

        Result noDns = probe("--device", "r-b", "--mark", "0x66", "--method", "dns", HOST_B);
        assertEquals(1, noDns.exit(), noDns.out());
        assertTrue(noDns.out().contains(HOST_B + " dns miss refused"), "ICMPv6 port unreachable: " + noDns.out());

        if (dnsmasq != null) {
            Result dns = null;
            for (int i = 0; i < 10 && (dns == null || dns.exit() != 0); i++) { // dnsmasq may still be starting
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
    void deadHostsAreMissesWithTheirReason() throws Exception {
        Result r = probe("--device", "r-a", "--mark", "0x65", "--count", "3", "--interval", "50ms",
                "--timeout", "300ms", HOST_A, SILENT, UNROUTED);
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains(HOST_A + ": 3 sent, 3 received"), r.out());
        assertEquals(3, count(r.out(), SILENT + " icmp miss timeout"), r.out());
        assertEquals(3, count(r.out(), UNROUTED + " icmp miss unreachable (no route)"), "ICMPv6 errors: " + r.out());

        // Linux takes an ICMPv6 error to a SYN as final only for the retransmitted SYN (1 s later): a longer timeout.
        Result tcp = probe("--device", "r-a", "--mark", "0x65", "--method", "tcp:80", "--timeout", "1500ms",
                SILENT, UNROUTED);
        assertEquals(1, tcp.exit(), tcp.out());
        assertTrue(tcp.out().contains(SILENT + " tcp:80 miss timeout"), tcp.out());
        assertTrue(tcp.out().matches("(?s).*" + Pattern.quote(UNROUTED) + " tcp:80 miss E[A-Z]+\n.*"), tcp.out());
        System.out.println("[probe6] dead hosts via A: " + line(r.out(), UNROUTED + " icmp miss") + "; "
                + line(tcp.out(), UNROUTED + " tcp:80"));
        assertEquals(0, leakCounter());
    }

    /**
     * A DNS responder in A that first sends an answer with the wrong id, then the real one 1.2 s late: the probe
     * times out at 300 ms, then gets its late reply over IPv6 with the real round trip; the forged one is ignored.
     */
    @Test
    @Order(3)
    void aLateIpv6ReplyCountsAsLateAndAForgedOneNever() throws Exception {
        sh("ip", "-n", A, "-6", "addr", "add", LATE_DNS + "/128", "dev", "lo");
        Path log = Files.createTempFile(P, ".responder");
        Process responder = new ProcessBuilder("ip", "netns", "exec", A, "python3", "-c", LATE_RESPONDER, LATE_DNS)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(log).contains("ready") && responder.isAlive() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(Files.readString(log).contains("ready"), "responder: " + Files.readString(log));
            Result r = probe("--device", "r-a", "--mark", "0x65", "--method", "dns", "--timeout", "300ms",
                    "--count", "2", "--interval", "1700ms", LATE_DNS);
            assertTrue(r.out().contains(LATE_DNS + " dns miss timeout"), r.out());
            Matcher late = Pattern.compile(Pattern.quote(LATE_DNS) + " dns late ([0-9.]+)ms").matcher(r.out());
            assertTrue(late.find(), r.out());
            double millis = Double.parseDouble(late.group(1));
            assertTrue(millis >= 1200 && millis < 1700, "the real round trip: " + r.out());
            assertTrue(!r.out().contains(LATE_DNS + " dns ok"), "the forged answer was taken: " + r.out());
            System.out.println("[probe6] late DNS reply over IPv6: miss at 300 ms, late reply after " + late.group(1)
                    + " ms (a forged answer before it ignored)");
        } finally {
            responder.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
        assertEquals(0, leakCounter());
    }

    @Test
    @Order(4)
    void aLinkLocalGatewayIsTheOneOnTheProbesOwnLink() throws Exception {
        long a0 = gatewayCounter(A), b0 = gatewayCounter(B);
        Result viaA = probe("--device", "r-a", "--mark", "0x65", "--count", "3", "--interval", "50ms", GATEWAY);
        assertEquals(0, viaA.exit(), viaA.out());
        assertEquals(3, count(viaA.out(), GATEWAY + " icmp ok "), viaA.out());
        assertEquals(a0 + 3, gatewayCounter(A), "A's router got the three echoes");
        assertEquals(b0, gatewayCounter(B), "B's fe80::1 got none of them");

        Result viaB = probe("--device", "r-b", "--mark", "0x66", "--count", "3", "--interval", "50ms",
                GATEWAY + "%r-b");
        assertEquals(0, viaB.exit(), viaB.out());
        assertEquals(3, count(viaB.out(), GATEWAY + "%r-b icmp ok "), viaB.out());
        assertEquals(b0 + 3, gatewayCounter(B));
        assertEquals(a0 + 3, gatewayCounter(A));
        System.out.println("[probe6] fe80::1 via A: " + summary(viaA.out(), GATEWAY) + "; via B: "
                + summary(viaB.out(), GATEWAY + "%r-b"));

        // UDP and TCP sockets scoped the same way: an answer (a reset, a port unreachable) from A's router.
        Result tcp = probe("--device", "r-a", "--mark", "0x65", "--method", "tcp:9", GATEWAY);
        assertEquals(0, tcp.exit(), tcp.out());
        assertTrue(tcp.out().contains("refused (host answered)"), tcp.out());
        Result dns = probe("--device", "r-a", "--mark", "0x65", "--method", "dns", GATEWAY);
        assertTrue(dns.out().contains(GATEWAY + " dns miss refused"), dns.out());

        Result wrongScope = probe("--device", "r-a", "--mark", "0x65", GATEWAY + "%r-b");
        assertEquals(2, wrongScope.exit(), wrongScope.out());
        assertTrue(wrongScope.out().contains("its scope can only be %r-a"), wrongScope.out());
    }

    @Test
    @Order(5)
    void wrongPinningMissesAndNeverLeaks() throws Exception {
        for (List<String> pin : List.of(List.of("r-a", "0x66"), List.of("r-a", "0"))) {
            Result r = probe("--device", pin.get(0), "--mark", pin.get(1), "--timeout", "300ms", HOST_A);
            assertEquals(1, r.exit(), pin + ": " + r.out());
        }
        Result missing = probe("--device", "nosuch0", "--mark", "0x65", HOST_A, GATEWAY);
        assertEquals(1, missing.exit(), missing.out());
        assertTrue(missing.out().contains(HOST_A + " icmp miss ENODEV"), missing.out());
        assertTrue(missing.out().contains(GATEWAY + " icmp miss ENODEV"), missing.out());
        assertEquals(0, leakCounter());
    }

    @Test
    @Order(6)
    void deadUplinkMissesWhileTheOtherWorks() throws Exception {
        long b0 = gatewayCounter(B);
        sh("ip", "-n", A, "link", "set", "a-r", "down");
        Result icmp = probe("--device", "r-a", "--mark", "0x65", "--count", "10", "--interval", "50ms",
                "--timeout", "300ms", HOST_A, GATEWAY);
        assertEquals(1, icmp.exit(), icmp.out());
        assertTrue(icmp.out().contains(HOST_A + ": 10 sent, 0 received, 100% loss"), icmp.out());
        assertTrue(icmp.out().contains(GATEWAY + ": 10 sent, 0 received, 100% loss"), icmp.out());

        Result tcp = probe("--device", "r-a", "--mark", "0x65", "--method", "tcp:9", "--timeout", "300ms", HOST_A);
        assertEquals(1, tcp.exit(), tcp.out());
        assertTrue(tcp.out().contains(HOST_A + " tcp:9 miss "), tcp.out());

        // Without the uplink's own route its table's unreachable default answers: the kernel cannot pick B.
        sh("ip", "-n", R, "-6", "route", "del", "default", "via", GATEWAY, "dev", "r-a", "table", "101");
        Result noRoute = probe("--device", "r-a", "--mark", "0x65", "--method", "icmp", "--timeout", "300ms", HOST_A);
        assertEquals(1, noRoute.exit(), noRoute.out());
        Result noRouteDns = probe("--device", "r-a", "--mark", "0x65", "--method", "dns", "--timeout", "300ms", HOST_A);
        assertEquals(1, noRouteDns.exit(), noRouteDns.out());
        System.out.println("[probe6] A's table without its default: " + line(noRoute.out(), HOST_A + " icmp")
                + "; " + line(noRouteDns.out(), HOST_A + " dns"));
        assertEquals(0, leakCounter(), "a probe pinned to A leaked to B");
        // Falling through past table 101 a bound probe finds only routes through its own device: main's
        // default via B never matches it (above), while a route via A in main would (the link is down here).
        sh("ip", "-n", R, "-6", "route", "add", HOST_A, "via", GATEWAY, "dev", "r-b", "table", "main");
        Result hostRouteViaB = probe("--device", "r-a", "--mark", "0x65", "--timeout", "300ms", HOST_A);
        assertTrue(hostRouteViaB.out().contains(HOST_A + " icmp miss ENETUNREACH"), hostRouteViaB.out());
        sh("ip", "-n", R, "-6", "route", "del", HOST_A, "via", GATEWAY, "dev", "r-b", "table", "main");
        assertEquals(0, leakCounter(), "a probe pinned to A leaked to B");
        // Unbound traffic with A's mark (a policy's LAN flow) stops at table 101's unreachable default instead.
        Result marked = exec(List.of("ip", "netns", "exec", R, "ping", "-6", "-c", "1", "-W", "1", "-m", "101",
                HOST_A), 5);
        assertTrue(marked.exit() != 0, marked.out()); // the same ping with B's mark gets through (below)
        System.out.println("[probe6] unbound ping marked for A, A's table without its default: "
                + marked.out().strip().lines().findFirst().orElse(""));
        assertEquals(0, leakCounter(), "unbound traffic marked for A leaked to B");
        assertEquals(b0, gatewayCounter(B), "a probe of A's gateway reached B's");

        // Positive controls: the counter does see probes pinned to B, and unpinned traffic goes to B.
        Result viaB = probe("--device", "r-b", "--mark", "0x66", HOST_A);
        assertEquals(0, viaB.exit(), viaB.out());
        long afterB = leakCounter();
        assertTrue(afterB >= 1, "the counter in B must see probes via B");
        exec(List.of("ip", "netns", "exec", R, "ping", "-6", "-c", "1", "-W", "1", HOST_A), 5);
        long afterUnpinned = leakCounter();
        assertTrue(afterUnpinned > afterB, "an unpinned packet must land in B (the trap works)");
        exec(List.of("ip", "netns", "exec", R, "ping", "-6", "-c", "1", "-W", "1", "-m", "102", HOST_A), 5);
        long afterPing = leakCounter();
        assertTrue(afterPing > afterUnpinned, "unbound traffic with B's mark lands in B (the marked ping works)");
        // Unlike IPv4, an IPv6 route lookup for a socket bound to a device skips every route not through that
        // device, the table's unreachable default included, and goes on to the next rules: the device is what
        // pins an IPv6 probe. Bound to B with A's mark, a probe leaves through B (main's default) and answers.
        Result deviceB = probe("--device", "r-b", "--mark", "0x65", HOST_A);
        assertEquals(0, deviceB.exit(), deviceB.out());
        assertEquals(afterPing + 1, leakCounter(), "B's counter sees the probe bound to B's device");
        System.out.println("[probe6] leak counter at B: 0 for every probe pinned to A; " + leakCounter()
                + " after the positive controls");
    }

    // ------------------------------------------------------------------ helpers

    private static void link(String ns, String dev, String... cidrs) throws Exception {
        for (String cidr : cidrs) sh("ip", "-n", ns, "-6", "addr", "add", cidr, "dev", dev, "nodad");
        sh("ip", "-n", ns, "link", "set", dev, "up");
    }

    private static void sysctl(String ns, String... settings) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "sysctl", "-qw"));
        cmd.addAll(List.of(settings));
        sh(cmd.toArray(String[]::new));
    }

    private static void nft(String ns, String... commands) throws Exception {
        for (String c : commands) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "nft"));
            cmd.addAll(List.of(c.split(" ")));
            sh(cmd.toArray(String[]::new));
        }
    }

    private static long leakCounter() throws Exception {
        return counter(B, "p6leak");
    }

    /** Echo requests the ISP's router got at fe80::1 on its link to R. */
    private static long gatewayCounter(String isp) throws Exception { return counter(isp, "p6gw"); }

    private static long counter(String ns, String table) throws Exception {
        Result r = exec(List.of("ip", "netns", "exec", ns, "nft", "list", "chain", "ip6", table, "input"), 5);
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

    /** The summary line ProbeCommand prints for {@code host}. */
    private static String summary(String out, String host) { return line(out, host + ": "); }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no line " + prefix + ")");
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
