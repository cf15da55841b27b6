package dualwan.engine;

import dualwan.config.Config;
import dualwan.config.PolicyConfig;
import dualwan.decide.Dampening;
import dualwan.decide.Decision;
import dualwan.decide.PolicyDecision;
import dualwan.health.HealthSnapshot;
import dualwan.health.TargetHealth;
import dualwan.health.UplinkHealth;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.SwitchEvent;
import dualwan.model.Verdict;
import dualwan.plan.Planner.UplinkAddressing;
import dualwan.plan.Planner6.Uplink6;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import dualwan.config.Ipv6;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Builds the {@link DaemonState} people and adapters see from the engine's own parts. The engine's times are
 * monotonic; {@code wall} turns each into the wall-clock instant a person reads.
 */
public final class StateView {

    private StateView() {
    }

    /** The parts of the engine a state is made of. */
    public record Parts(HealthSnapshot health, Decision decision, Mode mode, Optional<SwitchEvent> lastSwitch,
                        int switches, Map<String, UplinkAddressing> addressing,
                        Map<String, PolicyDecision> policies, DaemonState.Conntrack conntrack,
                        DaemonState.KernelSync kernel, Map<String, Dampening.Hold> holds) {
    }

    /**
     * The LAN's IPv6 parts ({@link LanIpv6}).
     *
     * @param active the uplink carrying the LAN's IPv6 while its IPv6 works, else empty
     */
    public record Parts6(HealthSnapshot health, Optional<String> active, String reason, Instant since, int switches,
                         Optional<SwitchEvent> lastSwitch, boolean unreachable, Map<String, Uplink6> addressing,
                         Map<String, Dampening.Hold> holds) {
    }

    /** A monotonic instant as wall-clock time, given both clocks' readings of the same moment. */
    public static UnaryOperator<Instant> toWall(Instant monoNow, Instant wallNow) {
        return t -> wallNow.minus(Duration.between(t, monoNow));
    }

    public static DaemonState build(Config config, Parts p, UnaryOperator<Instant> wall) {
        return build(config, p, Optional.empty(), wall);
    }

    /** With IPv6, when the config has it. */
    public static DaemonState build(Config config, Parts p, Optional<Parts6> six, UnaryOperator<Instant> wall) {
        Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
        p.health().uplinks().forEach((name, u) -> wans.put(name, uplink(u, Optional.ofNullable(p.addressing().get(name))
                .flatMap(UplinkAddressing::address).map(Inet4Address::getHostAddress), p.holds().get(name), wall)));
        Map<String, DaemonState.Policy> policies = new LinkedHashMap<>();
        for (PolicyConfig pc : config.policies()) {
            PolicyDecision d = p.policies().get(pc.name());
            policies.put(pc.name(), new DaemonState.Policy(pc.balanced(), pc.balanced() ? List.of() : pc.order(),
                    pc.balanced() ? pc.weights() : Map.of(), d == null ? List.of() : d.uplinks(),
                    d == null ? "starting" : d.reason(), wall.apply(d == null ? p.health().at() : d.since())));
        }
        Optional<SwitchEvent> last = p.lastSwitch().map(e -> new SwitchEvent(e.from(), e.to(), wall.apply(e.at()), e.reason()));
        return new DaemonState(DaemonState.VERSION, p.decision().active(), p.mode(), p.decision().reason(),
                wall.apply(p.decision().since()), p.switches(), last, wans, policies, p.conntrack(),
                new DaemonState.KernelSync(p.kernel().state(), wall.apply(p.kernel().since()), p.kernel().lastError(),
                        p.kernel().attempts(), p.kernel().tableDigest()),
                six.map(s -> ipv6(s, wall)), wall.apply(p.health().at()), Map.of());
    }

    static DaemonState.Ipv6 ipv6(Parts6 s, UnaryOperator<Instant> wall) {
        Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
        s.health().uplinks().forEach((name, u) -> wans.put(name, uplink(u, Optional.ofNullable(s.addressing().get(name))
                .flatMap(a -> a.addresses().stream().findFirst()).map(Ipv6::text),
                s.holds().get(name), wall)));
        Optional<SwitchEvent> last = s.lastSwitch().map(e -> new SwitchEvent(e.from(), e.to(), wall.apply(e.at()), e.reason()));
        return new DaemonState.Ipv6(s.active(), s.reason(), wall.apply(s.since()), s.switches(), last,
                s.unreachable(), wans);
    }

    static DaemonState.Uplink uplink(UplinkHealth u, Optional<String> address, Dampening.Hold hold,
                                     UnaryOperator<Instant> wall) {
        Map<String, DaemonState.Target> hosts = new LinkedHashMap<>();
        u.hosts().forEach((ip, h) -> hosts.put(text(ip), target(h)));
        List<TargetHealth> measured = u.hosts().isEmpty() ? u.gatewayHealth().stream().toList()
                : List.copyOf(u.hosts().values());
        Optional<Double> latency = measured.stream().filter(t -> t.verdict() == Verdict.UP && t.rttMicros() >= 0)
                .mapToLong(TargetHealth::rttMicros).average().stream().mapToObj(us -> Math.round(us / 100.0) / 10.0)
                .findFirst();
        Optional<Double> loss = measured.stream().filter(t -> t.samples() > 0).mapToDouble(TargetHealth::lossPercent)
                .average().stream().mapToObj(pct -> Math.round(pct * 10) / 10.0).findFirst();
        return new DaemonState.Uplink(u.verdict(), u.reason(), wall.apply(u.since()), u.carrier(), address,
                u.gateway().map(StateView::text), u.gatewayHealth().map(StateView::target),
                u.confirming(), hosts, latency, loss, Optional.ofNullable(hold)
                        .map(h -> new DaemonState.FailbackHold(h.hold(), h.reason(), h.flaps())),
                new DaemonState.Late(u.slow().slow(), u.slow().lateReplies(), u.slow().lateReplies() == 0
                        ? Optional.empty() : Optional.of(u.slow().worstRtt().toNanos() / 100_000 / 10.0)),
                new DaemonState.Probing(u.cost().metered(), u.cost().idle(), u.cost().bytes(),
                        u.cost().projectedMb30()));
    }

    /** An address as iproute2 and people write it: IPv6 compressed ({@code 2001:db8::1}), no scope. */
    static String text(InetAddress a) {
        return a instanceof Inet6Address six ? Ipv6.text(six) : a.getHostAddress();
    }

    static DaemonState.Target target(TargetHealth h) {
        return new DaemonState.Target(h.verdict(), h.rttMicros() < 0 ? Optional.empty()
                : Optional.of(h.rttMicros() / 1000.0), Math.round(h.lossPercent() * 10) / 10.0, h.samples());
    }
}
