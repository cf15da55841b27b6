package dualwan.web;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The control loop's hand-off to the web worker: the newest value in an atomic slot, and a wake-up for the one
 * thread that takes from it. Publishing takes no lock, so the loop can never wait for the web side, not even
 * for a web thread the scheduler preempted. Anyone may read the newest value; only one thread may take.
 */
final class Handoff<T> {

    private final AtomicReference<Latest.Versioned<T>> current = new AtomicReference<>();
    private volatile Thread taker;
    private volatile boolean closed;

    void publish(T value) {
        current.updateAndGet(c -> new Latest.Versioned<>(c == null ? 1 : c.version() + 1, value));
        Thread t = taker;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    Optional<Latest.Versioned<T>> now() {
        return Optional.ofNullable(current.get());
    }

    /** For the one taking thread: the first value newer than {@code seen}, waiting at most {@code max}. */
    Optional<Latest.Versioned<T>> take(long seen, Duration max) {
        taker = Thread.currentThread();
        long deadline = System.nanoTime() + max.toNanos();
        while (!closed) {
            Latest.Versioned<T> c = current.get();
            if (c != null && c.version() > seen) {
                return Optional.of(c);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            LockSupport.parkNanos(this, left);
        }
        return Optional.empty();
    }

    void close() {
        closed = true;
        Thread t = taker;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    boolean closed() {
        return closed;
    }
}
