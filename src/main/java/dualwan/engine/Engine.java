package dualwan.engine;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.decide.Dampening;
import dualwan.decide.Decider;
import dualwan.decide.Decision;
import dualwan.decide.PolicyDecider;
import dualwan.health.HealthSnapshot;
import dualwan.health.LinkState;
import dualwan.health.Monitor;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.ModeResult;
import dualwan.model.SwitchEvent;
import dualwan.plan.NftPlanner;
import dualwan.plan.Planner;
import dualwan.plan.Planner.UplinkAddressing;
import dualwan.plan.Planner6;
import dualwan.plan.Planner6.Uplink6;
import dualwan.plan.RoutingPlan;
import dualwan.plan.RoutingPlan6;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The whole decision flow as one step function: {@code step(input, now) → outputs}. No I/O, no threads, no
 * clock of its own: {@code now} is a monotonic instant the caller passes in, so the daemon, the 30-day
 * simulation and the timeline tests run exactly this code. Not thread-safe; one loop owns it.
 *
 * <p>The flow of one step, from a probe result to an {@code ip} command:
 * <ol>
 *   <li>the input updates health ({@link Monitor}: per-target hysteresis, link → gateway → quorum of hosts),
 *       links, addressing, the mode, or what the kernel worker reported;</li>
 *   <li>timers ask for re-reads (links, addresses) and probes that are due are handed out;</li>
 *   <li>when a verdict changed or a failback hold ended, the LAN's and each policy's decision is made again
 *       ({@link Decider}, {@link PolicyDecider}); traffic that left an uplink is written in the
 *       {@link FlushBook};</li>
 *   <li>the routing plan and nftables table follow from the decisions and addressing ({@link Planner},
 *       {@link NftPlanner}); a change becomes a new {@link KernelTarget}, with the flushes to run once it is
 *       applied — the kernel worker turns it into {@code ip}, {@code nft} and {@code conntrack} runs.</li>
 * </ol>
 * IPv6, when uplinks have it, runs the same flow beside IPv4 ({@link LanIpv6}): its own verdicts, decision,
 * holds, plan and flushes, so one family can move while the other stays.
 */
public final class Engine {

    /** Mode commands that flip back and forth move the kernel at most this often; the last one wins. */
    static final Duration MODE_SWITCH_MIN_GAP = Duration.ofSeconds(1);

    private final Config config;
    private final FlushBook flushBook;
    private final Dampening dampening;
    private Monitor monitor;
    private Decision decision;
    private LanIpv6 lan6;
    private Policies policies;
    private Mode mode = Mode.AUTO;
    private final Map<String, LinkState> links = new HashMap<>();
    private final Map<String, UplinkAddressing> addressing = new LinkedHashMap<>();
    private boolean addressingKnown;
    private Optional<SwitchEvent> lastSwitch = Optional.empty();
    private int switches;
    private KernelProgress kernel;
    private long generation;
    private KernelTarget lastTarget;
    private boolean planDirty = true;
    private RoutingPlan plannedRoutes;
    private RoutingPlan6 plannedRoutes6;
    private String plannedNft;
    private long seenVerdictChanges = -1;
    private long seenConfirmingChanges = -1;
    private long seenConfirmingForDecision = -1;

    private final Timers timers = new Timers();
    private Optional<Mode> pendingMode = Optional.empty();
    private final List<Long> pendingModeIds = new ArrayList<>();
    private Instant lastCommandSwitch = Instant.MIN;

    public Engine(Config config) {
        this.config = config;
        this.flushBook = new FlushBook(config);
        this.dampening = new Dampening(config.failback(), config.wans().stream().map(WanConfig::name).toList());
    }

    /** One step. The first input must be {@link Input.Start}. */
    public Outputs step(Input input, Instant now) {
        if (monitor == null && !(input instanceof Input.Start)) {
            throw new IllegalStateException("the engine takes Start first, not " + input);
        }
        Step out = new Step();
        switch (input) {
            case Input.Start s -> start(s, now, out);
            case Input.Tick t -> { }
            case Input.ProbeDone p -> p.results().forEach(r -> monitor.onResult(r, now));
            case Input.Links l -> l.links().forEach((wan, link) -> setLink(wan, link, now, out));
            case Input.Addressing a -> {
                setAddressing(a.addressing(), now, out);
                setAddressing6(a.addressing6(), now, out);
            }
            case Input.ReadFailed f -> {
                out.note(Note.Level.WARN, "cannot read " + f.what() + ": " + f.error() + "; trying again");
                timers.readFailed(now);
            }
            case Input.KernelChanged k -> kernelChanged(k.needs(), now);
            case Input.ModeRequest m -> modeRequest(m, out);
            case Input.KernelReport r -> kernelReport(r, out);
        }
        Timers.Due due = timers.run(now);
        out.readLinks = due.links();
        out.readAddressing = due.addressing();
        out.repair = due.repair();
        out.probes.addAll(monitor.due(now));
        if (pendingMode.isPresent() && (!now.isBefore(lastCommandSwitch.plus(MODE_SWITCH_MIN_GAP))
                || !wouldMove(pendingMode.get(), now))) {
            applyMode(now, out);
        }
        boolean holdEnded = reconsiderAt().filter(t -> !t.isAfter(now)).isPresent();
        // A confirmation that starts or ends may release a failover waiting for it (Decider).
        if (monitor.verdictChanges() != seenVerdictChanges || holdEnded
                || monitor.confirmingChanges() != seenConfirmingForDecision) {
            seenConfirmingForDecision = monitor.confirmingChanges();
            decide(now, out);
        }
        emitTarget(now, out);
        if (monitor.confirmingChanges() != seenConfirmingChanges) {
            seenConfirmingChanges = monitor.confirmingChanges();
            out.stateChanged = true;
        }
        out.stateChanged = timers.refresh(now, out.stateChanged);
        return out.build(nextWake());
    }

    /** The uplink the LAN uses now, if any. */
    public Optional<String> active() {
        return decision == null ? Optional.empty() : decision.active();
    }

    /** The uplink whose IPv6 routes the LAN uses, if any. */
    public Optional<String> active6() {
        return lan6 == null ? Optional.empty() : lan6.routed();
    }

    /** The link the engine last heard of for {@code wan} (the fast carrier watch compares with it). */
    public Optional<LinkState> link(String wan) {
        return Optional.ofNullable(links.get(wan));
    }

    public Mode mode() {
        return mode;
    }

    /** The newest kernel target, if one was made. */
    public Optional<KernelTarget> target() {
        return Optional.ofNullable(lastTarget);
    }

    /** What people and adapters see; {@code wall} turns the engine's monotonic instants into wall-clock ones. */
    public DaemonState state(Instant now, UnaryOperator<Instant> wall) {
        HealthSnapshot health = monitor.snapshot(now);
        Optional<StateView.Parts6> six = lan6.configured() ? Optional.of(lan6.parts(monitor.snapshot6(now), now))
                : Optional.empty();
        return StateView.build(config, new StateView.Parts(health, decision, mode, lastSwitch, switches,
                addressing, policies.decisions(), kernel.conntrack(config.conntrack().flush().label()),
                kernel.sync(), dampening.holds(health, now)), six, wall);
    }

    private void start(Input.Start s, Instant now, Step out) {
        monitor = new Monitor(config, now);
        kernel = new KernelProgress(now, s.saved().tableDigest());
        timers.start(now, s.addressing().isPresent());
        s.links().forEach((wan, link) -> {
            if (config.wan(wan).isPresent()) {
                links.put(wan, link);
                monitor.setLink(wan, link, now);
            }
        });
        lan6 = new LanIpv6(config, s.active6InKernel(), now);
        s.addressing().ifPresent(a -> setAddressing(a, now, out));
        setAddressing6(s.addressing6(), now, out);
        decision = Decision.initial(s.activeInKernel().filter(w -> config.wan(w).isPresent()), now);
        s.saved().mode().filter(m -> m.auto() || config.wan(m.forced().get()).isPresent()).ifPresent(m -> mode = m);
        s.saved().holds().forEach((wan, hold) -> dampening.restore(wan, hold, now));
        policies = new Policies(config, s.nftTablePresent(), s.saved().policyUplinks(), now);
        monitor.setCarrying(carrying(), now);
        monitor.setCarrying6(carrying6(), now);
        out.note(Note.Level.INFO, "starting: active uplink " + decision.active().orElse("none")
                + (lan6.configured() ? ", IPv6 " + lan6.routed().orElse("none") : "")
                + " (from the kernel), mode " + mode);
        out.stateChanged = true;
    }

    /**
     * Carrier, read without a process. Losing it needs nothing else; an interface that vanished has no
     * addressing to ask about; one that appears or gets carrier back may bring a new address or gateway.
     */
    private void setLink(String wan, LinkState link, Instant now, Step out) {
        Optional<WanConfig> w = config.wan(wan);
        if (w.isEmpty()) {
            return;
        }
        LinkState before = links.put(wan, link);
        monitor.setLink(wan, link, now);
        if (link == before) {
            return;
        }
        out.stateChanged = true;
        if (link == LinkState.MISSING) {
            setAddressing(Map.of(wan, UplinkAddressing.missing(w.get())), now, out);
            if (w.get().ipv6().isPresent()) { // no route may name a device that is gone, IPv6's neither
                setAddressing6(Map.of(wan, Uplink6.missing(w.get())), now, out);
            }
        } else if (link == LinkState.CARRIER || before == LinkState.MISSING) {
            timers.discoverSoon(now);
        }
    }

    /** A changed address, gateway or interface presence shows here; the plan and the gateway probe follow. */
    private void setAddressing(Map<String, UplinkAddressing> read, Instant now, Step out) {
        addressingKnown = true;
        for (WanConfig w : config.wans()) {
            UplinkAddressing a = read.get(w.name());
            if (a == null) {
                continue;
            }
            UplinkAddressing before = addressing.put(w.name(), a);
            a.address().ifPresent(addr -> flushBook.address(w.name(), addr));
            if (!a.equals(before)) {
                planDirty = true;
                out.stateChanged = true;
                out.note(Note.Level.INFO, w.name() + ": interface " + w.iface() + " "
                        + (a.present() ? "present" : "missing") + ", address " + text(a.address())
                        + ", gateway " + text(a.gateway()));
            }
            monitor.setGateway(w.name(), a.gateway(), now);
        }
    }

    /** An uplink's IPv6 facts: its gateway6 is probed, its addresses and delegated prefix planned and NATed to. */
    private void setAddressing6(Map<String, Uplink6> read, Instant now, Step out) {
        for (WanConfig w : config.wans()) {
            Uplink6 u = read.get(w.name());
            if (u == null || w.ipv6().isEmpty()) {
                continue;
            }
            flushBook.addressing6(w.name(), u);
            if (lan6.setAddressing(w.name(), u)) {
                planDirty = true;
                out.stateChanged = true;
                out.note(Note.Level.INFO, w.name() + ": IPv6 addresses " + (u.addresses().isEmpty() ? "none"
                        : u.addresses().stream().map(dualwan.config.Ipv6::text).toList())
                        + ", gateway6 " + u.gateway().map(dualwan.config.Ipv6::text).orElse("none")
                        + ", delegated prefix " + u.delegated().map(Object::toString).orElse("none"));
            }
            monitor.setGateway6(w.name(), u.gateway(), now);
        }
    }

    private void kernelChanged(int needs, Instant now) {
        if ((needs & Input.Needs.LINKS) != 0) {
            timers.linksNow(now);
        }
        if ((needs & Input.Needs.ADDRESSING) != 0) {
            timers.discoverSoon(now);
        }
        if ((needs & Input.Needs.REPAIR) != 0) {
            timers.repairAsked();
        }
    }

    private void modeRequest(Input.ModeRequest m, Step out) {
        Optional<String> forced = m.mode().forced();
        if (forced.isPresent() && config.wan(forced.get()).isEmpty()) {
            out.modeReplies.add(new Outputs.ModeReply(m.id(), Optional.empty(),
                    Optional.of("no uplink named " + forced.get())));
            return;
        }
        pendingMode = Optional.of(m.mode());
        pendingModeIds.add(m.id());
    }

    /** The last mode asked for since the previous command switch takes effect; every asker hears the outcome. */
    private void applyMode(Instant now, Step out) {
        Mode next = pendingMode.get();
        pendingMode = Optional.empty();
        if (!next.equals(mode)) {
            out.note(Note.Level.INFO, "mode " + mode + " -> " + next);
            mode = next;
            Optional<String> before = decision.active();
            Optional<String> before6 = lan6.routed();
            Map<String, List<String>> policyUplinksBefore = policies.uplinks();
            decide(now, out);
            if (!decision.active().equals(before) || !lan6.routed().equals(before6)
                    || !policies.uplinks().equals(policyUplinksBefore)) {
                lastCommandSwitch = now;
            }
            out.stateChanged = true;
        }
        ModeResult result = new ModeResult(mode, decision.active(), decision.reason());
        pendingModeIds.forEach(id -> out.modeReplies.add(new Outputs.ModeReply(id, Optional.of(result), Optional.empty())));
        pendingModeIds.clear();
    }

    /** Whether {@code m} would move any traffic now (only such commands are held to one per second). */
    private boolean wouldMove(Mode m, Instant now) {
        HealthSnapshot health = monitor.snapshot(now);
        Function<String, Duration> holdOf = w -> dampening.hold(w, health, now);
        if (!Decider.decide(config, holdOf, health, m, decision, now).active().equals(decision.active())) {
            return true;
        }
        if (!lan6.next(health, monitor.snapshot6(now), m, now).active().equals(lan6.routed())) {
            return true;
        }
        return policies.wouldMove(holdOf, health, m, now);
    }

    private void kernelReport(Input.KernelReport r, Step out) {
        if (kernel.report(r, lastTarget == null ? -1 : lastTarget.generation())) {
            out.stateChanged = true;
        }
    }

    private void decide(Instant now, Step out) {
        seenVerdictChanges = monitor.verdictChanges();
        HealthSnapshot health = monitor.snapshot(now);
        Function<String, Duration> holdOf = w -> dampening.hold(w, health, now);
        Decision next = Decider.decide(config, holdOf, health, mode, decision, now);
        if (next.switchedFrom(decision)) {
            SwitchEvent e = new SwitchEvent(decision.active(), next.active(), now, next.reason());
            dampening.switched(decision.active(), next.active(), health, now);
            out.note(Note.Level.WARN, "switch " + e.from().orElse("none") + " -> " + e.to().orElse("none")
                    + ": " + e.reason());
            if (decision.active().isPresent()) {
                switches++;
                flushBook.left(Optional.empty(), decision.active().get());
            }
            lastSwitch = Optional.of(e);
            planDirty = true;
            out.switches.add(e);
        }
        decision = next;
        for (Policies.Moved m : policies.decide(holdOf, health, mode, now)) {
            out.note(Note.Level.WARN, "policy " + m.policy() + ": " + String.join(",", m.before()) + " -> "
                    + String.join(",", m.after().uplinks()) + ": " + m.after().reason());
            m.left().forEach(u -> flushBook.left(Optional.of(m.policy()), u));
            planDirty = true;
        }
        decide6(health, now, out);
        monitor.setCarrying(carrying(), now);
        monitor.setCarrying6(carrying6(), now);
        out.stateChanged = true;
    }

    /** The LAN's IPv6, from IPv6 verdicts alone: a switch flushes only IPv6 flows off the uplink it left. */
    private void decide6(HealthSnapshot health, Instant now, Step out) {
        Optional<SwitchEvent> e = lan6.decide(health, monitor.snapshot6(now), mode, now);
        if (e.isPresent()) {
            out.note(Note.Level.WARN, "IPv6 switch " + e.get().from().orElse("none") + " -> "
                    + e.get().to().orElse("none") + ": " + e.get().reason());
            e.get().from().ifPresent(flushBook::left6);
            planDirty = true;
        }
    }

    private Set<String> carrying6() {
        return lan6.routed().map(Set::of).orElse(Set.of());
    }

    /** The uplinks carrying the LAN's or some policy's traffic (a metered one is probed sparingly otherwise). */
    private Set<String> carrying() {
        Set<String> out = new java.util.HashSet<>(policies.carrying());
        decision.active().ifPresent(out::add);
        return out;
    }

    /**
     * A new target when the plan or table changed or traffic moved. Never before the first addressing read: a
     * plan without addresses would remove what a previous run left in place.
     */
    private void emitTarget(Instant now, Step out) {
        if (!addressingKnown) {
            return;
        }
        if (planDirty) {
            plannedRoutes = Planner.plan(config, addressing, decision.active());
            plannedRoutes6 = lan6.plan();
            plannedNft = NftPlanner.ruleset(config, addressing, policies.decisions(), lan6.addressing(),
                    Planner6.lanUnreachable(config, plannedRoutes6));
            planDirty = false;
        }
        boolean changed = lastTarget == null || !plannedRoutes.equals(lastTarget.plan())
                || !plannedRoutes6.equals(lastTarget.plan6()) || !plannedNft.equals(lastTarget.nft());
        if (!changed && flushBook.isEmpty()) {
            return;
        }
        FlushBook.Taken taken = flushBook.take();
        if (taken.commands().isEmpty() && !taken.what().isEmpty()) {
            out.note(Note.Level.INFO, "conntrack: nothing to flush for " + taken.what() + " (flush: "
                    + config.conntrack().flush().label() + ")");
        }
        lastTarget = new KernelTarget(++generation, plannedRoutes, plannedRoutes6, plannedNft, taken.commands(),
                taken.what());
        out.kernel = Optional.of(lastTarget);
        kernel.submitted(now);
    }

    /** The earliest end of a failback hold: the LAN's (either family) or a policy's. */
    private Optional<Instant> reconsiderAt() {
        return java.util.stream.Stream.of(decision.reconsiderAt(), lan6.reconsiderAt(), policies.reconsiderAt())
                .flatMap(Optional::stream).min(Instant::compareTo);
    }

    private Instant nextWake() {
        Instant next = earliest(monitor.nextDue(), earliest(timers.next(), reconsiderAt().orElse(Instant.MAX)));
        return pendingMode.isPresent() ? earliest(next, lastCommandSwitch.plus(MODE_SWITCH_MIN_GAP)) : next;
    }

    private static Instant earliest(Instant a, Instant b) {
        return Timers.earliest(a, b);
    }

    private static String text(Optional<Inet4Address> a) {
        return a.map(Inet4Address::getHostAddress).orElse("none");
    }
}
