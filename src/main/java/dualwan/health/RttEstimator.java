package dualwan.health;

import java.time.Duration;

/**
 * A target's own timeout, from its measured round trips in the spirit of TCP's RTO (RFC 6298): smoothed RTT
 * plus four mean deviations, never below {@link #FLOOR} and never above {@code check.timeout}. A fast, steady
 * target's miss is then known about 100 ms after the probe instead of 500 ms; a reply that comes after this
 * timeout is not lost but late, and both counts as a reply and raises the timeout. Mutable; one per target.
 */
final class RttEstimator {

    /** The shortest timeout: scheduling jitter on a loaded board stays well below it. */
    static final Duration FLOOR = Duration.ofMillis(100);

    private long srttNanos = -1;
    private long rttvarNanos;

    void sample(Duration rtt) {
        long r = Math.max(0, rtt.toNanos());
        if (srttNanos < 0) {
            srttNanos = r;
            rttvarNanos = r / 2;
            return;
        }
        rttvarNanos = (3 * rttvarNanos + Math.abs(srttNanos - r)) / 4;
        srttNanos = (7 * srttNanos + r) / 8;
    }

    /** The timeout for the next probe: {@code ceiling} until a round trip was measured. */
    Duration timeout(Duration ceiling) {
        if (srttNanos < 0) {
            return ceiling;
        }
        long t = Math.max(FLOOR.toNanos(), srttNanos + 4 * rttvarNanos);
        return t >= ceiling.toNanos() ? ceiling : Duration.ofNanos(t);
    }

    void reset() {
        srttNanos = -1;
        rttvarNanos = 0;
    }
}
