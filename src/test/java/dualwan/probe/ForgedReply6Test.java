package dualwan.probe;

import dualwan.model.ProbeMethod;
import dualwan.model.ProbeRequest;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link ForgedReplyTest} for ICMPv6 ({@link IcmpProbes#answered6}, after {@link Icmp6Packet#parse}): the same
 * forgeries are refused, and a reply to a link-local target counts only from the probe's own link.
 */
class ForgedReply6Test {
    private static final int IDENT1 = 0x1d1d, IDENT2 = 0x2e2e, WAN1_INDEX = 3, WAN2_INDEX = 4;
    private static final String ME = "fd00:65::2", HOST = "2001:db8:a::1", OTHER_HOST = "2001:db8:b::1",
            ROUTER = "fe80::1";

    private final IcmpSocket wan1 = new IcmpSocket(true, "wan1", 0x101, -1, IDENT1);
    private final IcmpSocket wan2 = new IcmpSocket(true, "wan2", 0x102, -1, IDENT2);
    private final List<Probe> inFlight = new ArrayList<>();

    private Probe probe(IcmpSocket s, String host, int seq, long payload) {
        Probe p = new Probe(new ProbeRequest(inFlight.size(), s.device, s.mark, InetAddress.ofLiteral(host),
                ProbeMethod.ICMP, Duration.ofMillis(500)), System.nanoTime());
        p.icmp = s;
        p.seq = seq;
        p.payload = payload;
        p.scope = p.linkLocal ? (s == wan1 ? WAN1_INDEX : WAN2_INDEX) : 0; // as ProbeLoop.scopeToDevice sets it
        inFlight.add(p);
        return p;
    }

    /** The probe that {@code packet} from {@code from} (with the sender's scope id) answers on {@code s}, or null. */
    private Probe answers(IcmpSocket s, String from, int fromScope, byte[] packet) {
        byte[] a = addr(from);
        Icmp6Packet.Parsed parsed = new Icmp6Packet.Parsed();
        if (!Icmp6Packet.parse(MemorySegment.ofArray(packet), packet.length, s.ident, half(a, 0), half(a, 8), parsed)) {
            return null;
        }
        return IcmpProbes.answered6(inFlight, s, parsed, fromScope);
    }

    private Probe answers(IcmpSocket s, String from, byte[] packet) {
        return answers(s, from, 0, packet);
    }

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

    private static byte[] reply(int ident, int seq, long payload) {
        return echo(Icmp6Packet.ECHO_REPLY, ident, seq, payload);
    }

    /** A no-route unreachable quoting our whole request from ME to {@code target} (as RFC 4443 and Linux do). */
    private static byte[] unreachable(String target, int ident, int seq, long payload) {
        byte[] request = echo(Icmp6Packet.ECHO_REQUEST, ident, seq, payload);
        byte[] p = new byte[8 + 40 + request.length];
        p[0] = Icmp6Packet.DEST_UNREACHABLE;
        p[8] = 0x60;
        p[8 + 5] = (byte) request.length;
        p[8 + 6] = Icmp6Packet.NEXT_HEADER_ICMPV6;
        p[8 + 7] = 64;
        System.arraycopy(addr(ME), 0, p, 8 + 8, 16);
        System.arraycopy(addr(target), 0, p, 8 + 24, 16);
        System.arraycopy(request, 0, p, 48, request.length);
        return p;
    }

    @Test
    void theGenuineReplyAnswersItsProbe() {
        Probe p = probe(wan1, HOST, 0x4711, 0x0123456789abcdefL);
        probe(wan1, OTHER_HOST, 0x0815, 42);
        assertSame(p, answers(wan1, HOST, reply(IDENT1, 0x4711, 0x0123456789abcdefL)));
    }

    @Test
    void aReplyWithTheRightIdsButAnotherPayloadIsForged() {
        probe(wan1, HOST, 0x4711, 0x0123456789abcdefL);
        assertNull(answers(wan1, HOST, reply(IDENT1, 0x4711, 0x0123456789abcdeeL)));
        assertNull(answers(wan1, HOST, reply(IDENT1, 0x4711, 0)));
        byte[] truncated = reply(IDENT1, 0x4711, 0x0123456789abcdefL);
        assertNull(answers(wan1, HOST, java.util.Arrays.copyOf(truncated, truncated.length - 1)), "payload cut short");
    }

    @Test
    void aReplyFromAnotherSourceOrWithAnotherIdOrSequenceIsStray() {
        probe(wan1, HOST, 0x4711, 77);
        assertNull(answers(wan1, OTHER_HOST, reply(IDENT1, 0x4711, 77)), "right ids, wrong source");
        assertNull(answers(wan1, ROUTER, WAN1_INDEX, reply(IDENT1, 0x4711, 77)), "right ids, from the router");
        assertNull(answers(wan1, HOST, reply(IDENT2, 0x4711, 77)), "another socket's identifier");
        assertNull(answers(wan1, HOST, reply(IDENT1, 0x4712, 77)), "the next sequence number");
    }

    @Test
    void theRightReplyArrivingOnAnotherSocketAnswersNothing() {
        probe(wan1, HOST, 0x4711, 77);
        Probe onWan2 = probe(wan2, HOST, 0x4711, 78);
        assertNull(answers(wan2, HOST, reply(IDENT1, 0x4711, 77)), "wan1's reply arriving on wan2");
        assertNull(answers(wan2, HOST, reply(IDENT2, 0x4711, 77)), "wan1's payload with wan2's identifier");
        assertSame(onWan2, answers(wan2, HOST, reply(IDENT2, 0x4711, 78)));
    }

    @Test
    void aReplayOfAnAnsweredProbeMatchesNothingButALateReplyStillCounts() {
        Probe old = probe(wan1, HOST, 0x4711, 77);
        old.done = true;
        Probe late = probe(wan1, HOST, 0x9a9a, 99);
        late.timedOut = true;
        assertNull(answers(wan1, HOST, reply(IDENT1, 0x4711, 77)));
        assertSame(late, answers(wan1, HOST, reply(IDENT1, 0x9a9a, 99)));
    }

    @Test
    void anErrorMustQuoteExactlyOurRequest() {
        Probe p = probe(wan1, HOST, 0x4711, 77);
        assertSame(p, answers(wan1, ROUTER, WAN1_INDEX, unreachable(HOST, IDENT1, 0x4711, 77)));
        assertNull(answers(wan1, ROUTER, WAN1_INDEX, unreachable(HOST, IDENT1, 0x4711, 78)), "another payload");
        assertNull(answers(wan1, ROUTER, WAN1_INDEX, unreachable(HOST, IDENT1, 0x4712, 77)), "another sequence");
        assertNull(answers(wan1, ROUTER, WAN1_INDEX, unreachable(OTHER_HOST, IDENT1, 0x4711, 77)), "another host");
    }

    @Test
    void aLinkLocalReplyCountsOnlyFromTheProbesOwnLink() {
        Probe p = probe(wan1, ROUTER, 0x4711, 77);
        assertNull(answers(wan1, ROUTER, WAN2_INDEX, reply(IDENT1, 0x4711, 77)), "wan2's fe80::1");
        assertNull(answers(wan1, ROUTER, 0, reply(IDENT1, 0x4711, 77)), "no scope");
        assertSame(p, answers(wan1, ROUTER, WAN1_INDEX, reply(IDENT1, 0x4711, 77)));
    }

    @Test
    void ipv6SequenceNumbersComeFromTheSameRandomAndPerSocketRule() {
        probe(wan1, HOST, 0x4711, 1);
        assertNotEquals(0x4711, IcmpProbes.freeSeq(new FixedRandom(0x4711, 0x4712), inFlight, wan1));
        IcmpSocket v4 = new IcmpSocket(false, "wan1", 0x101, -1, IDENT2);
        assertEquals(0x4711, IcmpProbes.freeSeq(new FixedRandom(0x4711), inFlight, v4), "another socket's is free");
    }

    /** Returns the given numbers, then repeats the last. */
    private static final class FixedRandom extends java.security.SecureRandom {
        private final int[] values;
        private int next;

        FixedRandom(int... values) {
            this.values = values;
        }

        @Override
        public int nextInt(int bound) {
            return values[Math.min(next++, values.length - 1)];
        }
    }
}
