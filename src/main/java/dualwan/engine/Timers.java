package dualwan.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * The engine's own clocks, all on the monotonic time it is given: when to re-read links and addresses, when to
 * show fresh figures, and how often kernel events may ask for a repair.
 */
final class Timers {

    /** Carrier is re-read on every kernel event and in the fast window; this poll is only the safety net. */
    static final Duration LINK_POLL = Duration.ofSeconds(10);
    /** Addresses and auto gateways, likewise re-read on events. */
    static final Duration DISCOVERY = Duration.ofSeconds(60);
    /** A burst of address events costs a few reads a second, not one per event. */
    static final Duration DISCOVERY_ON_EVENT_MIN_GAP = Duration.ofMillis(200);
    /** A failed read is tried again this soon. */
    static final Duration READ_RETRY = Duration.ofSeconds(1);
    /** Kernel events about our own tables ask for a repair at most this often (a program fighting us). */
    static final Duration REPAIR_MIN_GAP = Duration.ofSeconds(1);
    /** RTT and loss figures are shown fresh this often when nothing else changed. */
    static final Duration STATE_REFRESH = Duration.ofSeconds(5);

    private Instant nextLinkPoll;
    private Instant nextDiscovery;
    private Instant lastDiscovery = Instant.MIN;
    private Instant nextStateRefresh;
    private Instant lastRepair = Instant.MIN;
    private boolean repairPending;

    /** What is due now; each part that is due is rescheduled. */
    record Due(boolean links, boolean addressing, boolean repair) {
    }

    /** At start: {@code addressingRead} says whether the first address read succeeded. */
    void start(Instant now, boolean addressingRead) {
        nextLinkPoll = now.plus(LINK_POLL);
        nextStateRefresh = now;
        if (addressingRead) {
            lastDiscovery = now;
            nextDiscovery = now.plus(DISCOVERY);
        } else {
            nextDiscovery = now.plus(READ_RETRY);
        }
    }

    void linksNow(Instant now) {
        nextLinkPoll = now;
    }

    /** Addresses may have changed: read them soon, but not more often than every 200 ms. */
    void discoverSoon(Instant now) {
        Instant soonest = lastDiscovery.plus(DISCOVERY_ON_EVENT_MIN_GAP);
        nextDiscovery = earliest(nextDiscovery, soonest.isAfter(now) ? soonest : now);
    }

    void readFailed(Instant now) {
        nextDiscovery = earliest(nextDiscovery, now.plus(READ_RETRY));
    }

    void repairAsked() {
        repairPending = true;
    }

    Due run(Instant now) {
        boolean links = !now.isBefore(nextLinkPoll);
        if (links) {
            nextLinkPoll = now.plus(LINK_POLL);
        }
        boolean addressing = !now.isBefore(nextDiscovery);
        if (addressing) {
            lastDiscovery = now;
            nextDiscovery = now.plus(DISCOVERY);
        }
        boolean repair = repairPending && !now.isBefore(lastRepair.plus(REPAIR_MIN_GAP));
        if (repair) {
            repairPending = false;
            lastRepair = now;
        }
        return new Due(links, addressing, repair);
    }

    /** True when the figures are due to be shown again (or {@code changed} anyway); then the refresh restarts. */
    boolean refresh(Instant now, boolean changed) {
        if (changed || !now.isBefore(nextStateRefresh)) {
            nextStateRefresh = now.plus(STATE_REFRESH);
            return true;
        }
        return false;
    }

    Instant next() {
        Instant next = earliest(nextLinkPoll, earliest(nextDiscovery, nextStateRefresh));
        return repairPending ? earliest(next, lastRepair.plus(REPAIR_MIN_GAP)) : next;
    }

    static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
