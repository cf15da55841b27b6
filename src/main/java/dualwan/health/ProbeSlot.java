package dualwan.health;

import java.time.Duration;
import java.time.Instant;

/** One probed target and its schedule. */
final class ProbeSlot {
    final Target target;
    final Duration offset;
    TargetHealth health;
    Instant nextDue;
    Instant lastSent;
    boolean confirming;
    int generation;
    final RttEstimator rtt = new RttEstimator();
    private final Changes changes;

    ProbeSlot(Target target, Instant now, Duration offset, Changes changes) {
        this.changes = changes;
        this.target = target;
        this.offset = offset;
        reset(now);
    }

    void reset(Instant now) {
        health = TargetHealth.unknown(now);
        rtt.reset();
        nextDue = now;
        lastSent = now;
        if (confirming) {
            confirming = false;
            changes.confirming++;
        }
        generation++;
    }

    void confirm(Instant now) {
        if (!confirming) {
            confirming = true;
            changes.confirming++;
            nextDue = now;
        }
    }
}
