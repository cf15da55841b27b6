package dualwan.probe;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any datagram as a probe reply: the ICMP, ICMPv6 and DNS reply parsers never throw, never read past what was received,
 * accept only replies to our own probes, and leave the prober's state alone when they reject one. Seeds: real
 * replies captured in a scratch namespace ({@code scripts/fuzz-seeds}: echo reply, host unreachable,
 * prohibited, TTL exceeded from a gateway namespace, the same for ICMPv6 plus a link-local echo reply; dnsmasq's
 * answer to the prober's query), under
 * {@code src/test/resources/dualwan/probe/PacketFuzzTestInputs}.
 */
class PacketFuzzTest {

    /** The ident and DNS id the captured seeds were sent with. */
    static final int IDENT = 0x4242, DNS_ID = 0x5151;
    /** The payload of the captured ICMPv6 echo requests, and the sender of the captured global echo reply. */
    static final long ICMP6_PAYLOAD = 0x0102030405060708L;
    static final java.net.InetAddress ICMP6_FROM = java.net.InetAddress.ofLiteral("2001:db8:1::1");
    private static final long FROM_HIGH = java.nio.ByteBuffer.wrap(ICMP6_FROM.getAddress()).getLong(0);
    private static final long FROM_LOW = java.nio.ByteBuffer.wrap(ICMP6_FROM.getAddress()).getLong(8);
    /** The prober's receive buffer. */
    private static final int BUFFER = 1500;
    private static final int UNTOUCHED = 0x7eadbeef;

    @FuzzTest(maxDuration = "2m")
    void icmp(byte[] input) {
        byte[] packet = Arrays.copyOf(input, Math.min(input.length, BUFFER));
        IcmpPacket.Parsed exact = untouched();
        // An exact-size segment: any read past the received length would throw.
        boolean ours = IcmpPacket.parse(MemorySegment.ofArray(packet), packet.length, IDENT, exact);
        IcmpPacket.Parsed inBuffer = untouched();
        assertEquals(ours, IcmpPacket.parse(inBuffer(packet), packet.length, IDENT, inBuffer),
                "what follows the datagram in the buffer must not matter");
        assertEquals(fields(exact), fields(inBuffer));
        if (!ours) {
            assertEquals(fields(untouched()), fields(exact), "a rejected packet changes nothing");
            return;
        }
        int ihl = (packet[0] & 0x0f) * 4;
        assertTrue(exact.seq >= 0 && exact.seq <= 0xffff);
        switch (exact.type) {
            case IcmpPacket.ECHO_REPLY -> {
                assertEquals(IDENT, u16(packet, ihl + 4), "only our own echoes");
                assertEquals(u32(packet, 12), exact.target, "the target is the reply's source");
            }
            case IcmpPacket.DEST_UNREACHABLE, IcmpPacket.TIME_EXCEEDED -> {
                int inner = ihl + 8;
                int echo = inner + (packet[inner] & 0x0f) * 4;
                assertEquals(IcmpPacket.ECHO_REQUEST, packet[echo], "only errors about our echo requests");
                assertEquals(IDENT, u16(packet, echo + 4));
                assertEquals(u32(packet, inner + 16), exact.target, "the target is the quoted destination");
                assertFalse(IcmpPacket.describeError(exact.type, exact.code).isBlank());
            }
            default -> throw new AssertionError("accepted ICMP type " + exact.type);
        }
    }

    /** Any message as read from a raw ICMPv6 socket (no IPv6 header), sent by {@link #ICMP6_FROM}. */
    @FuzzTest(maxDuration = "2m")
    void icmp6(byte[] input) {
        byte[] packet = Arrays.copyOf(input, Math.min(input.length, BUFFER));
        Icmp6Packet.Parsed exact = untouched6();
        boolean ours = Icmp6Packet.parse(MemorySegment.ofArray(packet), packet.length, IDENT, FROM_HIGH, FROM_LOW, exact);
        Icmp6Packet.Parsed inBuffer = untouched6();
        assertEquals(ours, Icmp6Packet.parse(inBuffer(packet), packet.length, IDENT, FROM_HIGH, FROM_LOW, inBuffer),
                "what follows the datagram in the buffer must not matter");
        assertEquals(fields(exact), fields(inBuffer));
        if (!ours) {
            assertEquals(fields(untouched6()), fields(exact), "a rejected message changes nothing");
            return;
        }
        assertTrue(exact.seq >= 0 && exact.seq <= 0xffff);
        switch (exact.type) {
            case Icmp6Packet.ECHO_REPLY -> {
                assertEquals(IDENT, u16(packet, 4), "only our own echoes");
                assertEquals(u64(packet, 8), exact.payload, "the reply's payload, to compare with ours");
                assertEquals(FROM_HIGH, exact.targetHigh, "the target is the reply's sender");
                assertEquals(FROM_LOW, exact.targetLow);
            }
            case Icmp6Packet.DEST_UNREACHABLE, Icmp6Packet.TIME_EXCEEDED -> {
                assertEquals(0x60, packet[8] & 0xf0, "a quoted IPv6 header");
                assertEquals(Icmp6Packet.NEXT_HEADER_ICMPV6, packet[14], "quoting an ICMPv6 message");
                assertEquals(Icmp6Packet.ECHO_REQUEST, packet[48] & 0xff, "only errors about our echo requests");
                assertEquals(IDENT, u16(packet, 52));
                assertEquals(u64(packet, 56), exact.payload, "the quoted request's payload");
                assertEquals(u64(packet, 32), exact.targetHigh, "the target is the quoted destination");
                assertEquals(u64(packet, 40), exact.targetLow);
                assertFalse(Icmp6Packet.describeError(exact.type, exact.code).isBlank());
            }
            default -> throw new AssertionError("accepted ICMPv6 type " + exact.type);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void dns(byte[] input) {
        byte[] datagram = Arrays.copyOf(input, Math.min(input.length, BUFFER));
        boolean answer = DnsPacket.isResponseTo(MemorySegment.ofArray(datagram), datagram.length, DNS_ID);
        assertEquals(answer, DnsPacket.isResponseTo(inBuffer(datagram), datagram.length, DNS_ID));
        boolean expected = datagram.length >= 12 && u16(datagram, 0) == DNS_ID && (datagram[2] & 0x80) != 0;
        assertEquals(expected, answer, "a response (QR set, any rcode) to our query id, and nothing else");
    }

    /** The datagram at the start of a receive buffer whose rest holds an earlier, longer one. */
    private static MemorySegment inBuffer(byte[] datagram) {
        byte[] buffer = new byte[BUFFER];
        Arrays.fill(buffer, (byte) 0x45);
        System.arraycopy(datagram, 0, buffer, 0, datagram.length);
        return MemorySegment.ofArray(buffer);
    }

    private static IcmpPacket.Parsed untouched() {
        IcmpPacket.Parsed p = new IcmpPacket.Parsed();
        p.type = UNTOUCHED;
        p.code = UNTOUCHED;
        p.seq = UNTOUCHED;
        p.target = UNTOUCHED;
        return p;
    }

    private static Icmp6Packet.Parsed untouched6() {
        Icmp6Packet.Parsed p = new Icmp6Packet.Parsed();
        p.type = UNTOUCHED;
        p.code = UNTOUCHED;
        p.seq = UNTOUCHED;
        p.payload = UNTOUCHED;
        p.targetHigh = UNTOUCHED;
        p.targetLow = UNTOUCHED;
        return p;
    }

    private static String fields(Icmp6Packet.Parsed p) {
        return p.type + "/" + p.code + "/" + p.seq + "/" + p.payload + "/" + p.targetHigh + "/" + p.targetLow;
    }

    private static long u64(byte[] b, int at) {
        return (long) u32(b, at) << 32 | (u32(b, at + 4) & 0xffff_ffffL);
    }

    private static String fields(IcmpPacket.Parsed p) {
        return p.type + "/" + p.code + "/" + p.seq + "/" + p.target;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static int u32(byte[] b, int at) {
        return u16(b, at) << 16 | u16(b, at + 2);
    }
}
