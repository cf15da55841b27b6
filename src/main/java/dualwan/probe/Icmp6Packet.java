package dualwan.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ICMPv6 echo codec (RFC 4443). A raw ICMPv6 socket reads and writes the ICMPv6 message alone, without the IPv6
 * header (the sender's address comes from recvfrom), and the kernel fills in the checksum, which covers a
 * pseudo-header only it knows for sure. Works on any segment (native buffers in the prober, heap arrays in tests).
 */
final class Icmp6Packet {
    private Icmp6Packet() {}

    static final int DEST_UNREACHABLE = 1, PACKET_TOO_BIG = 2, TIME_EXCEEDED = 3, PARAMETER_PROBLEM = 4;
    static final int ECHO_REQUEST = 128, ECHO_REPLY = 129;
    /** 8-byte header plus an 8-byte payload: an unpredictable value the reply must carry back unchanged. */
    static final int ECHO_LENGTH = 16;
    /** Next-header value of ICMPv6 in the quoted IPv6 header of an error. */
    static final int NEXT_HEADER_ICMPV6 = 58;
    private static final int IPV6_HEADER = 40;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Writes an echo request of {@link #ECHO_LENGTH} bytes at offset 0; the kernel computes the checksum. */
    static void writeEchoRequest(MemorySegment s, int ident, int seq, long payload) {
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) ECHO_REQUEST);
        s.set(ValueLayout.JAVA_BYTE, 1, (byte) 0);
        s.set(U16, 2, (short) 0);
        s.set(U16, 4, (short) ident);
        s.set(U16, 6, (short) seq);
        s.set(U64, 8, payload);
    }

    /** What a received message says about one of our echoes. Reused by the I/O thread: parsing allocates nothing. */
    static final class Parsed {
        /** ECHO_REPLY, or DEST_UNREACHABLE / TIME_EXCEEDED quoting one of our requests. */
        int type;
        int code;
        int seq;
        long payload;
        /** The probed host: the reply's sender, or the quoted request's destination. */
        long targetHigh, targetLow;
    }

    /**
     * Parses a message read from a raw ICMPv6 socket, sent by {@code fromHigh}/{@code fromLow}. Returns true if it
     * is an echo reply carrying {@code ident}, or an error (unreachable, hop limit exceeded) quoting a whole echo
     * request with {@code ident}; everything else (other pings on the host, neighbour discovery, garbage) returns
     * false and leaves {@code out} alone.
     */
    static boolean parse(MemorySegment s, int length, int ident, long fromHigh, long fromLow, Parsed out) {
        if (length < 8) return false;
        int type = Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, 0));
        int code = Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, 1));
        if (type == ECHO_REPLY) {
            if (length < ECHO_LENGTH || Short.toUnsignedInt(s.get(U16, 4)) != ident) return false;
            out.type = type;
            out.code = code;
            out.seq = Short.toUnsignedInt(s.get(U16, 6));
            out.payload = s.get(U64, 8);
            out.targetHigh = fromHigh;
            out.targetLow = fromLow;
            return true;
        }
        if (type == DEST_UNREACHABLE || type == TIME_EXCEEDED) {
            // RFC 4443 errors quote as much of the invoking packet as fits in 1280 bytes: all of our 56 bytes.
            int inner = 8, echo = inner + IPV6_HEADER;
            if (length < echo + ECHO_LENGTH) return false;
            if ((s.get(ValueLayout.JAVA_BYTE, inner) & 0xf0) != 0x60) return false;
            if (Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, inner + 6)) != NEXT_HEADER_ICMPV6) return false;
            if (Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, echo)) != ECHO_REQUEST) return false;
            if (Short.toUnsignedInt(s.get(U16, echo + 4)) != ident) return false;
            out.type = type;
            out.code = code;
            out.seq = Short.toUnsignedInt(s.get(U16, echo + 6));
            out.payload = s.get(U64, echo + 8);
            out.targetHigh = s.get(U64, inner + 24);
            out.targetLow = s.get(U64, inner + 32);
            return true;
        }
        return false;
    }

    /** Short miss reason for an ICMPv6 error. */
    static String describeError(int type, int code) {
        if (type == TIME_EXCEEDED) return "hop limit exceeded";
        return switch (code) {
            case 0 -> "unreachable (no route)";
            case 1 -> "unreachable (prohibited)";
            case 2 -> "unreachable (beyond scope)";
            case 3 -> "unreachable (address)";
            case 4 -> "unreachable (port)";
            case 5 -> "unreachable (source policy)";
            case 6 -> "unreachable (reject route)";
            default -> "unreachable (code " + code + ")";
        };
    }
}
