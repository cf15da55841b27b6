package dualwan.engine;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.decide.Dampening;
import dualwan.decide.Decider;
import dualwan.decide.Decision;
import dualwan.health.HealthSnapshot;
import dualwan.model.Mode;
import dualwan.model.SwitchEvent;
import dualwan.model.Verdict;
import dualwan.plan.Planner6;
import dualwan.plan.Planner6.Uplink6;
import dualwan.plan.RoutingPlan6;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which uplink carries the LAN's IPv6, decided from the uplinks' IPv6 verdicts alone (the engine's part for
 * IPv6; IPv4's is the engine itself). The same rules as IPv4 — priority order, failover at once, failback after
 * a (dampened) hold, a forced mode — among the uplinks that have IPv6, plus one of its own: when every IPv6
 * uplink is judged down while some uplink's IPv4 works, the LAN's IPv6 default becomes {@code unreachable}, so
 * clients get an immediate error and take IPv4. When nothing works at all the last routes stay. Pure, like the
 * engine; not thread-safe.
 */
final class LanIpv6 {

    static final String UNREACHABLE_REASON = "no uplink has working IPv6 but IPv4 works: the LAN's IPv6 is"
            + " unreachable, so clients use IPv4";

    private final Config config;
    /** The uplinks with IPv6, best priority first. */
    private final List<String> order;
    private final Dampening dampening;
    private final Map<String, Uplink6> addressing = new LinkedHashMap<>();
    private Decision decision;
    /** The LAN's IPv6 default is unreachable (the decision then has no uplink). */
    private boolean unreachable;
    private Optional<SwitchEvent> lastSwitch = Optional.empty();
    private int switches;

    LanIpv6(Config config, Optional<String> inKernel, Instant now) {
        this.config = config;
        this.order = config.wans().stream().filter(w -> w.ipv6().isPresent())
                .sorted(Comparator.comparingInt(WanConfig::priority)).map(WanConfig::name).toList();
        this.dampening = new Dampening(config.failback(), order);
        this.decision = Decision.initial(inKernel.filter(order::contains), now);
    }

    /** Some uplink has IPv6: without any, this part plans, reads and shows nothing. */
    boolean configured() {
        return !order.isEmpty();
    }

    Map<String, Uplink6> addressing() {
        return addressing;
    }

    /** The uplink whose IPv6 routes the LAN uses (kept when nothing works), or empty. */
    Optional<String> routed() {
        return decision.active();
    }

    /** Stores one uplink's IPv6 facts; true when they changed. */
    boolean setAddressing(String wan, Uplink6 facts) {
        return !facts.equals(addressing.put(wan, facts));
    }

    /** What the next decision would be (pure: nothing is stored). */
    Decision next(HealthSnapshot health4, HealthSnapshot health6, Mode mode, Instant now) {
        if (!configured()) {
            return decision;
        }
        Function<String, Duration> holdOf = w -> dampening.hold(w, health6, now);
        if (unreachableNow(health4, health6, mode)) {
            return new Decision(Optional.empty(), decision.active().isEmpty() ? decision.since() : now,
                    UNREACHABLE_REASON, Optional.empty());
        }
        return Decider.decide(order, holdOf, health6, ipv6Mode(mode), decision, now);
    }

    /** A mode forcing an uplink without IPv6 leaves IPv6 to its own health: that uplink cannot carry it. */
    private Mode ipv6Mode(Mode mode) {
        return mode.forced().filter(w -> !order.contains(w)).isPresent() ? Mode.AUTO : mode;
    }

    /**
     * Every IPv6 uplink is judged down while IPv4 works beyond doubt (an uplink up and not being confirmed: in a
     * total cut IPv6 may be judged down a moment before IPv4, and "nothing works" must keep the last routes).
     */
    private boolean unreachableNow(HealthSnapshot health4, HealthSnapshot health6, Mode mode) {
        boolean allDown = order.stream().allMatch(w -> health6.verdict(w) == Verdict.DOWN);
        boolean ipv4Works = health4.uplinks().values().stream().anyMatch(u -> u.verdict() == Verdict.UP && !u.confirming());
        return ipv6Mode(mode).auto() && allDown && ipv4Works;
    }

    /** Decides again; the switch it made (traffic left {@code from}), if any. */
    Optional<SwitchEvent> decide(HealthSnapshot health4, HealthSnapshot health6, Mode mode, Instant now) {
        Decision next = next(health4, health6, mode, now);
        boolean nowUnreachable = configured() && unreachableNow(health4, health6, mode);
        // Unreachable stays while nothing at all works (the decision keeps its empty uplink then).
        unreachable = nowUnreachable || (unreachable && next.active().isEmpty());
        Optional<SwitchEvent> e = Optional.empty();
        if (next.switchedFrom(decision)) {
            e = Optional.of(new SwitchEvent(decision.active(), next.active(), now, next.reason()));
            dampening.switched(decision.active(), next.active(), health6, now);
            if (decision.active().isPresent()) {
                switches++;
            }
            lastSwitch = e;
        }
        decision = next;
        return e;
    }

    Optional<Instant> reconsiderAt() {
        return decision.reconsiderAt();
    }

    RoutingPlan6 plan() {
        return Planner6.plan(config, addressing, decision.active(), unreachable);
    }

    boolean unreachable() {
        return unreachable;
    }

    /** The state's view: the active IPv6 uplink is shown only while its IPv6 works. */
    StateView.Parts6 parts(HealthSnapshot health6, Instant now) {
        Optional<String> active = decision.active().filter(w -> health6.verdict(w) == Verdict.UP);
        return new StateView.Parts6(health6, active, decision.reason(), decision.since(), switches, lastSwitch,
                unreachable, addressing, dampening.holds(health6, now));
    }
}
