package dualwan.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibcTest {

    @Test
    void namesErrnos() {
        assertEquals("ENETUNREACH", Libc.errnoName(101));
        assertEquals("EHOSTUNREACH", Libc.errnoName(-113));
        assertEquals("ENODEV", Libc.errnoName(19));
        assertEquals("EPERM", Libc.errnoName(1));
        assertEquals("ECONNREFUSED", Libc.errnoName(111));
        assertEquals("errno 4242", Libc.errnoName(4242));
    }

    @Test
    void failedCallsReturnMinusErrno() {
        assertEquals(-9, Libc.close(-1), "EBADF");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8);
            assertEquals(-9, Libc.read(-1, buf));
        }
    }

    @Test
    void eventfdCountsWrites() {
        int fd = Libc.eventfd(Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        assertTrue(fd >= 0, Libc.errnoName(fd));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(8);
            one.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1);
            assertEquals(8, Libc.writePlain(fd, one));
            assertEquals(8, Libc.writePlain(fd, one));
            MemorySegment got = a.allocate(8);
            assertEquals(8, Libc.read(fd, got));
            assertEquals(2, got.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
            assertEquals(-Libc.EAGAIN, Libc.read(fd, got), "drained and nonblocking");
        } finally {
            Libc.close(fd);
        }
    }
}
