package dualwan.decide;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where one policy's new connections go.
 *
 * @param uplinks      a failover policy: its one active uplink (or none yet); a balanced policy: the uplinks it
 *                     spreads over, in the config's order
 * @param waiting      balanced only: uplinks that left because they went down; each rejoins only after it has
 *                     been healthy for the failback hold
 * @param since        when {@code uplinks} last changed
 * @param reason       why, for logs and the state file
 * @param reconsiderAt a time at which this may change without new health (a hold ending)
 */
public record PolicyDecision(List<String> uplinks, Set<String> waiting, Instant since, String reason,
                             Optional<Instant> reconsiderAt) {

    public PolicyDecision {
        uplinks = List.copyOf(uplinks);
        waiting = Set.copyOf(waiting);
    }

    public static PolicyDecision initial(Instant at) {
        return new PolicyDecision(List.of(), Set.of(), at, "starting", Optional.empty());
    }

    /** A failover policy's uplink. */
    public Optional<String> active() {
        return uplinks.isEmpty() ? Optional.empty() : Optional.of(uplinks.getFirst());
    }

    /** Uplinks that {@code previous} used and this one does not: their flows must move. */
    public List<String> left(PolicyDecision previous) {
        return previous.uplinks.stream().filter(u -> !uplinks.contains(u)).toList();
    }

    static PolicyDecision of(Decision d) {
        return new PolicyDecision(d.active().stream().toList(), Set.of(), d.since(), d.reason(), d.reconsiderAt());
    }

    Decision asDecision() {
        return new Decision(active(), since, reason, reconsiderAt);
    }
}
