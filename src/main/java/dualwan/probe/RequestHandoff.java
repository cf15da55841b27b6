package dualwan.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dualwan.probe.Libc.*;

/**
 * The only state callers' threads share with the I/O thread: the queue of new probes, the eventfd that wakes
 * its poll, and the closed flag. The I/O thread closes the eventfd last, and only once no caller is between
 * its "closed?" check and its write, so a write never lands on a closed (or reused) descriptor number.
 */
final class RequestHandoff {
    private final ConcurrentLinkedQueue<Probe> incoming = new ConcurrentLinkedQueue<>();
    private final int wakeFd;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    /** eventfd increment; read-only after construction, so callers' threads may pass it to write(). */
    private final MemorySegment one = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
    /** Threads between their "closed?" check and their eventfd write: the fd stays open until this is 0. */
    private final AtomicInteger writers = new AtomicInteger();
    private volatile boolean closed;

    RequestHandoff() {
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        wakeFd = Libc.eventfd(EFD_NONBLOCK | EFD_CLOEXEC);
        if (wakeFd < 0) throw new IllegalStateException("eventfd: " + errnoName(wakeFd));
    }

    /** Any thread: queues a probe and wakes the I/O thread. */
    void submit(Probe probe) {
        writers.incrementAndGet();
        try {
            if (closed) throw new IllegalStateException("prober is closed");
            incoming.add(probe);
            // One wake-up per batch: the I/O thread drains everything queued before it clears the flag.
            if (wakePending.compareAndSet(false, true)) Libc.writePlain(wakeFd, one);
        } finally {
            writers.decrementAndGet();
        }
    }

    /** Any thread: refuses further probes and wakes the I/O thread so that its loop ends. */
    void closeAndWake() {
        writers.incrementAndGet();
        boolean wasClosed = closed; // an I/O thread that died closed the eventfd: its number may be reused now
        closed = true;
        if (!wasClosed) {
            Libc.writePlain(wakeFd, one);
        }
        writers.decrementAndGet();
    }

    boolean closed() {
        return closed;
    }

    // ------------------------------------------------------------------ I/O thread only below

    Probe poll() {
        return incoming.poll();
    }

    boolean isEmpty() {
        return incoming.isEmpty();
    }

    int wakeFd() {
        return wakeFd;
    }

    /** The eventfd was readable: reset its counter ({@code scratch} holds at least 8 bytes). */
    void woken(MemorySegment scratch) {
        Libc.read(wakeFd, scratch.asSlice(0, 8));
        wakePending.set(false); // later submit() calls wake us again; earlier ones are drained next
    }

    /** At the end of the I/O thread, also after an error: refuse further work, wait out any writer, close. */
    void release() {
        closed = true;
        while (writers.get() != 0) Thread.onSpinWait();
        Libc.close(wakeFd);
    }
}
