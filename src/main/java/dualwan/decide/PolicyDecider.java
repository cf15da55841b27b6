package dualwan.decide;

import dualwan.model.Mode;

import dualwan.config.PolicyConfig;
import dualwan.health.HealthSnapshot;
import dualwan.health.UplinkHealth;
import dualwan.model.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A policy's decision as a pure function of (policy, health, mode, previous decision, time).
 *
 * <ul>
 *   <li>Failover policy: exactly the {@link Decider}'s rules, over the policy's own order.</li>
 *   <li>Balanced policy: spreads over every member that is up. A member that goes down leaves at once; it
 *       rejoins after it has been healthy for the hold (like a failback). A member that was never lost (start-up)
 *       joins as soon as it is up, and so does any member when no other one works. A member still being checked
 *       stays. Nothing healthy: keep the last set — never leave the traffic without a route.</li>
 *   <li>Forced mode: the forced uplink only, for every policy.</li>
 * </ul>
 */
public final class PolicyDecider {

    private PolicyDecider() {
    }

    public static PolicyDecision decide(PolicyConfig policy, Duration hold, HealthSnapshot health, Mode mode,
                                        PolicyDecision previous, Instant now) {
        return decide(policy, w -> hold, health, mode, previous, now);
    }

    /** The same with each uplink's own (dampened) failback hold. */
    public static PolicyDecision decide(PolicyConfig policy, Function<String, Duration> holdOf, HealthSnapshot health,
                                        Mode mode, PolicyDecision previous, Instant now) {
        if (!policy.balanced()) {
            return PolicyDecision.of(Decider.decide(policy.order(), holdOf, health, mode, previous.asDecision(), now));
        }
        if (mode.forced().isPresent()) {
            return change(previous, List.of(mode.forced().get()), previous.waiting(), now, "forced by the operator",
                    Optional.empty());
        }
        List<String> members = policy.uplinks();
        List<String> keep = previous.uplinks().stream()
                .filter(u -> members.contains(u) && health.verdict(u) != Verdict.DOWN).toList();
        Set<String> waiting = new HashSet<>(previous.waiting());
        previous.uplinks().stream().filter(u -> !keep.contains(u)).forEach(waiting::add);
        List<String> next = new ArrayList<>();
        Optional<Instant> reconsiderAt = Optional.empty();
        List<String> held = new ArrayList<>();
        for (String u : members) {
            if (keep.contains(u)) {
                next.add(u);
                continue;
            }
            if (health.verdict(u) != Verdict.UP) {
                continue;
            }
            Instant holdEnds = health.uplink(u).map(UplinkHealth::since).orElse(now).plus(holdOf.apply(u));
            if (!waiting.contains(u) || keep.isEmpty() || !now.isBefore(holdEnds)) {
                next.add(u);
                waiting.remove(u);
            } else {
                held.add(u);
                reconsiderAt = reconsiderAt.filter(t -> t.isBefore(holdEnds)).or(() -> Optional.of(holdEnds));
            }
        }
        if (next.isEmpty()) {
            return change(previous, previous.uplinks(), waiting, now, previous.uplinks().isEmpty()
                    ? "no healthy uplink yet" : "no healthy uplink; keeping " + String.join(", ", previous.uplinks()),
                    Optional.empty());
        }
        String reason = "balancing over " + String.join(", ", next)
                + (held.isEmpty() ? "" : "; " + String.join(", ", held) + " back, rejoining after the hold")
                + (waiting.isEmpty() || !held.isEmpty() ? "" : "; " + String.join(", ", waiting.stream().sorted().toList()) + " down");
        return change(previous, next, waiting, now, reason, reconsiderAt);
    }

    private static PolicyDecision change(PolicyDecision previous, List<String> uplinks, Set<String> waiting,
                                         Instant now, String reason, Optional<Instant> reconsiderAt) {
        Instant since = uplinks.equals(previous.uplinks()) ? previous.since() : now;
        return new PolicyDecision(uplinks, waiting, since, reason, reconsiderAt);
    }
}
