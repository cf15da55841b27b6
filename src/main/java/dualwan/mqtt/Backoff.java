package dualwan.mqtt;

import java.time.Duration;

/**
 * The wait before the next connection attempt: doubles from {@code min} up to {@code max} while attempts fail.
 * A connection that lasted at least {@code max} starts over at {@code min}; one that broke sooner keeps the
 * longer wait, so a broker that accepts and then drops us (a duplicate client id) is not hammered.
 */
final class Backoff {

    private final Duration min;
    private final Duration max;
    private Duration next;

    Backoff(Duration min, Duration max) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("need 0 < min <= max, got " + min + ", " + max);
        }
        this.min = min;
        this.max = max;
        this.next = min;
    }

    /** After a failed attempt: how long to wait before the next. */
    Duration failed() {
        Duration wait = next;
        next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
        return wait;
    }

    /** After a connection that lasted {@code lasted} broke: how long to wait before reconnecting. */
    Duration lost(Duration lasted) {
        if (lasted.compareTo(max) >= 0) {
            next = min;
        }
        return failed();
    }
}
