package dualwan.engine;

import dualwan.config.Config;
import dualwan.config.PolicyConfig;
import dualwan.decide.PolicyDecider;
import dualwan.decide.PolicyDecision;
import dualwan.health.HealthSnapshot;
import dualwan.model.Mode;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Each routing policy's decision (marked traffic with its own failover order or balance), in config order. */
final class Policies {

    private final Config config;
    private final Map<String, PolicyDecision> decisions = new LinkedHashMap<>();

    /**
     * The previous run's choices stand only while its table does ({@code tablePresent}), and only among each
     * policy's own uplinks.
     */
    Policies(Config config, boolean tablePresent, Map<String, List<String>> saved, Instant now) {
        this.config = config;
        for (PolicyConfig p : config.policies()) {
            List<String> kept = tablePresent ? saved.getOrDefault(p.name(), List.of())
                    .stream().filter(p.uplinks()::contains).distinct().toList() : List.of();
            if (!p.balanced() && kept.size() > 1) {
                kept = kept.subList(0, 1);
            }
            decisions.put(p.name(), kept.isEmpty() ? PolicyDecision.initial(now)
                    : new PolicyDecision(kept, Set.of(), now, "found in place at start", Optional.empty()));
        }
    }

    Map<String, PolicyDecision> decisions() {
        return decisions;
    }

    /** A policy's move: what it left and why, for the flush book and the log. */
    record Moved(String policy, List<String> before, PolicyDecision after, List<String> left) {
    }

    /** Decides every policy again; the ones whose uplinks changed. */
    List<Moved> decide(Function<String, Duration> holdOf, HealthSnapshot health, Mode mode, Instant now) {
        List<Moved> moved = new java.util.ArrayList<>();
        for (PolicyConfig p : config.policies()) {
            PolicyDecision before = decisions.get(p.name());
            PolicyDecision after = PolicyDecider.decide(p, holdOf, health, mode, before, now);
            if (!after.uplinks().equals(before.uplinks())) {
                moved.add(new Moved(p.name(), before.uplinks(), after, after.left(before)));
            }
            decisions.put(p.name(), after);
        }
        return moved;
    }

    /** Whether {@code mode} would move some policy's traffic now (nothing is stored). */
    boolean wouldMove(Function<String, Duration> holdOf, HealthSnapshot health, Mode mode, Instant now) {
        for (PolicyConfig p : config.policies()) {
            PolicyDecision before = decisions.get(p.name());
            if (!PolicyDecider.decide(p, holdOf, health, mode, before, now).uplinks().equals(before.uplinks())) {
                return true;
            }
        }
        return false;
    }

    /** Every uplink some policy's traffic uses now. */
    Set<String> carrying() {
        Set<String> out = new java.util.HashSet<>();
        decisions.values().forEach(d -> out.addAll(d.uplinks()));
        return out;
    }

    Map<String, List<String>> uplinks() {
        Map<String, List<String>> m = new HashMap<>();
        decisions.forEach((name, d) -> m.put(name, d.uplinks()));
        return m;
    }

    /** The earliest end of a policy's failback hold. */
    Optional<Instant> reconsiderAt() {
        return decisions.values().stream().flatMap(d -> d.reconsiderAt().stream()).min(Instant::compareTo);
    }
}
