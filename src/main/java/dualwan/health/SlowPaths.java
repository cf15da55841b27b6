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

    /** A silent uplink still receiving traffic is treated as slow this long, until late replies settle it. */
    static final Duration SUSPECT_MEMORY = Duration.ofSeconds(5);

    private Instant slowUntil = Instant.MIN;
    private Instant suspectUntil = Instant.MIN;
    private long lateReplies;
    private Duration worstRtt = Duration.ZERO;

    /** A late reply came recently: what the state shows. */
    boolean slow(Instant now) {
        return now.isBefore(slowUntil);
    }

    /** Misses wait for their horizon: the uplink is slow, or silent while still receiving. */
    boolean deferring(Instant now) {
        return now.isBefore(slowUntil) || now.isBefore(suspectUntil);
    }

    /** Every host is silent but traffic keeps arriving: probably a full queue; let late replies decide. */
    void suspect(Instant now) {
        suspectUntil = now.plus(SUSPECT_MEMORY);
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
