package dualwan.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsPacketTest {

    @Test
    void queryIsRootNsWithoutRecursion() {
        MemorySegment s = MemorySegment.ofArray(new byte[64]);
        s.fill((byte) 0x55);
        DnsPacket.writeQuery(s, 0xabcd);
        byte[] expected = {(byte) 0xab, (byte) 0xcd, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1};
        assertArrayEquals(expected, s.asSlice(0, DnsPacket.QUERY_LENGTH).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void anyResponseWithOurIdCounts() {
        MemorySegment s = MemorySegment.ofArray(new byte[64]);
        DnsPacket.writeQuery(s, 0x1234);
        assertFalse(DnsPacket.isResponseTo(s, 17, 0x1234), "our own query (QR=0) is not an answer");
        s.set(ValueLayout.JAVA_BYTE, 2, (byte) 0x80);
        s.set(ValueLayout.JAVA_BYTE, 3, (byte) 0x05); // REFUSED still proves the host is there
        assertTrue(DnsPacket.isResponseTo(s, 12, 0x1234));
        assertFalse(DnsPacket.isResponseTo(s, 12, 0x1235), "another id");
        assertFalse(DnsPacket.isResponseTo(s, 11, 0x1234), "shorter than a header");
    }
}
