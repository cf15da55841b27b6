package dualwan.probe;

import dualwan.model.ProbeMethod;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeCommandTest {

    private record Run(int exit, String out) {}

    private static Run run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = ProbeCommand.run(List.of(args), new PrintStream(buf, true, StandardCharsets.UTF_8));
        return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badArgumentsExitTwoWithAReason() {
        assertBad("--device is required", "--mark", "0x65", "192.0.2.1");
        assertBad("--mark is required", "--device", "eth0", "192.0.2.1");
        assertBad("no HOST given", "--device", "eth0", "--mark", "0x65");
        assertBad("not an IPv4 or IPv6 address: example.org", "--device", "eth0", "--mark", "1", "example.org");
        assertBad("--method: expected icmp, dns or tcp:PORT", "--device", "eth0", "--mark", "1", "--method", "tcp:0", "192.0.2.1");
        assertBad("--timeout: expected a duration", "--device", "eth0", "--mark", "1", "--timeout", "5", "192.0.2.1");
        assertBad("--count: expected", "--device", "eth0", "--mark", "1", "--count", "0", "192.0.2.1");
        assertBad("--mark: not a 32-bit number", "--device", "eth0", "--mark", "0x1ffffffff", "192.0.2.1");
        assertBad("unknown option --frobnicate", "--frobnicate", "1");
        assertBad("--device needs a value", "--device");
        assertBad("at most 15 characters", "--device", "sixteen-chars-xx", "--mark", "1", "192.0.2.1");
    }

    private static void assertBad(String message, String... args) {
        Run r = run(args);
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains(message), r.out());
        assertTrue(r.out().contains("usage: dualwan probe"), r.out());
    }

    @Test
    void parsesOptions() {
        ProbeCommand.Options o = ProbeCommand.parse(List.of("--device", "wan1", "--mark", "0x65", "--method", "tcp:443",
                "--timeout", "2s", "--count", "3", "--interval", "0.5s", "192.0.2.1", "198.51.100.7"));
        assertEquals("wan1", o.device());
        assertEquals(0x65, o.mark());
        assertEquals(new ProbeMethod.Tcp(443), o.method());
        assertEquals(Duration.ofSeconds(2), o.timeout());
        assertEquals(Duration.ofMillis(500), o.interval());
        assertEquals(3, o.count());
        assertEquals(2, o.hosts().size());
        assertEquals(0xffffffff, ProbeCommand.parse(List.of("--device", "x", "--mark", "4294967295", "192.0.2.1")).mark());
        assertEquals(Duration.ofMillis(500), ProbeCommand.duration("t", "500ms", Duration.ZERO, Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> ProbeCommand.duration("t", "2h", Duration.ZERO, Duration.ofHours(9)));
    }

    @Test
    void takesIpv6HostsAndScopesLinkLocalOnesToTheDevice() {
        ProbeCommand.Options o = ProbeCommand.parse(List.of("--device", "wan1", "--mark", "1", "2001:db8::7",
                "fe80::1", "fe80::1%wan1", "192.0.2.1"));
        assertEquals(List.of("2001:db8::7", "fe80::1", "fe80::1%wan1", "192.0.2.1"), o.labels());
        assertEquals(java.net.InetAddress.ofLiteral("2001:db8::7"), o.hosts().get(0));
        java.net.Inet6Address scoped = (java.net.Inet6Address) o.hosts().get(2);
        assertTrue(scoped.isLinkLocalAddress());
        assertEquals(0, scoped.getScopeId(), "the prober takes the scope from --device, not from this JVM's lookup");
        assertEquals(4, o.hosts().size());

        assertBad("%wan2: a link-local host is probed on --device wan1, so its scope can only be %wan1",
                "--device", "wan1", "--mark", "1", "fe80::1%wan2");
        assertBad("only a link-local address (fe80::/10) takes a %scope", "--device", "wan1", "--mark", "1",
                "2001:db8::1%wan1");
        for (String bad : List.of("2001:db8::1::2", "2001:db8:::1", "fe80::1%", "::ffff:192.0.2.1", "fe80::g", ":")) {
            assertBad("not an IPv6 address: " + bad, "--device", "wan1", "--mark", "1", bad);
        }
    }

    @Test
    void missingDeviceIsAMissAndExitOne() {
        // Fails while pinning (ENODEV as root, EPERM for SO_MARK otherwise): nothing is sent.
        Run r = run("--device", "nosuch0", "--mark", "0x65", "--count", "2", "--interval", "1ms", "192.0.2.1");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().matches("(?s)192\\.0\\.2\\.1 icmp miss E(NODEV|PERM)\n.*"), r.out());
        assertTrue(r.out().contains("192.0.2.1: 2 sent, 0 received, 100% loss, avg -"), r.out());
        Run v6 = run("--device", "nosuch0", "--mark", "0x65", "2001:db8::1", "fe80::1%nosuch0");
        assertEquals(1, v6.exit(), v6.out());
        assertTrue(v6.out().contains("2001:db8::1 icmp miss E"), v6.out());
        assertTrue(v6.out().contains("fe80::1%nosuch0 icmp miss ENODEV"), "no index, no scope: " + v6.out());
    }
}
