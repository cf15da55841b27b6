package dualwan.app;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.engine.Engine;
import dualwan.engine.Note;
import dualwan.engine.Input;
import dualwan.engine.Outputs;
import dualwan.engine.StateView;
import dualwan.health.LinkState;
import dualwan.linux.Kernel;
import dualwan.linux.KernelEvent;
import dualwan.linux.KernelWorker;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.ModeResult;
import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;
import dualwan.model.StateJson;
import dualwan.model.StateListener;
import dualwan.model.SwitchEvent;
import dualwan.probe.Prober;
import org.tinylog.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The control loop: a thin shell around the {@link Engine}. One thread owns the engine; other threads only hand
 * it inputs (probe results, kernel events, mode commands, the kernel worker's reports). Each output goes to its
 * adapter: probes to the prober, kernel targets to the {@link KernelWorker} (the loop never runs {@code ip},
 * {@code nft} or {@code conntrack}), switches and state to the listeners and the state file. Time is monotonic.
 */
public final class Daemon implements AutoCloseable {

    /** Steps that throw this many times in a row end the process (systemd restarts it): never a blind daemon. */
    static final int MAX_FAILED_STEPS = 30;

    private final Config config;
    private final Kernel kernel;
    private final Clock wall;
    private final Clock mono;
    private final StateFile stateFile;
    private final Prober prober;
    private final Engine engine;
    private final EventFilter eventFilter;
    private final ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "dualwan-control");
        t.setDaemon(true);
        return t;
    });
    private final AddressReader addresses;
    private final FastCarrier fastCarrier;

    // Handed over by other threads.
    private final ConcurrentLinkedQueue<ProbeResult> results = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean missQueued = new AtomicBoolean();
    private final AtomicBoolean eventsQueued = new AtomicBoolean();
    private final AtomicInteger eventNeeds = new AtomicInteger();
    private final Map<Long, CompletableFuture<ModeResult>> modeReplies = new ConcurrentHashMap<>();
    private final AtomicLong modeIds = new AtomicLong();
    private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile Consumer<String> onFatal = reason -> Logger.error("fatal: {}", reason);
    private volatile Optional<Watchdog> watchdog = Optional.empty();

    // The loop's own.
    private KernelWorker worker;
    private AutoCloseable kernelEvents = () -> { };
    private Optional<PrefixWatcher> prefixWatcher = Optional.empty();
    private boolean started;
    private final List<Input> beforeStart = new ArrayList<>();
    private final Map<String, Object> sections = new LinkedHashMap<>();
    private int failedSteps;
    private boolean firstProbeLogged;
    private Instant lastPing = Instant.MIN;
    private ScheduledFuture<?> wake;
    private Instant wakeAt = Instant.MAX;

    public Daemon(Config config, Kernel kernel, Prober.Factory probers, Clock wall) {
        this.config = config;
        this.kernel = kernel;
        this.wall = wall;
        this.mono = new MonotonicClock(wall);
        this.stateFile = new StateFile(config.stateFile());
        this.engine = new Engine(config);
        this.eventFilter = new EventFilter(config);
        this.fastCarrier = new FastCarrier(loop, this::checkActiveCarrier);
        this.addresses = new AddressReader(config, kernel, this::execute, this::handle);
        loop.setRemoveOnCancelPolicy(true); // a replaced wake-up should not linger in the queue and fire for nothing
        this.prober = probers.open(this::onResult);
    }

    /** What to do when the daemon cannot go on (Main exits non-zero, so systemd restarts it). */
    public void onFatal(Consumer<String> action) {
        this.onFatal = action;
    }

    /** The service manager's watchdog, pinged from the loop itself; set before {@link #start()}. */
    public void watchdog(Watchdog w) {
        this.watchdog = Optional.of(w);
    }

    /** Reads what is in place, makes the first decision and starts probing. Returns once that is done. */
    public void start() throws Exception {
        loop.submit(() -> {
            StartUp found = StartUp.read(config, kernel, stateFile);
            worker = new KernelWorker(kernel, mono, found.start().nftTablePresent()
                    ? found.start().saved().tableDigest() : Optional.empty(), r -> post(r));
            handle(found.start());
            started = true;
            beforeStart.forEach(this::handle);
            beforeStart.clear();
            kernelEvents = kernel.watch(this::onKernelEvent);
            prefixWatcher = PrefixWatcher.start(config, () -> post(new Input.KernelChanged(Input.Needs.ADDRESSING)));
            return null;
        }).get();
        fastCarrier.arm(); // start-up's own link changes may have just run linkwatch
    }

    /** The one mode API: CLI, MQTT, the button and the page call this. Completes with the decision that follows. */
    public CompletableFuture<ModeResult> setMode(Mode mode) {
        CompletableFuture<ModeResult> done = new CompletableFuture<>();
        long id = modeIds.incrementAndGet();
        modeReplies.put(id, done);
        post(new Input.ModeRequest(id, mode));
        return done;
    }

    /** Adds an adapter to be told about the state; call before {@link #start()}. */
    public void addListener(StateListener listener) {
        listeners.add(listener);
    }

    /**
     * Puts (or with {@code null} removes) a top-level section of the state, e.g. the front panel's LEDs, shown
     * in the state file and to listeners. Any thread; the value must not change afterwards.
     */
    public void setSection(String name, Object value) {
        execute(() -> {
            if (value == null) {
                sections.remove(name);
            } else {
                sections.put(name, value);
            }
            if (started) {
                publish(mono.instant());
            }
        });
    }

    /** The current state as the state file holds it. */
    public CompletableFuture<Map<String, Object>> state() {
        CompletableFuture<Map<String, Object>> done = new CompletableFuture<>();
        execute(() -> done.complete(StateJson.tree(currentState(mono.instant()))));
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
        prefixWatcher.ifPresent(PrefixWatcher::close);
        prober.close();
        loop.shutdownNow();
        addresses.close();
        try {
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker != null) {
            worker.close();
        }
    }

    private void post(Input input) {
        execute(() -> handle(input));
    }

    private void execute(Runnable task) {
        if (!closed) {
            try {
                loop.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** One engine step and its outputs. A step that throws is logged; too many in a row end the process. */
    private void handle(Input input) {
        if (!started && !(input instanceof Input.Start)) {
            beforeStart.add(input); // a button or MQTT command during start-up waits for the first decision
            return;
        }
        Instant now = mono.instant();
        Outputs out;
        try {
            out = engine.step(input, now);
            failedSteps = 0;
        } catch (RuntimeException e) {
            failedSteps++;
            Logger.error(e, "control loop: step failed ({} in a row)", failedSteps);
            if (failedSteps >= MAX_FAILED_STEPS) {
                onFatal.accept("the control loop failed " + failedSteps + " times in a row");
            }
            scheduleWake(now, now.plusSeconds(1));
            return;
        }
        dispatch(out, now);
    }

    private void dispatch(Outputs out, Instant now) {
        out.notes().forEach(n -> {
            if (n.level() == Note.Level.WARN) {
                Logger.warn(n.text());
            } else {
                Logger.info(n.text());
            }
        });
        for (ProbeRequest req : out.probes()) {
            sendProbe(req, now);
        }
        out.kernel().ifPresent(worker::submit);
        if (out.repair()) {
            worker.repair();
        }
        UnaryOperator<Instant> toWall = wallTime(now);
        for (SwitchEvent e : out.switches()) {
            SwitchEvent shown = new SwitchEvent(e.from(), e.to(), toWall.apply(e.at()), e.reason());
            listeners.forEach(l -> tell(l, () -> l.switched(shown)));
        }
        if (out.stateChanged()) {
            publish(now);
        }
        // Only after the state file holds the new mode: a crash right after "mode isp2: active isp2" was
        // printed must not bring the restarted daemon back in the old mode.
        for (Outputs.ModeReply r : out.modeReplies()) {
            CompletableFuture<ModeResult> f = modeReplies.remove(r.id());
            if (f != null) {
                r.result().ifPresentOrElse(f::complete,
                        () -> f.completeExceptionally(new IllegalArgumentException(r.error().orElse("refused"))));
            }
        }
        if (out.readAddressing()) {
            addresses.read();
        }
        pingWatchdog(now);
        scheduleWake(now, out.wakeAt());
        if (out.readLinks()) {
            handle(new Input.Links(StartUp.links(config, kernel)));
        }
    }

    private void sendProbe(ProbeRequest req, Instant now) {
        try {
            prober.start(req);
        } catch (RuntimeException e) {
            Logger.error(e, "prober refused a probe");
        }
        if (!firstProbeLogged) {
            firstProbeLogged = true;
            ProcessHandle.current().info().startInstant().ifPresent(t -> Logger.info(
                    "first probe sent {} ms after the process started", Duration.between(t, wall.instant()).toMillis()));
        }
    }

    /** Monotonic instants as the wall-clock ones people read, as of the loop's moment {@code monoNow}. */
    private UnaryOperator<Instant> wallTime(Instant monoNow) {
        return StateView.toWall(monoNow, wall.instant());
    }

    private DaemonState currentState(Instant now) {
        DaemonState s = engine.state(now, wallTime(now));
        for (Map.Entry<String, Object> e : sections.entrySet()) {
            s = s.withSection(e.getKey(), e.getValue());
        }
        return s;
    }

    private void publish(Instant now) {
        DaemonState s = currentState(now);
        try {
            stateFile.write(s);
        } catch (IOException | RuntimeException e) {
            Logger.warn("cannot write {}: {}", stateFile.path(), e.getMessage());
        }
        listeners.forEach(l -> tell(l, () -> l.stateChanged(s)));
    }

    /** A listener's bug must not stop the loop (nor the other listeners). */
    private static void tell(StateListener listener, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            Logger.error(e, "state listener {}", listener.getClass().getSimpleName());
        }
    }

    /**
     * Called on the prober's thread. A reply changes nothing urgent: it waits in the queue for the next step (at
     * most one probe slot away), so replies cost no wake-up of their own. A miss may start a confirmation, so it
     * wakes the loop at once.
     */
    private void onResult(ProbeResult r) {
        results.add(r);
        if (!r.reachable() && missQueued.compareAndSet(false, true)) {
            execute(() -> {
                missQueued.set(false);
                handle(drainResults());
            });
        }
    }

    private Input drainResults() {
        List<ProbeResult> batch = new ArrayList<>();
        for (ProbeResult r; (r = results.poll()) != null; ) {
            batch.add(r);
        }
        return batch.isEmpty() ? new Input.Tick() : new Input.ProbeDone(batch);
    }

    /**
     * Called on the monitor's thread. Events about anything dualwan does not use are dropped here, and so are the
     * echoes of the worker's own writes; a burst of the others queues one step with the union of their re-reads.
     */
    private void onKernelEvent(KernelEvent event) {
        if (event.kind() == KernelEvent.Kind.LINK || event.kind() == KernelEvent.Kind.OTHER) {
            fastCarrier.arm(); // any link's change, even one we do not use: linkwatch just ran
        }
        int needs = eventFilter.needs(event);
        KernelWorker w = worker;
        if ((needs & Input.Needs.REPAIR) != 0 && event.kind() != KernelEvent.Kind.OTHER && w != null && w.isEcho(event)) {
            needs &= ~Input.Needs.REPAIR;
        }
        if (needs == 0) {
            return;
        }
        int add = needs;
        eventNeeds.getAndUpdate(n -> n | add);
        if (eventsQueued.compareAndSet(false, true)) {
            execute(() -> {
                eventsQueued.set(false);
                handle(new Input.KernelChanged(eventNeeds.getAndSet(0)));
            });
        }
    }

    /** The fast path for the one change that must be quick: carrier loss of an uplink the LAN uses (either family). */
    private void checkActiveCarrier() {
        if (!started) {
            return;
        }
        for (Optional<String> used : List.of(engine.active(), engine.active6())) {
            Optional<WanConfig> active = used.flatMap(config::wan);
            if (active.isPresent()) {
                LinkState link = StartUp.link(kernel, active.get());
                if (engine.link(active.get().name()).filter(link::equals).isEmpty()) {
                    handle(new Input.Links(Map.of(active.get().name(), link)));
                }
            }
        }
    }

    private void pingWatchdog(Instant now) {
        watchdog.ifPresent(w -> {
            if (!now.isBefore(lastPing.plus(w.interval().dividedBy(2)))) {
                if (!prober.alive()) {
                    onFatal.accept("the prober's thread died: no probe can be sent or timed out");
                    return;
                }
                lastPing = now;
                w.ping();
            }
        });
    }

    private void scheduleWake(Instant now, Instant next) {
        if (watchdog.isPresent()) {
            Instant ping = lastPing.plus(watchdog.get().interval().dividedBy(2));
            next = ping.isBefore(next) ? ping : next;
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
            wake = loop.schedule(() -> {
                wake = null; // this is the pending wake-up: the step below schedules the next one
                wakeAt = Instant.MAX;
                if (!prober.alive()) {
                    onFatal.accept("the prober's thread died: no probe can be sent or timed out");
                }
                handle(drainResults());
            }, delay, TimeUnit.NANOSECONDS);
        }
    }
}
