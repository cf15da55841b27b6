package dualwan.gpio;

import dualwan.model.StateListener;
import dualwan.model.DaemonState;
import dualwan.model.ModeControl;
import dualwan.config.GpioConfig;
import dualwan.config.GpioConfig.Led;
import dualwan.model.Mode;
import org.tinylog.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * The front panel: shows the daemon's state on the LEDs and turns button presses into mode changes.
 *
 * <p>Everything runs on the panel's own {@link PanelScheduler}. The daemon's loop only drops the newest
 * {@link DaemonState} here and returns; the button's thread only queues its edges. So a GPIO call that hangs stalls
 * the panel, never a failover. A short press steps the mode ({@link Mode#next}), a long press returns to auto;
 * both go through the daemon's mode API, are logged, and appear in the state file's {@code panel} section.
 */
public final class Panel implements StateListener, AutoCloseable {

    private record Edge(boolean pressed, Instant at) {
    }

    private record LastPress(Button.Press press, Mode from, Mode to, Optional<String> active, Optional<String> error) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gesture", press.gesture().label());
            m.put("at", press.at().toString());
            m.put("mode_before", from.toString());
            m.put("mode", to.toString());
            m.put("active", active.orElse(null));
            error.ifPresent(e -> m.put("error", e));
            return m;
        }
    }

    private final GpioConfig config;
    private final List<Led> leds;
    private final List<String> uplinks;
    private final FrontPanel hardware;
    private final Clock clock;
    private final PanelScheduler scheduler;
    private final ModeControl modes;
    private final BiConsumer<String, Object> setSection;

    // Handed over by other threads.
    private final AtomicReference<DaemonState> latest = new AtomicReference<>();
    private final Queue<Edge> edges = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile boolean closed;

    // Owned by the panel's thread.
    private PanelView view;
    private Button button;
    private Mode mode = Mode.AUTO;
    private Optional<Mode> requested = Optional.empty();
    private Optional<LastPress> lastPress = Optional.empty();
    private final Map<String, Boolean> written = new HashMap<>();
    private final Set<String> failing = new HashSet<>();
    private Map<String, Object> published;
    /** The daemon has started (its first state came): only then does it take state sections. */
    private boolean daemonStarted;
    private Runnable cancelWake;
    private Instant wakeAt = Instant.MAX;

    /**
     * @param uplinks    every uplink in config order: the cycle a short press steps through
     * @param modes      the daemon's mode API
     * @param setSection the daemon's state sections (the panel writes {@code panel})
     */
    public Panel(GpioConfig config, List<String> uplinks, FrontPanel hardware, Clock clock, PanelScheduler scheduler,
                 ModeControl modes, BiConsumer<String, Object> setSection) {
        this.config = config;
        this.leds = config.ledList();
        this.uplinks = List.copyOf(uplinks);
        this.hardware = hardware;
        this.clock = clock;
        this.scheduler = scheduler;
        this.modes = modes;
        this.setSection = setSection;
    }

    /**
     * The panel on its own thread with Pi4J pins, or empty after one warning when this machine has no usable
     * GPIO (not a Pi, no access, Pi4J failed): the daemon then runs without it.
     */
    public static Optional<Panel> open(GpioConfig config, List<String> uplinks, ModeControl modes,
                                       BiConsumer<String, Object> setSection) {
        FrontPanel hardware;
        try {
            hardware = Pi4jFrontPanel.open(config);
        } catch (Pi4jFrontPanel.Unavailable e) {
            Logger.warn("running without the front panel: {}", e.getMessage());
            return Optional.empty();
        }
        Logger.info("panel: {} LEDs, {}, through Pi4J's {} provider", config.ledList().size(),
                config.button().isPresent() ? "button on BCM " + config.button().getAsInt() : "no button",
                config.provider().label());
        Clock clock = Clock.systemUTC();
        return Optional.of(new Panel(config, uplinks, hardware, clock, PanelScheduler.ownThread(clock), modes,
                setSection));
    }

    /** Starts the boot pattern and listens to the button. */
    public void start() {
        scheduler.execute(guarded(() -> {
            Instant now = clock.instant();
            view = new PanelView(leds, now);
            button = new Button(config.button().isPresent() && hardware.buttonPressed(), now);
            refresh();
        }));
        hardware.onButton(pressed -> {
            edges.add(new Edge(pressed, clock.instant()));
            requestRefresh();
        });
    }

    /** Called on the daemon's loop: keep the newest state, wake the panel's thread, return. */
    @Override
    public void stateChanged(DaemonState status) {
        latest.set(status);
        requestRefresh();
    }

    /** Turns the LEDs off (waiting at most {@link PanelScheduler#CLOSE_WAIT} for a slow line) and releases the pins. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        AtomicBoolean off = new AtomicBoolean();
        scheduler.execute(() -> {
            leds.forEach(l -> write(l.name(), false));
            off.set(true);
        });
        scheduler.close();
        if (!off.get()) {
            Logger.warn("panel: LEDs still not off after {} ms; releasing the pins", PanelScheduler.CLOSE_WAIT.toMillis());
        }
        hardware.close();
    }

    private void requestRefresh() {
        if (!closed && refreshQueued.compareAndSet(false, true)) {
            scheduler.execute(guarded(() -> {
                refreshQueued.set(false);
                refresh();
            }));
        }
    }

    /** One pass on the panel's thread: newest state, button, LEDs, state section, next wake-up. */
    private void refresh() {
        if (closed || view == null) {
            return;
        }
        Instant now = clock.instant();
        DaemonState status = latest.getAndSet(null);
        if (status != null) {
            daemonStarted = true;
            mode = status.mode();
            view.show(Patterns.of(leds, status));
        }
        for (Edge e; (e = edges.poll()) != null; ) {
            button.level(e.pressed(), e.at()).ifPresent(this::pressed);
        }
        button.advance(now).ifPresent(this::pressed);
        view.levels(now).forEach((name, lit) -> {
            if (!lit.equals(written.get(name))) {
                write(name, lit);
            }
        });
        publish(now);
        scheduleWake(clock.instant());
    }

    private void pressed(Button.Press press) {
        Mode from = requested.orElse(mode);
        Mode to = press.gesture() == Button.Gesture.LONG ? Mode.AUTO : from.next(uplinks);
        Logger.info("panel: {} press: mode {} -> {}", press.gesture().label(), from, to);
        requested = Optional.of(to);
        LastPress record = new LastPress(press, from, to, Optional.empty(), Optional.empty());
        lastPress = Optional.of(record);
        modes.setMode(to).whenComplete((decision, error) -> scheduler.execute(guarded(() -> {
            if (requested.equals(Optional.of(to))) {
                requested = Optional.empty();
            }
            if (error == null) {
                mode = to; // the daemon has it now; its next state says so too
            }
            if (lastPress.equals(Optional.of(record))) {
                lastPress = Optional.of(error == null
                        ? new LastPress(press, from, to, decision.active(), Optional.empty())
                        : new LastPress(press, from, to, Optional.empty(), Optional.of(String.valueOf(error.getMessage()))));
            }
            if (error != null) {
                Logger.warn("panel: mode {} refused: {}", to, error.getMessage());
            }
            refresh();
        })));
    }

    private void write(String name, boolean lit) {
        try {
            hardware.led(name, lit);
            written.put(name, lit);
            if (failing.remove(name)) {
                Logger.info("panel: LED {} works again", name);
            }
        } catch (RuntimeException e) {
            written.remove(name);
            if (failing.add(name)) {
                Logger.warn("panel: cannot set LED {}: {}", name, e.getMessage());
            }
        }
    }

    private void publish(Instant now) {
        if (!daemonStarted) {
            return;
        }
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("provider", config.provider().label());
        Map<String, String> shown = new LinkedHashMap<>();
        view.patterns(now).forEach((name, p) -> shown.put(name, p.label()));
        section.put("leds", shown);
        section.put("button", config.button().isPresent() ? "BCM " + config.button().getAsInt() : null);
        section.put("last_gesture", lastPress.map(LastPress::json).orElse(null));
        if (!section.equals(published)) {
            published = section;
            setSection.accept("panel", section);
        }
    }

    private void scheduleWake(Instant now) {
        Instant next = view.nextChange(now);
        Instant deadline = button.nextDeadline().orElse(Instant.MAX);
        next = deadline.isBefore(next) ? deadline : next;
        if (next.equals(Instant.MAX) || (cancelWake != null && !next.isBefore(wakeAt))) {
            return;
        }
        if (cancelWake != null) {
            cancelWake.run();
        }
        wakeAt = next;
        cancelWake = scheduler.schedule(guarded(() -> {
            cancelWake = null;
            wakeAt = Instant.MAX;
            refresh();
        }), next);
    }

    /** A bug in one pass is logged; the panel's thread goes on. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                Logger.error(e, "panel");
            }
        };
    }
}
