package dualwan.app;

import dualwan.model.StateListener;
import dualwan.model.SwitchEvent;

import dualwan.config.Config;
import dualwan.config.PolicyConfig;
import dualwan.config.WanConfig;
import dualwan.decide.Decider;
import dualwan.decide.Decision;
import dualwan.model.Mode;
import dualwan.decide.PolicyDecider;
import dualwan.decide.PolicyDecision;
import dualwan.health.HealthSnapshot;
import dualwan.health.LinkState;
import dualwan.health.Monitor;
import dualwan.linux.Discovery;
import dualwan.linux.Kernel;
import dualwan.linux.KernelEvent;
import dualwan.plan.NftPlanner;
import dualwan.plan.Planner;
import dualwan.plan.Planner.UplinkAddressing;
import dualwan.plan.Reconciler;
import dualwan.plan.RouteSpec;
import dualwan.plan.RoutingPlan;
import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;
import dualwan.probe.Prober;
import org.tinylog.Logger;

import java.io.IOException;
import java.net.Inet4Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The control loop. One thread owns every piece of mutable state. Other threads only hand it work: probe
 * results (queued; a miss also wakes it), kernel events and mode changes. Each pass runs: link state → probes
 * due → health → decisions (the LAN's and each policy's) → routing plan and nftables table → kernel → conntrack
 * flush of the flows that moved (once per switch) → state file.
 */
public final class Daemon implements AutoCloseable {

    /*
     * Carrier, addresses and gateways are re-read at once on every kernel event (ip monitor) and whenever the
     * monitor (re)starts; these polls are only the safety net, so they can be slow.
     */
    /** Carrier from sysfs. */
    static final Duration LINK_POLL = Duration.ofSeconds(10);
    /** Addresses and auto gateways (two {@code ip} runs for all uplinks). */
    static final Duration DISCOVERY = Duration.ofSeconds(60);
    /**
     * Events re-read addresses at most this often: a flapping cable or a burst of address events costs a few
     * {@code ip} runs a second, not one per event. A new DHCP lease still takes effect within this.
     */
    static final Duration DISCOVERY_ON_EVENT_MIN_GAP = Duration.ofMillis(200);
    /**
     * Linux reports a USB NIC's carrier loss up to 1 s late when linkwatch ran (for any link) in the last second;
     * the sysfs flag is not delayed. So for {@link #FAST_CARRIER_WINDOW} after any link event, the active
     * uplink's carrier is also read this often (one pread of a kept-open file). Outside that window the kernel
     * reports a loss at once, and polling all the time would cost about 1 % of a core. See the README.
     */
    static final Duration ACTIVE_CARRIER_POLL = Duration.ofMillis(25);
    /** Linkwatch holds a plain NIC's event at most one second after its last run. */
    static final Duration FAST_CARRIER_WINDOW = Duration.ofMillis(1100);
    /** Our rules and tables are compared with the plan (repairing what someone else changed). */
    static final Duration RECONCILE = Duration.ofSeconds(30);
    /**
     * Kernel events reconcile at once, but at most this often: our own changes raise events too, and a program
     * fighting over our tables must not start a loop.
     */
    static final Duration RECONCILE_ON_EVENT_MIN_GAP = Duration.ofSeconds(1);
    /** RTT and loss figures in the state file are refreshed this often when nothing else changed. */
    static final Duration STATE_REFRESH = Duration.ofSeconds(5);

    private final Config config;
    private final Kernel kernel;
    private final Clock clock;
    private final StateFile stateFile;
    private final Prober prober;
    private final ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "dualwan-control");
        t.setDaemon(true);
        return t;
    });

    // Handed over by other threads (prober, kernel monitor); everything below them belongs to the loop.
    private final Queue<ProbeResult> results = new ConcurrentLinkedQueue<>();
    private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean missQueued = new AtomicBoolean();
    private final AtomicBoolean eventsQueued = new AtomicBoolean();
    /** {@link EventFilter} bits of the re-reads that kernel events asked for since the last pass. */
    private final AtomicInteger eventNeeds = new AtomicInteger();
    private final EventFilter eventFilter;
    /** System.nanoTime() until which the active uplink's carrier is polled; set by the monitor's thread. */
    private final java.util.concurrent.atomic.AtomicLong fastCarrierUntil = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicBoolean fastCarrierRunning = new AtomicBoolean();
    private volatile boolean closed;

    private Monitor monitor;
    private Decision decision;
    private final Map<String, PolicyDecision> policyDecisions = new LinkedHashMap<>();
    private final Netfilter netfilter;
    private Mode mode = Mode.AUTO;
    private Optional<SwitchEvent> lastSwitch = Optional.empty();
    private int switches;
    private long seenVerdictChanges = -1;
    private long seenConfirmingChanges = -1;
    private final Map<String, Object> sections = new LinkedHashMap<>();
    private final Map<String, UplinkAddressing> addressing = new LinkedHashMap<>();
    private final Map<String, LinkState> links = new HashMap<>();
    private boolean planDirty = true;
    private RoutingPlan planned;
    private RoutingPlan applied;
    private String plannedNft;
    private boolean stateDirty = true;
    private boolean firstProbeLogged;
    private AutoCloseable kernelEvents = () -> { };

    private Instant nextLinkPoll = Instant.MIN;
    private Instant nextDiscovery = Instant.MIN;
    private Instant nextReconcile = Instant.MIN;
    private Instant lastReconcile = Instant.MIN;
    private Instant lastDiscovery = Instant.MIN;
    private Instant nextStateWrite = Instant.MIN;
    private ScheduledFuture<?> wake;
    private Instant wakeAt = Instant.MAX;

    public Daemon(Config config, Kernel kernel, Prober.Factory probers, Clock clock) {
        this.config = config;
        this.kernel = kernel;
        this.clock = clock;
        this.stateFile = new StateFile(config.stateFile());
        this.netfilter = new Netfilter(config, kernel);
        this.eventFilter = new EventFilter(config);
        loop.setRemoveOnCancelPolicy(true); // a replaced wake-up should not linger in the queue and fire for nothing
        this.prober = probers.open(this::onResult);
    }

    /** Reconciles with the kernel and starts probing. Returns once the first pass is done. */
    public void start() throws Exception {
        loop.submit(() -> {
            Instant now = clock.instant();
            monitor = new Monitor(config, now);
            pollLinks(now);
            discover(now);
            decision = Decision.initial(activeInKernel(), now);
            restoreMode();
            restorePolicies(now);
            kernelEvents = kernel.watch(this::onKernelEvent);
            Logger.info("starting: active uplink {} (from the kernel), mode {}", decision.active().orElse("none"), mode);
            pass();
            return null;
        }).get();
        armFastCarrier(); // start-up's own link changes may have just run linkwatch
    }

    /** The one mode API: CLI, MQTT and the button call this. Completes with the decision that follows. */
    public CompletableFuture<dualwan.model.ModeResult> setMode(Mode newMode) {
        CompletableFuture<dualwan.model.ModeResult> done = new CompletableFuture<>();
        post(() -> {
            if (newMode.forced().isPresent() && config.wan(newMode.forced().get()).isEmpty()) {
                done.completeExceptionally(new IllegalArgumentException("no uplink named " + newMode.forced().get()));
                return;
            }
            if (!newMode.equals(mode)) {
                Logger.info("mode {} -> {}", mode, newMode);
                mode = newMode;
                decide(clock.instant());
            }
            pass();
            done.complete(new dualwan.model.ModeResult(mode, decision.active(), decision.reason()));
        });
        return done;
    }

    /** Adds an adapter to be told about the state; call before {@link #start()}. */
    public void addListener(StateListener listener) {
        listeners.add(listener);
    }

    /**
     * Puts (or with {@code null} removes) a top-level section of the state, e.g. the front panel's LEDs, shown
     * in the state file and to listeners. May be called from any thread; the value must not change afterwards.
     */
    public void setSection(String name, Object value) {
        post(() -> {
            if (value == null) {
                sections.remove(name);
            } else {
                sections.put(name, value);
            }
            stateDirty = true;
            if (monitor != null) { // before start() the first pass shows it
                pass();
            }
        });
    }

    /** A copy of the current state as written to the state file. */
    public CompletableFuture<Map<String, Object>> state() {
        CompletableFuture<Map<String, Object>> done = new CompletableFuture<>();
        post(() -> done.complete(render(clock.instant())));
        return done;
    }

    @Override
    public void close() {
        closed = true;
        try {
            kernelEvents.close();
        } catch (Exception e) {
            Logger.warn("stopping the kernel monitor: {}", e.getMessage());
        }
        prober.close();
        loop.shutdownNow();
        try {
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void post(Runnable task) {
        if (!closed) {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    Logger.error(e, "control loop");
                }
            });
        }
    }

    /**
     * Called on the monitor's thread. Events about anything dualwan does not use are dropped here; a burst of the
     * others (a flapping cable, our own route changes) queues one pass that does the union of their re-reads.
     */
    private void onKernelEvent(KernelEvent event) {
        if (event.kind() == KernelEvent.Kind.LINK || event.kind() == KernelEvent.Kind.OTHER) {
            armFastCarrier(); // any link's change, even one we do not use: linkwatch just ran
        }
        int needs = eventFilter.needs(event);
        if (needs == 0) {
            return;
        }
        eventNeeds.getAndUpdate(n -> n | needs);
        if (eventsQueued.compareAndSet(false, true)) {
            post(() -> {
                eventsQueued.set(false);
                int n = eventNeeds.getAndSet(0);
                Instant now = clock.instant();
                if ((n & EventFilter.LINKS) != 0) {
                    nextLinkPoll = Instant.MIN;
                }
                if ((n & EventFilter.ADDRESSING) != 0) {
                    discoverSoon(now);
                }
                if ((n & EventFilter.REPAIR) != 0) {
                    Instant soonest = lastReconcile.plus(RECONCILE_ON_EVENT_MIN_GAP);
                    nextReconcile = soonest.isBefore(nextReconcile) ? soonest : nextReconcile;
                }
                pass();
            });
        }
    }

    /** Any thread: poll the active uplink's carrier for the next {@link #FAST_CARRIER_WINDOW}. */
    private void armFastCarrier() {
        fastCarrierUntil.set(System.nanoTime() + FAST_CARRIER_WINDOW.toNanos());
        if (fastCarrierRunning.compareAndSet(false, true) && !closed) {
            try {
                loop.schedule(this::watchActiveCarrier, ACTIVE_CARRIER_POLL.toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** The fast path for the one change that must be quick: carrier loss of the uplink the LAN uses. */
    private void watchActiveCarrier() {
        try {
            Optional<WanConfig> active = decision == null ? Optional.empty() : decision.active().flatMap(config::wan);
            if (active.isPresent() && kernel.link(active.get().iface()) != links.get(active.get().name())) {
                nextLinkPoll = Instant.MIN;
                pass();
            }
        } catch (RuntimeException e) {
            Logger.error(e, "control loop");
        } finally {
            if (System.nanoTime() - fastCarrierUntil.get() < 0 && !closed) {
                loop.schedule(this::watchActiveCarrier, ACTIVE_CARRIER_POLL.toNanos(), TimeUnit.NANOSECONDS);
            } else {
                fastCarrierRunning.set(false);
                if (System.nanoTime() - fastCarrierUntil.get() < 0) {
                    armFastCarrier(); // armed again just now, between the check and the reset
                }
            }
        }
    }

    private void discoverSoon(Instant now) {
        Instant soonest = lastDiscovery.plus(DISCOVERY_ON_EVENT_MIN_GAP);
        Instant at = soonest.isAfter(now) ? soonest : now;
        nextDiscovery = at.isBefore(nextDiscovery) ? at : nextDiscovery;
    }

    /**
     * Called on the prober's thread. A reply changes nothing urgent: it waits in the queue for the next pass
     * (at most one probe slot away), so replies cost the loop no wake-up of their own. A miss may start a
     * confirmation, so it wakes the loop at once.
     */
    private void onResult(ProbeResult r) {
        results.add(r);
        if (!r.reachable() && missQueued.compareAndSet(false, true)) {
            post(() -> {
                missQueued.set(false);
                pass();
            });
        }
    }

    /** One pass of the loop; cheap when nothing changed. */
    private void pass() {
        Instant now = clock.instant();
        if (!now.isBefore(nextLinkPoll)) {
            pollLinks(now);
        }
        if (!now.isBefore(nextDiscovery)) {
            discover(now);
        }
        for (ProbeResult r; (r = results.poll()) != null; ) {
            monitor.onResult(r, now);
        }
        for (ProbeRequest req : monitor.due(now)) {
            prober.start(req);
            if (!firstProbeLogged) {
                firstProbeLogged = true;
                ProcessHandle.current().info().startInstant().ifPresent(started ->
                        Logger.info("first probe sent {} ms after the process started", Duration.between(started, now).toMillis()));
            }
        }
        boolean holdEnded = reconsiderAt().filter(t -> !t.isAfter(now)).isPresent();
        if (monitor.verdictChanges() != seenVerdictChanges || holdEnded) {
            seenVerdictChanges = monitor.verdictChanges();
            decide(now);
        }
        if (planDirty) {
            planned = Planner.plan(config, addressing, decision.active());
            plannedNft = NftPlanner.ruleset(config, addressing, policyDecisions);
            planDirty = false;
        }
        boolean full = !now.isBefore(nextReconcile) || applied == null;
        if (full) {
            reconcile(planned, now);
        } else if (!planned.equals(applied)) {
            applyChange(planned, now);
        }
        if ((full || !netfilter.isApplied(plannedNft)) && !netfilter.reconcile(plannedNft)) {
            nextReconcile = now.plusSeconds(1);
        }
        if (netfilter.flushMoved()) {
            stateDirty = true;
        }
        if (monitor.confirmingChanges() != seenConfirmingChanges) {
            seenConfirmingChanges = monitor.confirmingChanges();
            stateDirty = true;
        }
        if (stateDirty || !now.isBefore(nextStateWrite)) {
            writeState(now);
        }
        schedule(now);
    }

    private void decide(Instant now) {
        HealthSnapshot health = monitor.snapshot(now);
        Decision next = Decider.decide(config, health, mode, decision, now);
        if (next.switchedFrom(decision)) {
            SwitchEvent e = new SwitchEvent(decision.active(), next.active(), now, next.reason());
            Logger.warn("switch {} -> {}: {}", e.from().orElse("none"), e.to().orElse("none"), e.reason());
            if (decision.active().isPresent()) {
                switches++;
                netfilter.left(Optional.empty(), decision.active().get());
            }
            lastSwitch = Optional.of(e);
            planDirty = true;
            listeners.forEach(l -> tell(l, () -> l.switched(e)));
        }
        decision = next;
        for (PolicyConfig p : config.policies()) {
            PolicyDecision before = policyDecisions.get(p.name());
            PolicyDecision after = PolicyDecider.decide(p, config.failback().hold(), health, mode, before, now);
            if (!after.uplinks().equals(before.uplinks())) {
                Logger.warn("policy {}: {} -> {}: {}", p.name(), String.join(",", before.uplinks()),
                        String.join(",", after.uplinks()), after.reason());
                after.left(before).forEach(u -> netfilter.left(Optional.of(p.name()), u));
                planDirty = true;
            }
            policyDecisions.put(p.name(), after);
        }
        stateDirty = true;
    }

    /** The earliest end of a failback hold, the LAN's or a policy's. */
    private Optional<Instant> reconsiderAt() {
        Optional<Instant> at = decision.reconsiderAt();
        for (PolicyDecision d : policyDecisions.values()) {
            if (d.reconsiderAt().isPresent() && (at.isEmpty() || d.reconsiderAt().get().isBefore(at.get()))) {
                at = d.reconsiderAt();
            }
        }
        return at;
    }


    /**
     * Carrier from sysfs, no process. Losing it needs nothing else; an interface that vanished has no addressing
     * to ask about; one that appears or gets carrier back may bring a new address or gateway, read soon after.
     */
    private void pollLinks(Instant now) {
        nextLinkPoll = now.plus(LINK_POLL);
        for (WanConfig w : config.wans()) {
            LinkState link = kernel.link(w.iface());
            LinkState before = links.put(w.name(), link);
            monitor.setLink(w.name(), link, now);
            if (link == before) {
                continue;
            }
            if (link == LinkState.MISSING) {
                setAddressing(w, Discovery.missing(w), now);
            } else if (link == LinkState.CARRIER || before == LinkState.MISSING) {
                discoverSoon(now);
            }
        }
    }

    private void discover(Instant now) {
        lastDiscovery = now;
        nextDiscovery = now.plus(DISCOVERY);
        Map<String, UplinkAddressing> read;
        try {
            read = Discovery.readAll(kernel, config.wans());
        } catch (IOException e) {
            Logger.warn("cannot read addresses: {}", e.getMessage());
            nextDiscovery = now.plusSeconds(1);
            return;
        }
        for (WanConfig w : config.wans()) {
            setAddressing(w, read.get(w.name()), now);
        }
    }

    /**
     * A change of an uplink's addressing (address, gateway, interface present) shows here, as a changed
     * {@link UplinkAddressing}: the plan (table, rules) and the gateway probe follow from it.
     */
    private void setAddressing(WanConfig w, UplinkAddressing a, Instant now) {
        UplinkAddressing before = addressing.put(w.name(), a);
        a.address().ifPresent(addr -> netfilter.address(w.name(), addr));
        if (!a.equals(before)) {
            planDirty = true;
            Logger.info("{}: interface {} {}, address {}, gateway {}", w.name(), w.iface(),
                    a.present() ? "present" : "missing", a.address().map(Inet4Address::getHostAddress).orElse("none"),
                    a.gateway().map(Inet4Address::getHostAddress).orElse("none"));
            stateDirty = true;
        }
        monitor.setGateway(w.name(), a.gateway(), now);
    }

    /** Which uplink the LAN table already points at: a restart keeps it instead of switching. */
    private Optional<String> activeInKernel() {
        try {
            List<RouteSpec> lan = kernel.tables(List.of(config.routing().lanTable())).get(config.routing().lanTable());
            return lan.stream().filter(r -> r.dst().equals("default")).findFirst().flatMap(RouteSpec::dev)
                    .flatMap(dev -> config.wans().stream().filter(w -> w.iface().equals(dev)).findFirst())
                    .map(WanConfig::name);
        } catch (IOException e) {
            Logger.warn("cannot read table {}: {}", config.routing().lanTable(), e.getMessage());
            return Optional.empty();
        }
    }

    private void restoreMode() {
        stateFile.read().map(m -> m.get("mode")).map(Object::toString).map(Mode::parse)
                .filter(m -> m.auto() || config.wan(m.forced().get()).isPresent())
                .ifPresent(m -> mode = m);
    }

    /**
     * Restores the policies' decisions of the previous run when its table is still in the kernel, so a restart
     * does not move their traffic (their uplinks are confirmed or changed by the first verdicts).
     */
    private void restorePolicies(Instant now) {
        config.policies().forEach(p -> policyDecisions.put(p.name(), PolicyDecision.initial(now)));
        Optional<String> table;
        try {
            table = kernel.nftTable();
        } catch (IOException e) {
            Logger.warn("cannot read the nftables table: {}", e.getMessage());
            return;
        }
        if (table.isEmpty()) {
            return;
        }
        Object saved = stateFile.read().map(m -> m.get("policies")).orElse(null);
        if (!(saved instanceof Map<?, ?> byName)) {
            return;
        }
        for (PolicyConfig p : config.policies()) {
            if (byName.get(p.name()) instanceof Map<?, ?> m && m.get("uplinks") instanceof List<?> list) {
                List<String> uplinks = list.stream().map(String::valueOf).filter(u -> config.wan(u).isPresent()).toList();
                policyDecisions.put(p.name(), new PolicyDecision(uplinks, java.util.Set.of(), now,
                        "found in place at start", Optional.empty()));
            }
        }
    }


    /** Compares the plan with the kernel's rules and tables and runs the difference. */
    private void reconcile(RoutingPlan plan, Instant now) {
        lastReconcile = now;
        nextReconcile = now.plus(RECONCILE);
        try {
            List<Integer> ids = List.copyOf(plan.tables().keySet());
            boolean ok = run(Reconciler.commands(plan, kernel.rules(), kernel.tables(ids)));
            applied = ok ? plan : null;
            if (!ok) {
                nextReconcile = now.plusSeconds(1);
            }
        } catch (IOException e) {
            Logger.warn("cannot read routing state: {}", e.getMessage());
            applied = null;
            nextReconcile = now.plusSeconds(1);
        }
    }

    /**
     * A switch or new addressing: run the difference from the plan last applied, without reading the kernel
     * first (two {@code ip} runs saved on the way to a failover). Our own changes raise kernel events, which
     * bring a full {@link #reconcile} within {@link #RECONCILE_ON_EVENT_MIN_GAP}; a command that fails
     * (the kernel was not what we thought) brings it at once.
     */
    private void applyChange(RoutingPlan plan, Instant now) {
        if (run(Reconciler.commands(plan, applied.rules(), applied.tables()))) {
            applied = plan;
        } else {
            reconcile(plan, now);
        }
    }

    /** Runs {@code ip} commands in order; false if any failed. */
    private boolean run(List<List<String>> commands) {
        boolean ok = true;
        for (List<String> c : commands) {
            Optional<String> error;
            try {
                error = kernel.ip(c);
            } catch (IOException e) {
                error = Optional.of(e.getMessage());
            }
            if (error.isPresent()) {
                ok = false;
                Logger.warn("ip {} failed: {}", String.join(" ", c), error.get());
            } else {
                Logger.info("ip {}", String.join(" ", c));
            }
        }
        return ok;
    }

    private Map<String, Object> render(Instant now) {
        return render(monitor.snapshot(now));
    }

    private Map<String, Object> render(HealthSnapshot health) {
        return dualwan.model.StateJson.tree(typed(health));
    }

    private dualwan.model.DaemonState typed(HealthSnapshot health) {
        var parts = new dualwan.engine.StateView.Parts(health, decision, mode, lastSwitch, switches, addressing,
                policyDecisions, netfilter.state(), new dualwan.model.DaemonState.KernelSync("in_sync", health.at(), Optional.empty(), 0));
        dualwan.model.DaemonState s = dualwan.engine.StateView.build(config, parts, t -> t);
        for (var e : sections.entrySet()) {
            s = s.withSection(e.getKey(), e.getValue());
        }
        return s;
    }

    private void writeState(Instant now) {
        nextStateWrite = now.plus(STATE_REFRESH);
        stateDirty = false;
        HealthSnapshot health = monitor.snapshot(now);
        dualwan.model.DaemonState status = typed(health);
        try {
            stateFile.write(dualwan.model.StateJson.tree(status));
        } catch (IOException e) {
            Logger.warn("cannot write {}: {}", stateFile.path(), e.getMessage());
        }
        listeners.forEach(l -> tell(l, () -> l.stateChanged(status)));
    }

    /** A listener's bug must not stop the loop (nor the other listeners). */
    private static void tell(StateListener listener, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            Logger.error(e, "state listener {}", listener.getClass().getSimpleName());
        }
    }

    private void schedule(Instant now) {
        Instant next = monitor.nextDue();
        for (Instant t : new Instant[]{nextLinkPoll, nextDiscovery, nextReconcile, nextStateWrite}) {
            next = t.isBefore(next) ? t : next;
        }
        if (reconsiderAt().isPresent() && reconsiderAt().get().isBefore(next)) {
            next = reconsiderAt().get();
        }
        if (wake != null && !wake.isDone() && !next.isBefore(wakeAt)) {
            return;
        }
        if (wake != null) {
            wake.cancel(false);
        }
        wakeAt = next;
        long delay = Math.max(0, Duration.between(now, next).toNanos());
        if (!closed) {
            wake = loop.schedule(this::safePass, delay, TimeUnit.NANOSECONDS);
        }
    }

    /** A pass that cannot kill the loop: on a bug, log it and try again in a second. */
    private void safePass() {
        wake = null; // this is the wake-up that was pending: the pass below must schedule the next one
        wakeAt = Instant.MAX;
        try {
            pass();
        } catch (RuntimeException e) {
            Logger.error(e, "control loop");
            wakeAt = Instant.MAX;
            if (!closed) {
                wake = loop.schedule(this::safePass, 1, TimeUnit.SECONDS);
            }
        }
    }
}
