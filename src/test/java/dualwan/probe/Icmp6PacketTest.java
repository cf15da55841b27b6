package dualwan.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

import dualwan.model.ProbeMethod;
import dualwan.model.ProbeRequest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Icmp6PacketTest {
    private static final int IDENT = 0x4242;
    private static final long PAYLOAD = 0x0102030405060708L;
    private static final byte[] ME = addr("fd00:65::2"), HOST = addr("2001:db8:a::1"), ROUTER = addr("fe80::1");

    private static byte[] addr(String literal) {
        return InetAddress.ofLiteral(literal).getAddress();
    }

    private static long half(byte[] a, int from) {
        return ByteBuffer.wrap(a, from, 8).getLong();
    }

    private static byte[] echo(int type, int ident, int seq, long payload) {
        MemorySegment s = MemorySegment.ofArray(new byte[Icmp6Packet.ECHO_LENGTH]);
        Icmp6Packet.writeEchoRequest(s, ident, seq, payload);
        byte[] b = s.toArray(ValueLayout.JAVA_BYTE);
        b[0] = (byte) type;
        return b;
    }

    /** An ICMPv6 error of {@code type}/{@code code} quoting our request from ME to HOST, as Linux sends it. */
    private static byte[] error(int type, int code, int nextHeader, byte[] request) {
        byte[] p = new byte[8 + 40 + request.length];
        p[0] = (byte) type;
        p[1] = (byte) code;
        p[8] = 0x60;                              // version 6
        p[8 + 5] = (byte) request.length;         // payload length
        p[8 + 6] = (byte) nextHeader;
        p[8 + 7] = 64;                            // hop limit
        System.arraycopy(ME, 0, p, 8 + 8, 16);
        System.arraycopy(HOST, 0, p, 8 + 24, 16);
        System.arraycopy(request, 0, p, 48, request.length);
        return p;
    }

    private static boolean parse(byte[] p, int length, byte[] from, Icmp6Packet.Parsed out) {
        return Icmp6Packet.parse(MemorySegment.ofArray(p), length, IDENT, half(from, 0), half(from, 8), out);
    }

    @Test
    void echoRequestIsWellFormedAndLeavesTheChecksumToTheKernel() {
        byte[] b = echo(Icmp6Packet.ECHO_REQUEST, 0xbeef, 0x1234, PAYLOAD);
        assertEquals(128, b[0] & 0xff);
        assertEquals(0, b[1]);
        assertEquals(0, b[2] | b[3], "raw ICMPv6 sockets always compute the checksum (RFC 3542 3.1)");
        assertEquals(0xbeef, (b[4] & 0xff) << 8 | (b[5] & 0xff));
        assertEquals(0x1234, (b[6] & 0xff) << 8 | (b[7] & 0xff));
        assertEquals(PAYLOAD, ByteBuffer.wrap(b, 8, 8).getLong());
    }

    @Test
    void parsesAnEchoReplyForOurIdentWithItsSenderAndPayload() {
        byte[] p = echo(Icmp6Packet.ECHO_REPLY, IDENT, 7, PAYLOAD);
        Icmp6Packet.Parsed out = new Icmp6Packet.Parsed();
        assertTrue(parse(p, p.length, HOST, out));
        assertEquals(Icmp6Packet.ECHO_REPLY, out.type);
        assertEquals(7, out.seq);
        assertEquals(PAYLOAD, out.payload);
        assertEquals(half(HOST, 0), out.targetHigh);
        assertEquals(half(HOST, 8), out.targetLow);
    }

    @Test
    void ignoresOtherIdentsRequestsDiscoveryAndRunts() {
        Icmp6Packet.Parsed out = new Icmp6Packet.Parsed();
        byte[] other = echo(Icmp6Packet.ECHO_REPLY, IDENT + 1, 7, PAYLOAD);
        assertFalse(parse(other, other.length, HOST, out));
        byte[] request = echo(Icmp6Packet.ECHO_REQUEST, IDENT, 7, PAYLOAD); // our own, looped back
        assertFalse(parse(request, request.length, HOST, out));
        byte[] reply = echo(Icmp6Packet.ECHO_REPLY, IDENT, 7, PAYLOAD);
        assertFalse(parse(reply, 15, HOST, out), "a reply without the whole payload");
        for (int type : new int[] {133, 134, 135, 136, 2, 4}) { // RS, RA, NS, NA, too big, parameter problem
            byte[] p = echo(type, IDENT, 7, PAYLOAD);
            assertFalse(parse(p, p.length, ROUTER, out), "type " + type);
        }
        assertEquals(0, out.type, "rejected messages leave the result alone");
    }

    @Test
    void parsesUnreachableAndHopLimitErrorsQuotingOurRequest() {
        byte[] request = echo(Icmp6Packet.ECHO_REQUEST, IDENT, 3, PAYLOAD);
        byte[] p = error(Icmp6Packet.DEST_UNREACHABLE, 0, 58, request);
        Icmp6Packet.Parsed out = new Icmp6Packet.Parsed();
        assertTrue(parse(p, p.length, ROUTER, out));
        assertEquals(Icmp6Packet.DEST_UNREACHABLE, out.type);
        assertEquals(3, out.seq);
        assertEquals(PAYLOAD, out.payload, "the quote carries the whole request");
        assertEquals(half(HOST, 0), out.targetHigh, "the target is the quoted destination, not the router");
        assertEquals(half(HOST, 8), out.targetLow);
        assertEquals("unreachable (no route)", Icmp6Packet.describeError(out.type, out.code));

        byte[] ttl = error(Icmp6Packet.TIME_EXCEEDED, 0, 58, request);
        assertTrue(parse(ttl, ttl.length, ROUTER, out));
        assertEquals("hop limit exceeded", Icmp6Packet.describeError(out.type, out.code));
        assertEquals("unreachable (prohibited)", Icmp6Packet.describeError(1, 1));
        assertEquals("unreachable (address)", Icmp6Packet.describeError(1, 3));
        assertEquals("unreachable (code 9)", Icmp6Packet.describeError(1, 9));
    }

    @Test
    void rejectsErrorsAboutOtherPackets() {
        Icmp6Packet.Parsed out = new Icmp6Packet.Parsed();
        byte[] request = echo(Icmp6Packet.ECHO_REQUEST, IDENT, 3, PAYLOAD);
        byte[] udp = error(1, 4, 17, request);
        assertFalse(parse(udp, udp.length, ROUTER, out), "a quoted UDP datagram");
        byte[] other = error(1, 0, 58, echo(Icmp6Packet.ECHO_REQUEST, IDENT + 1, 3, PAYLOAD));
        assertFalse(parse(other, other.length, ROUTER, out), "someone else's ping");
        byte[] replyQuoted = error(1, 0, 58, echo(Icmp6Packet.ECHO_REPLY, IDENT, 3, PAYLOAD));
        assertFalse(parse(replyQuoted, replyQuoted.length, ROUTER, out), "an error about a reply");
        byte[] p = error(1, 0, 58, request);
        assertFalse(parse(p, p.length - 1, ROUTER, out), "a quote cut short");
        p[8] = 0x45;
        assertFalse(parse(p, p.length, ROUTER, out), "an IPv4 header quoted");
        assertEquals(0, out.type);
    }

    /** The fuzz seeds are real kernel messages ({@code scripts/fuzz-seeds}): each parses as what it is. */
    @Test
    void parsesMessagesCapturedFromTheKernel() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/dualwan/probe/PacketFuzzTestInputs/icmp6");
        byte[] gateway = addr("fe80::1");
        String[][] cases = {
                {"echo-reply", "129", "1", "2001:db8:1::1"},
                {"echo-reply-link-local", "129", "2", "fe80::1"},
                {"no-route", "1", "3", "2001:db8:c0::1", "unreachable (no route)"},
                {"prohibited", "1", "4", "2001:db8:c1::1", "unreachable (prohibited)"},
                {"hop-limit-exceeded", "3", "5", "2001:db8:c2::1", "hop limit exceeded"}};
        for (String[] c : cases) {
            byte[] p = java.nio.file.Files.readAllBytes(dir.resolve(c[0]));
            byte[] from = c[1].equals("129") ? addr(c[3]) : gateway;
            Icmp6Packet.Parsed out = new Icmp6Packet.Parsed();
            assertTrue(parse(p, p.length, from, out), c[0]);
            assertEquals(Integer.parseInt(c[1]), out.type, c[0]);
            assertEquals(Integer.parseInt(c[2]), out.seq, c[0]);
            assertEquals(PAYLOAD, out.payload, c[0]);
            assertEquals(half(addr(c[3]), 0), out.targetHigh, c[0]);
            assertEquals(half(addr(c[3]), 8), out.targetLow, c[0]);
            if (c.length > 4) assertEquals(c[4], Icmp6Packet.describeError(out.type, out.code), c[0]);
        }
    }

    @Test
    void aProbeKnowsItsFamilyAndWhetherItsTargetIsLinkLocal() {
        Probe global = new Probe(request("2001:db8:a::1"), 0);
        assertTrue(global.v6);
        assertFalse(global.linkLocal);
        assertEquals(Libc.AF_INET6, global.family());
        assertEquals(half(HOST, 0), global.target6High);
        assertEquals(half(HOST, 8), global.target6Low);
        assertTrue(new Probe(request("fe80::1"), 0).linkLocal);
        assertTrue(new Probe(request("febf::1"), 0).linkLocal);
        assertFalse(new Probe(request("fec0::1"), 0).linkLocal);
        assertEquals(3, new Probe(request("fe80::1%3"), 0).requestedScope);
        Probe v4 = new Probe(request("192.0.2.1"), 0);
        assertFalse(v4.v6);
        assertEquals(0xc0000201, v4.target);
        assertEquals(Libc.AF_INET, v4.family());
    }

    private static ProbeRequest request(String target) {
        return new ProbeRequest(1, "wan1", 0x65, InetAddress.ofLiteral(target), ProbeMethod.ICMP, Duration.ofMillis(500));
    }
}
