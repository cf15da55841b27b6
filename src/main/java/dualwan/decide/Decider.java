package dualwan.decide;

import dualwan.model.Mode;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.health.HealthSnapshot;
import dualwan.health.UplinkHealth;
import dualwan.model.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The routing decision as a pure function of (config, health, mode, previous decision, time).
 *
 * <ul>
 *   <li>Forced mode: the forced uplink, whatever its health (the operator asked for it).</li>
 *   <li>Auto: the healthy uplink with the lowest priority. Leaving a failed uplink happens at once; returning
 *       to a better one waits until it has been healthy for {@code failback.hold}.</li>
 *   <li>Nothing healthy: keep the last choice — never leave the LAN without a route.</li>
 *   <li>An uplink not yet judged (start-up, link just back) is neither left nor overtaken: we wait for the
 *       verdict rather than switch twice.</li>
 * </ul>
 */
public final class Decider {

    private Decider() {
    }

    /** The LAN's default traffic: uplinks by priority. */
    public static Decision decide(Config config, HealthSnapshot health, Mode mode, Decision previous, Instant now) {
        List<String> byPriority = config.wans().stream().sorted(Comparator.comparingInt(WanConfig::priority))
                .map(WanConfig::name).toList();
        return decide(byPriority, config.failback().hold(), health, mode, previous, now);
    }

    /** The LAN's default traffic with each uplink's own (dampened) failback hold. */
    public static Decision decide(Config config, Function<String, Duration> holdOf, HealthSnapshot health, Mode mode,
                                  Decision previous, Instant now) {
        List<String> byPriority = config.wans().stream().sorted(Comparator.comparingInt(WanConfig::priority))
                .map(WanConfig::name).toList();
        return decide(byPriority, holdOf, health, mode, previous, now);
    }

    /** Traffic that prefers the uplinks in {@code order} (best first), e.g. a policy's. */
    public static Decision decide(List<String> order, Duration hold, HealthSnapshot health, Mode mode,
                                  Decision previous, Instant now) {
        return decide(order, w -> hold, health, mode, previous, now);
    }

    /** Traffic that prefers the uplinks in {@code order}, with {@code holdOf} giving each uplink's failback hold. */
    public static Decision decide(List<String> order, Function<String, Duration> holdOf, HealthSnapshot health,
                                  Mode mode, Decision previous, Instant now) {
        Optional<String> current = previous.active();
        if (mode.forced().isPresent()) {
            String wan = mode.forced().get();
            return keepOrSwitch(previous, Optional.of(wan), now, "forced by the operator", Optional.empty());
        }
        Optional<String> best = order.stream().filter(w -> health.verdict(w) == Verdict.UP).findFirst();
        if (best.isEmpty()) {
            String why = current.map(c -> "no healthy uplink; keeping " + c).orElse("no healthy uplink yet");
            return keepOrSwitch(previous, current, now, why, Optional.empty());
        }
        String b = best.get();
        int bestRank = order.indexOf(b);
        boolean betterUnjudged = order.subList(0, bestRank).stream()
                .anyMatch(w -> health.verdict(w) == Verdict.UNKNOWN);
        if (current.isEmpty()) {
            if (betterUnjudged) {
                return keepOrSwitch(previous, current, now, "waiting for a better uplink's first verdict", Optional.empty());
            }
            return keepOrSwitch(previous, best, now, b + " is the best healthy uplink", Optional.empty());
        }
        String cur = current.get();
        int curRank = order.indexOf(cur);
        if (curRank < 0) {
            return keepOrSwitch(previous, best, now, cur + " is not one of " + order, Optional.empty());
        }
        Verdict curVerdict = health.verdict(cur);
        if (curVerdict == Verdict.UNKNOWN) {
            return keepOrSwitch(previous, current, now, cur + " is being checked", Optional.empty());
        }
        if (curVerdict == Verdict.DOWN && health.uplink(b).map(UplinkHealth::confirming).orElse(false)) {
            // A miss on the uplink we would move to is being confirmed (an idle metered one checked in a burst):
            // moving now could mean moving twice. Settled within a second; the current one carries nothing.
            return keepOrSwitch(previous, current, now, "failover to " + b + " waits for its check", Optional.empty());
        }
        if (curVerdict == Verdict.DOWN) {
            String why = "failover: " + cur + " " + health.uplink(cur).map(UplinkHealth::reason).orElse("is gone");
            return keepOrSwitch(previous, best, now, why, Optional.empty());
        }
        if (bestRank >= curRank) {
            return keepOrSwitch(previous, current, now, cur + " is the best healthy uplink", Optional.empty());
        }
        Instant healthySince = health.uplink(b).map(UplinkHealth::since).orElse(now);
        Duration hold = holdOf.apply(b);
        Instant holdEnds = healthySince.plus(hold);
        if (!now.isBefore(holdEnds)) {
            return keepOrSwitch(previous, best, now,
                    "failback: " + b + " healthy for " + Duration.between(healthySince, now).toSeconds() + "s",
                    Optional.empty());
        }
        return keepOrSwitch(previous, current, now, b + " is back; failback after the " + hold.toSeconds() + "s hold", Optional.of(holdEnds));
    }

    private static Decision keepOrSwitch(Decision previous, Optional<String> active, Instant now, String reason,
                                         Optional<Instant> reconsiderAt) {
        if (active.equals(previous.active())) {
            return new Decision(active, previous.since(), reason, reconsiderAt);
        }
        return new Decision(active, now, reason, reconsiderAt);
    }
}
