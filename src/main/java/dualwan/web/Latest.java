package dualwan.web;

import java.time.Duration;
import java.util.Optional;

/**
 * The newest value of something, with a version, for any number of threads that wait for a newer one (the
 * open pages wait for the web worker's frames). The lock is held only to swap or compare the value.
 */
final class Latest<T> {

    /** A value and the count of values published up to it (1 for the first). */
    record Versioned<T>(long version, T value) {
    }

    private final Object lock = new Object();
    private Versioned<T> current;
    private boolean closed;

    void publish(T value) {
        synchronized (lock) {
            current = new Versioned<>(current == null ? 1 : current.version() + 1, value);
            lock.notifyAll();
        }
    }

    Optional<Versioned<T>> now() {
        synchronized (lock) {
            return Optional.ofNullable(current);
        }
    }

    /**
     * The first value newer than {@code seen}, waiting at most {@code max}; empty on time-out or after
     * {@link #close()}.
     */
    Optional<Versioned<T>> newerThan(long seen, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (!closed && (current == null || current.version() <= seen)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return closed ? Optional.empty() : Optional.of(current);
        }
    }

    /** Wakes every waiter for good. */
    void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    boolean closed() {
        synchronized (lock) {
            return closed;
        }
    }
}
