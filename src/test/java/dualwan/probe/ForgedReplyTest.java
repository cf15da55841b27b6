package dualwan.probe;

import dualwan.model.ProbeMethod;
import dualwan.model.ProbeRequest;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which received packet answers which ICMP probe ({@link IcmpProbes#answered}, after {@link IcmpPacket#parse}):
 * only the reply to that very request, on the socket it left from. Every forgery a host on the path can make
 * without the request's exact contents is refused; the lab counterpart is {@code dualwan.it.ForgedReplyLabTest}.
 */
class ForgedReplyTest {
    private static final int IDENT1 = 0x1d1d, IDENT2 = 0x2e2e;
    private static final int[] ME = {100, 64, 1, 2}, HOST = {192, 0, 2, 1}, OTHER_HOST = {198, 51, 100, 1},
            ROUTER = {100, 64, 1, 1};

    private final IcmpSocket wan1 = new IcmpSocket(false, "wan1", 0x101, -1, IDENT1);
    private final IcmpSocket wan2 = new IcmpSocket(false, "wan2", 0x102, -1, IDENT2);
    private final List<Probe> inFlight = new ArrayList<>();

    private Probe probe(IcmpSocket s, int[] host, int seq, long payload) {
        byte[] a = new byte[4];
        for (int i = 0; i < 4; i++) a[i] = (byte) host[i];
        Inet4Address target;
        try {
            target = (Inet4Address) Inet4Address.getByAddress(a);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
        Probe p = new Probe(new ProbeRequest(inFlight.size(), s.device, s.mark, target, ProbeMethod.ICMP,
                Duration.ofMillis(500)), System.nanoTime());
        p.icmp = s;
        p.seq = seq;
        p.payload = payload;
        inFlight.add(p);
        return p;
    }

    /** What the probe matching {@code packet} on {@code s} would be, or null. */
    private Probe answers(IcmpSocket s, byte[] packet) {
        IcmpPacket.Parsed parsed = new IcmpPacket.Parsed();
        if (!IcmpPacket.parse(MemorySegment.ofArray(packet), packet.length, s.ident, parsed)) return null;
        return IcmpProbes.answered(inFlight, s, parsed);
    }

    private static byte[] echo(int type, int ident, int seq, long payload) {
        MemorySegment s = MemorySegment.ofArray(new byte[IcmpPacket.ECHO_LENGTH]);
        IcmpPacket.writeEchoRequest(s, ident, seq, payload);
        byte[] b = s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        b[0] = (byte) type;
        return b;
    }

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

    private static byte[] reply(int[] from, int ident, int seq, long payload) {
        return ip(from, ME, echo(IcmpPacket.ECHO_REPLY, ident, seq, payload));
    }

    /** A host-unreachable from ROUTER quoting our request with {@code quoted} bytes of its ICMP part. */
    private static byte[] unreachable(int ident, int seq, long payload, int quoted) {
        byte[] request = ip(ME, HOST, echo(IcmpPacket.ECHO_REQUEST, ident, seq, payload));
        byte[] error = new byte[8 + 20 + quoted];
        error[0] = IcmpPacket.DEST_UNREACHABLE;
        error[1] = 1;
        System.arraycopy(request, 0, error, 8, 20 + quoted);
        return ip(ROUTER, ME, error);
    }

    @Test
    void theGenuineReplyAnswersItsProbe() {
        Probe p = probe(wan1, HOST, 0x4711, 0x0123456789abcdefL);
        probe(wan1, OTHER_HOST, 0x0815, 42);
        assertSame(p, answers(wan1, reply(HOST, IDENT1, 0x4711, 0x0123456789abcdefL)));
    }

    @Test
    void aReplyWithTheRightIdsButAnotherPayloadIsForged() {
        probe(wan1, HOST, 0x4711, 0x0123456789abcdefL);
        assertNull(answers(wan1, reply(HOST, IDENT1, 0x4711, 0x0123456789abcdeeL)));
        assertNull(answers(wan1, reply(HOST, IDENT1, 0x4711, 0)));
        byte[] truncated = reply(HOST, IDENT1, 0x4711, 0x0123456789abcdefL);
        assertNull(answers(wan1, java.util.Arrays.copyOf(truncated, truncated.length - 1)), "a payload cut short");
        byte[] header = java.util.Arrays.copyOf(truncated, 28);
        assertNull(answers(wan1, header), "no payload at all");
    }

    @Test
    void aReplyFromAnotherSourceOrWithAnotherIdOrSequenceIsStray() {
        probe(wan1, HOST, 0x4711, 77);
        assertNull(answers(wan1, reply(OTHER_HOST, IDENT1, 0x4711, 77)), "right ids, wrong source");
        assertNull(answers(wan1, reply(ROUTER, IDENT1, 0x4711, 77)), "right ids, from the gateway");
        assertNull(answers(wan1, reply(HOST, IDENT2, 0x4711, 77)), "another socket's identifier");
        assertNull(answers(wan1, reply(HOST, IDENT1, 0x4712, 77)), "the next sequence number");
    }

    @Test
    void theRightReplyArrivingOnAnotherSocketAnswersNothing() {
        probe(wan1, HOST, 0x4711, 77);
        Probe onWan2 = probe(wan2, HOST, 0x4711, 78); // even with the same host and sequence number
        assertNull(answers(wan2, reply(HOST, IDENT1, 0x4711, 77)), "wan1's reply arriving on wan2");
        assertNull(answers(wan2, reply(HOST, IDENT2, 0x4711, 77)), "wan1's payload with wan2's identifier");
        assertSame(onWan2, answers(wan2, reply(HOST, IDENT2, 0x4711, 78)));
    }

    @Test
    void aReplayOfAnAnsweredProbeMatchesNothing() {
        Probe old = probe(wan1, HOST, 0x4711, 77);
        old.done = true; // answered (or past its late-reply horizon): forgotten
        probe(wan1, HOST, 0x9a9a, 99);
        assertNull(answers(wan1, reply(HOST, IDENT1, 0x4711, 77)));
    }

    @Test
    void aTimedOutProbeStillTakesItsOwnLateReply() {
        Probe p = probe(wan1, HOST, 0x4711, 77);
        p.timedOut = true;
        assertSame(p, answers(wan1, reply(HOST, IDENT1, 0x4711, 77)));
    }

    @Test
    void anErrorMustQuoteOurPayloadIfItQuotesOneAtAll() {
        Probe p = probe(wan1, HOST, 0x4711, 77);
        assertSame(p, answers(wan1, unreachable(IDENT1, 0x4711, 77, 16)), "Linux quotes the whole request");
        assertSame(p, answers(wan1, unreachable(IDENT1, 0x4711, 1234, 8)), "RFC 792 quotes only 8 bytes");
        assertNull(answers(wan1, unreachable(IDENT1, 0x4711, 78, 16)), "a quoted request we never sent");
        assertNull(answers(wan1, unreachable(IDENT1, 0x4712, 77, 16)));
    }

    @Test
    void sequenceNumbersAreRandomAndNeverShareASocketWithAListeningProbe() {
        java.security.SecureRandom random = new java.security.SecureRandom();
        List<Integer> seqs = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int seq = IcmpProbes.freeSeq(random, inFlight, wan1);
            seqs.add(seq);
            probe(wan1, HOST, seq, random.nextLong()); // still listening: its number is taken
        }
        assertEquals(seqs.size(), seqs.stream().distinct().count(), "a number given twice on one socket");
        int consecutive = 0;
        for (int i = 1; i < seqs.size(); i++) if (((seqs.get(i) - seqs.get(i - 1)) & 0xffff) == 1) consecutive++;
        // A counter gives 1999; random numbers about 2000/65536.
        assertTrue(consecutive < 10, "sequence numbers follow each other " + consecutive + " times in 2000");
        inFlight.forEach(p -> p.done = true);
        probe(wan2, HOST, 0x4711, 1);
        assertNotEquals(0x4711, IcmpProbes.freeSeq(new FixedRandom(0x4711, 0x4712), inFlight, wan2));
        assertEquals(0x4711, IcmpProbes.freeSeq(new FixedRandom(0x4711), inFlight, wan1), "done probes free theirs");
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
