package dualwan.app;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that never jumps: {@code System.nanoTime} dressed as instants (starting at the wall time of its
 * creation, so logs of the first minutes read naturally). Schedules, holds and timeouts run on it; a board
 * without an RTC steps its wall clock when NTP first syncs, and that must neither pause probing nor end a hold.
 */
public final class MonotonicClock extends Clock {

    private final Instant origin;
    private final long originNanos;

    public MonotonicClock(Clock wall) {
        this.origin = wall.instant();
        this.originNanos = System.nanoTime();
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(System.nanoTime() - originNanos);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a monotonic clock has no zone");
    }
}
