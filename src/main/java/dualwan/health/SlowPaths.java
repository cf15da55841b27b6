package dualwan.health;

import java.time.Duration;
import java.time.Instant;

/**
 * One uplink's late replies: a reply after its probe's timeout (within the prober's horizon) proves the path
 * alive but slow, as when an upload fills the modem's queue. The uplink is <em>slow</em> for {@link #MEMORY}
 * after the last one. Mutable; the monitor owns one per uplink.
 */
public final class SlowPaths {

    /** An uplink stays slow this long after its last late reply. */
    static final Duration MEMORY = Duration.ofSeconds(15);
    /** Probe spacing while a miss on a slow uplink is confirmed. */
    static final Duration CONFIRM_INTERVAL = Duration.ofMillis(250);

    /**
     * What the state shows.
     *
     * @param slow        a late reply came within {@link #MEMORY}
     * @param lateReplies late replies since start
     * @param worstRtt    the longest round trip a late reply took since start (zero before the first)
     */
    public record View(boolean slow, long lateReplies, Duration worstRtt) {
        public static final View NONE = new View(false, 0, Duration.ZERO);
    }

    private Instant slowUntil = Instant.MIN;
    private long lateReplies;
    private Duration worstRtt = Duration.ZERO;

    boolean slow(Instant now) {
        return now.isBefore(slowUntil);
    }

    void late(Duration rtt, Instant now) {
        slowUntil = now.plus(MEMORY);
        lateReplies++;
        worstRtt = rtt.compareTo(worstRtt) > 0 ? rtt : worstRtt;
    }

    View view(Instant now) {
        return new View(slow(now), lateReplies, worstRtt);
    }
}
