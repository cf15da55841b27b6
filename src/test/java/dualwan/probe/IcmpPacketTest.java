package dualwan.probe;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IcmpPacketTest {

    private static MemorySegment bytes(int... b) {
        byte[] a = new byte[b.length];
        for (int i = 0; i < b.length; i++) a[i] = (byte) b[i];
        return MemorySegment.ofArray(a);
    }

    @Test
    void checksumMatchesRfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, so the checksum is ~ddf2.
        assertEquals(0x220d, IcmpPacket.checksum(bytes(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7), 0, 8));
    }

    @Test
    void checksumOfBareEchoRequestAndOddLength() {
        // type 8, code 0, id 1, seq 1: 0x0800 + 0x0001 + 0x0001 = 0x0802
        assertEquals(0xf7fd, IcmpPacket.checksum(bytes(8, 0, 0, 0, 0, 1, 0, 1), 0, 8));
        // an odd trailing byte counts as the high byte of a last word
        assertEquals(~0x0100 & 0xffff, IcmpPacket.checksum(bytes(1), 0, 1));
    }

    @Test
    void echoRequestIsWellFormed() {
        MemorySegment s = MemorySegment.ofArray(new byte[IcmpPacket.ECHO_LENGTH]);
        IcmpPacket.writeEchoRequest(s, 0xbeef, 0x1234, 0x0102030405060708L);
        byte[] b = s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertEquals(8, b[0]);
        assertEquals(0, b[1]);
        assertEquals(0xbe, b[4] & 0xff);
        assertEquals(0xef, b[5] & 0xff);
        assertEquals(0x12, b[6]);
        assertEquals(0x34, b[7]);
        assertEquals(1, b[8]);
        assertEquals(8, b[15]);
        assertEquals(0, IcmpPacket.checksum(s, 0, IcmpPacket.ECHO_LENGTH), "a valid packet sums to zero");
    }

    /** IPv4 header (IHL 5) from src to dst with protocol ICMP, followed by {@code icmp}. */
    private static byte[] ip(int[] src, int[] dst, byte[] icmp) {
        byte[] p = new byte[20 + icmp.length];
        p[0] = 0x45;
        p[9] = 1;
        for (int i = 0; i < 4; i++) {
            p[12 + i] = (byte) src[i];
            p[16 + i] = (byte) dst[i];
        }
        System.arraycopy(icmp, 0, p, 20, icmp.length);
        return p;
    }

    private static byte[] echo(int type, int ident, int seq) {
        MemorySegment s = MemorySegment.ofArray(new byte[IcmpPacket.ECHO_LENGTH]);
        IcmpPacket.writeEchoRequest(s, ident, seq, 42);
        byte[] b = s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        b[0] = (byte) type;
        return b;
    }

    private static final int[] ME = {100, 64, 201, 1}, HOST = {192, 0, 2, 1}, ROUTER = {100, 64, 201, 2};
    private static final int HOST_INT = 0xc0000201;

    @Test
    void parsesEchoReplyForOurIdent() {
        byte[] p = ip(HOST, ME, echo(0, 0x4242, 7));
        IcmpPacket.Parsed out = new IcmpPacket.Parsed();
        assertTrue(IcmpPacket.parse(MemorySegment.ofArray(p), p.length, 0x4242, out));
        assertEquals(0, out.type);
        assertEquals(7, out.seq);
        assertEquals(HOST_INT, out.target);
    }

    @Test
    void ignoresOtherIdentsRequestsAndRunts() {
        IcmpPacket.Parsed out = new IcmpPacket.Parsed();
        byte[] other = ip(HOST, ME, echo(0, 0x4243, 7));
        assertFalse(IcmpPacket.parse(MemorySegment.ofArray(other), other.length, 0x4242, out));
        byte[] request = ip(HOST, ME, echo(8, 0x4242, 7));
        assertFalse(IcmpPacket.parse(MemorySegment.ofArray(request), request.length, 0x4242, out));
        byte[] p = ip(HOST, ME, echo(0, 0x4242, 7));
        assertFalse(IcmpPacket.parse(MemorySegment.ofArray(p), 25, 0x4242, out));
        p[0] = 0x44; // IHL below 5 is malformed
        assertFalse(IcmpPacket.parse(MemorySegment.ofArray(p), p.length, 0x4242, out));
    }

    @Test
    void honoursIpOptions() {
        byte[] plain = ip(HOST, ME, echo(0, 0x4242, 9));
        byte[] p = new byte[plain.length + 4];
        System.arraycopy(plain, 0, p, 0, 20);
        p[0] = 0x46; // IHL 6: four bytes of options
        System.arraycopy(plain, 20, p, 24, plain.length - 20);
        IcmpPacket.Parsed out = new IcmpPacket.Parsed();
        assertTrue(IcmpPacket.parse(MemorySegment.ofArray(p), p.length, 0x4242, out));
        assertEquals(9, out.seq);
    }

    @Test
    void parsesUnreachableQuotingOurRequest() {
        byte[] quoted = ip(ME, HOST, echo(8, 0x4242, 3)); // our original request, as the router saw it
        byte[] error = new byte[8 + 28];
        error[0] = 3;
        error[1] = 1; // host unreachable
        System.arraycopy(quoted, 0, error, 8, 28); // IP header + first 8 bytes of ICMP
        byte[] p = ip(ROUTER, ME, error);
        IcmpPacket.Parsed out = new IcmpPacket.Parsed();
        assertTrue(IcmpPacket.parse(MemorySegment.ofArray(p), p.length, 0x4242, out));
        assertEquals(3, out.type);
        assertEquals(3, out.seq);
        assertEquals(HOST_INT, out.target, "the target is the quoted destination, not the router");
        assertEquals("unreachable (host)", IcmpPacket.describeError(out.type, out.code));
        assertFalse(IcmpPacket.parse(MemorySegment.ofArray(p), p.length, 0x4243, out));
    }
}
