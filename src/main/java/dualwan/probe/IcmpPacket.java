package dualwan.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** ICMP echo codec. Works on any segment (native buffers in the prober, heap arrays in tests). */
final class IcmpPacket {
    private IcmpPacket() {}

    static final int ECHO_REPLY = 0, DEST_UNREACHABLE = 3, ECHO_REQUEST = 8, TIME_EXCEEDED = 11;
    /** 8-byte header plus an 8-byte payload: a random nonce per probe that a genuine reply echoes. */
    static final int ECHO_LENGTH = 16;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** RFC 1071 internet checksum of {@code length} bytes from {@code offset}. */
    static int checksum(MemorySegment s, long offset, int length) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < length; i += 2) sum += Short.toUnsignedInt(s.get(U16, offset + i));
        if (i < length) sum += (Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, offset + i)) << 8);
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }

    /** Writes an echo request of {@link #ECHO_LENGTH} bytes at offset 0. */
    static void writeEchoRequest(MemorySegment s, int ident, int seq, long payload) {
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) ECHO_REQUEST);
        s.set(ValueLayout.JAVA_BYTE, 1, (byte) 0);
        s.set(U16, 2, (short) 0);
        s.set(U16, 4, (short) ident);
        s.set(U16, 6, (short) seq);
        s.set(U64, 8, payload);
        s.set(U16, 2, (short) checksum(s, 0, ECHO_LENGTH));
    }

    /**
     * What a received packet says about one of our echoes. Reused by the I/O thread: parsing allocates
     * nothing.
     */
    static final class Parsed {
        /** ECHO_REPLY, or DEST_UNREACHABLE / TIME_EXCEEDED quoting one of our requests. */
        int type;
        int code;
        int seq;
        /** The probed host: the reply's source, or the quoted request's destination. */
        int target;
        /** The echoed (or quoted) 8-byte payload, if the packet carries all of it. */
        boolean hasPayload;
        long payload;
    }

    /**
     * Parses a packet read from a raw ICMP socket (it starts with the IPv4 header). Returns true if it
     * is an echo reply carrying {@code ident}, or an ICMP error quoting an echo request with
     * {@code ident}; everything else (other pings on the host, garbage) returns false. Whether it answers one
     * of our probes (sequence number, source, payload, socket) is the caller's check ({@link IcmpProbes}).
     */
    static boolean parse(MemorySegment s, int length, int ident, Parsed out) {
        if (length < 20) return false;
        int ihl = (s.get(ValueLayout.JAVA_BYTE, 0) & 0x0f) * 4;
        if (ihl < 20 || length < ihl + 8) return false;
        int type = Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, ihl));
        int code = Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, ihl + 1));
        if (type == ECHO_REPLY) {
            if (Short.toUnsignedInt(s.get(U16, ihl + 4)) != ident) return false;
            out.type = type;
            out.code = code;
            out.seq = Short.toUnsignedInt(s.get(U16, ihl + 6));
            out.target = s.get(U32, 12);
            readPayload(s, length, ihl + 8, out);
            return true;
        }
        if (type == DEST_UNREACHABLE || type == TIME_EXCEEDED) {
            // The error quotes our original IP header plus the first 8 bytes of our echo request.
            int inner = ihl + 8;
            if (length < inner + 20) return false;
            int innerIhl = (s.get(ValueLayout.JAVA_BYTE, inner) & 0x0f) * 4;
            if (innerIhl < 20 || length < inner + innerIhl + 8) return false;
            if (s.get(ValueLayout.JAVA_BYTE, inner + 9) != Libc.IPPROTO_ICMP) return false;
            int echo = inner + innerIhl;
            if (s.get(ValueLayout.JAVA_BYTE, echo) != ECHO_REQUEST) return false;
            if (Short.toUnsignedInt(s.get(U16, echo + 4)) != ident) return false;
            out.type = type;
            out.code = code;
            out.seq = Short.toUnsignedInt(s.get(U16, echo + 6));
            out.target = s.get(U32, inner + 16);
            readPayload(s, length, echo + 8, out); // RFC 792 quotes only 8 bytes; Linux quotes more
            return true;
        }
        return false;
    }

    private static void readPayload(MemorySegment s, int length, int at, Parsed out) {
        out.hasPayload = length >= at + 8;
        out.payload = out.hasPayload ? s.get(U64, at) : 0;
    }

    /** Short miss reason for an ICMP error. */
    static String describeError(int type, int code) {
        if (type == TIME_EXCEEDED) return "ttl exceeded";
        return switch (code) {
            case 0 -> "unreachable (net)";
            case 1 -> "unreachable (host)";
            case 9, 10, 13 -> "unreachable (prohibited)";
            default -> "unreachable (code " + code + ")";
        };
    }
}
