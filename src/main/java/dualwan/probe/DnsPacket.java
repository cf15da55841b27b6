package dualwan.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The smallest useful DNS query: "." NS IN without recursion. Any server answers it from its own
 * state (referral, REFUSED, ...) without asking anyone else, so the answer proves only that the
 * probed host itself is reachable, which is exactly what we want.
 */
final class DnsPacket {
    private DnsPacket() {}

    static final int PORT = 53;
    /** 12-byte header, root name (one zero byte), QTYPE, QCLASS. */
    static final int QUERY_LENGTH = 17;
    private static final int TYPE_NS = 2, CLASS_IN = 1;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static void writeQuery(MemorySegment s, int id) {
        s.asSlice(0, QUERY_LENGTH).fill((byte) 0); // flags 0: standard query, RD=0; counts below
        s.set(U16, 0, (short) id);
        s.set(U16, 4, (short) 1);          // QDCOUNT
        s.set(ValueLayout.JAVA_BYTE, 12, (byte) 0); // QNAME "."
        s.set(U16, 13, (short) TYPE_NS);
        s.set(U16, 15, (short) CLASS_IN);
    }

    /** True for a response (QR set) to query {@code id}, whatever its rcode: the host answered. */
    static boolean isResponseTo(MemorySegment s, int length, int id) {
        if (length < 12) return false;
        return Short.toUnsignedInt(s.get(U16, 0)) == (id & 0xffff)
                && (s.get(ValueLayout.JAVA_BYTE, 2) & 0x80) != 0;
    }
}
