package dualwan.mqtt;

import dualwan.model.StateListener;
import dualwan.model.DaemonState;
import dualwan.model.ModeControl;
import dualwan.model.SwitchEvent;
import dualwan.config.Config;
import dualwan.config.MqttConfig;
import dualwan.config.WanConfig;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Shows the daemon's state on an MQTT broker (with Home Assistant discovery) and takes mode commands from it.
 *
 * <p>All broker work runs on the reporter's own thread ({@link ReporterThread}). The control loop only hands over
 * the newest state (a burst of changes becomes one publication) and switch events, so a slow or absent broker
 * never delays a failover. Commands are checked ({@link Commands}, {@link CommandHandler}) and go to the same
 * mode API as the CLI.
 *
 * <p>The connection is retried with a {@link Backoff}, the first connect included. Every (re)connect subscribes
 * again and publishes discovery, the current state and {@code online}. A switch event is kept until the broker
 * acknowledges it ({@link EventOutbox}), so one written into a connection that was already dead (the uplink to a
 * remote broker just failed) is published again after the reconnect; at most {@link #MAX_UNSENT_EVENTS} are kept.
 */
public final class MqttReporter implements StateListener, AutoCloseable {

    static final String ONLINE = "online";
    static final String OFFLINE = "offline";
    /** The last will: the broker publishes it after a crash or power cut, so it is told apart from a clean stop. */
    static final String LOST = "lost";
    /**
     * Switch events kept while the broker is away: under the default dampening a flapping primary switches about
     * twice per 15-minute hold, so this is days of outage (about 250 KB at most). 32 lost events in a
     * three-minute outage of the lab's soak (2 s holds, no dampening).
     */
    static final int MAX_UNSENT_EVENTS = 1024;
    /** A publish refused on a live connection is tried again this soon. */
    static final Duration REPUBLISH_AFTER = Duration.ofSeconds(1);
    static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** At a clean stop, time for {@code offline} to reach the broker before the disconnect. */
    static final Duration QUIESCE = Duration.ofSeconds(2);

    private final MqttConfig mqtt;
    private final Topics topics;
    private final Consumer<Map<String, Object>> section;
    private final Backoff backoff;
    private final Config config;
    private final String version;
    private byte[] discovery;
    private final Broker broker;
    private final RetainedState retainedState;
    private final RemovedUplinks removedUplinks;
    private final CommandHandler commands;
    private final ReporterThread thread = new ReporterThread();

    // Handed over by other threads (the control loop, the MQTT client); everything below belongs to our thread.
    private final AtomicReference<DaemonState> latest = new AtomicReference<>();
    private final AtomicBoolean stateQueued = new AtomicBoolean();
    private volatile boolean closed;
    private volatile int connections;

    private boolean connected;
    private boolean republishScheduled;
    private Instant connectedAt = Instant.EPOCH;
    private Optional<String> lastError = Optional.empty();
    private ScheduledFuture<?> retry;
    private final EventOutbox events = new EventOutbox(MAX_UNSENT_EVENTS);

    /**
     * The reporter for the daemon: Paho underneath.
     *
     * @param modes   the mode API ({@code Daemon::setMode})
     * @param section receives the reporter's own state section ({@code connected}, {@code error}, …)
     */
    public static MqttReporter create(Config config, Credentials credentials, ModeControl modes,
                                      Consumer<Map<String, Object>> section) {
        MqttConfig mqtt = config.mqtt().orElseThrow(() -> new IllegalArgumentException("no mqtt section"));
        return new MqttReporter(config, modes, section, PahoBroker.factory(mqtt, credentials),
                new Backoff(MIN_BACKOFF, MAX_BACKOFF));
    }

    MqttReporter(Config config, ModeControl modes, Consumer<Map<String, Object>> section, Broker.Factory brokers,
                 Backoff backoff) {
        this.mqtt = config.mqtt().orElseThrow(() -> new IllegalArgumentException("no mqtt section"));
        this.topics = Topics.of(mqtt);
        this.section = section;
        this.backoff = backoff;
        this.config = config;
        this.version = Optional.ofNullable(MqttReporter.class.getPackage().getImplementationVersion()).orElse("dev");
        this.discovery = Payloads.json(HomeAssistant.discovery(config, mqtt, topics, version));
        this.broker = brokers.open(new Broker.Events() {
            @Override
            public void received(Broker.Message message) {
                post(() -> onMessage(message));
            }

            @Override
            public void lost(String cause) {
                post(() -> onLost(cause));
            }
        });
        List<String> wans = config.wans().stream().map(WanConfig::name).toList();
        List<String> wans6 = config.wans().stream().filter(w -> w.ipv6().isPresent()).map(WanConfig::name).toList();
        this.retainedState = new RetainedState(broker, topics, wans, wans6);
        this.removedUplinks = new RemovedUplinks(topics, wans, wans6);
        this.commands = new CommandHandler(topics, wans, modes,
                () -> Optional.ofNullable(latest.get()).flatMap(DaemonState::active), broker, this::failed);
    }

    /** Starts connecting; returns at once. */
    public void start() {
        post(this::connect);
    }

    /** On the control loop: keeps only the newest state and queues one publication for it. */
    @Override
    public void stateChanged(DaemonState status) {
        latest.set(status);
        if (stateQueued.compareAndSet(false, true)) {
            post(() -> {
                stateQueued.set(false);
                publishState();
            });
        }
    }

    /** On the control loop: queues the event. */
    @Override
    public void switched(SwitchEvent event) {
        post(() -> {
            events.add(event);
            if (connected) {
                try {
                    publishEvents();
                } catch (IOException e) {
                    failed(e);
                }
            }
        });
    }

    /** Successful connections so far (for tests and figures). */
    int connections() {
        return connections;
    }

    /** Publishes {@code offline}, disconnects cleanly (so no will is needed) and stops the thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Future<?> done = thread.submit(this::stop);
        if (done == null) {
            return;
        }
        try {
            done.get(QUIESCE.plusSeconds(3).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Logger.warn("mqtt: stopping took too long; the broker will show offline through the last will");
        } catch (ExecutionException e) {
            Logger.warn("mqtt: stopping: {}", e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdown();
    }

    // ------------------------------------------------------------------------------------------ our thread

    private void connect() {
        retry = null;
        if (closed || connected) {
            return;
        }
        try {
            broker.connect(Optional.of(message(topics.availability(), LOST, true)));
        } catch (IOException e) {
            Duration wait = backoff.failed();
            String error = e.getMessage();
            if (!lastError.equals(Optional.of(error))) {
                Logger.warn("mqtt: cannot connect to {}: {}; trying again in {} ms (failover is not affected)",
                        mqtt.broker(), error, wait.toMillis());
                lastError = Optional.of(error);
                showSection();
            }
            retry = thread.schedule(this::connect, wait);
            return;
        }
        connected = true;
        connectedAt = Instant.now();
        connections++;
        events.newConnection();
        lastError = Optional.empty();
        Logger.info("mqtt: connected to {} as {}", mqtt.broker(), mqtt.clientId());
        try {
            List<String> refused = broker.subscribe(List.of(topics.modeCommand(), topics.failoverCommand(),
                    topics.homeAssistantStatus(), topics.uplinks(), topics.uplinks6()));
            if (!refused.isEmpty()) {
                Logger.warn("mqtt: the broker refused the subscription to {} (check its ACL)", refused);
            }
            publishAll();
        } catch (IOException e) {
            Logger.warn("mqtt: setting up the connection failed: {}; starting over", e.getMessage());
            try {
                broker.disconnect(Duration.ZERO); // else a half-set-up connection (no subscriptions) would stay
            } catch (IOException again) {
                Logger.debug("mqtt: disconnecting: {}", again.getMessage());
            }
            onLost(e.getMessage());
            return;
        }
        showSection();
    }

    private void onLost(String cause) {
        if (!connected || broker.connected()) {
            return; // already handled, or a newer connection is up
        }
        connected = false;
        lastError = Optional.of(cause);
        Duration wait = backoff.lost(Duration.between(connectedAt, Instant.now()));
        Logger.warn("mqtt: lost the connection to {}: {}; reconnecting in {} ms (failover is not affected)",
                mqtt.broker(), cause, wait.toMillis());
        if (!closed) {
            retry = thread.schedule(this::connect, wait);
        }
        showSection();
    }

    /**
     * A publish refused while the connection is still up (too many in flight, a full buffer) is no reason to
     * drop it: publish the newest state and the unsent events again shortly. A dead connection reconnects.
     */
    private void failed(IOException e) {
        if (connected && broker.connected()) {
            Logger.warn("mqtt: publishing failed on a live connection: {}; trying again in {} ms", e.getMessage(),
                    REPUBLISH_AFTER.toMillis());
            if (!republishScheduled && !closed) {
                republishScheduled = true;
                thread.schedule(() -> {
                    republishScheduled = false;
                    if (connected) {
                        publishState();
                        try {
                            publishEvents();
                        } catch (IOException again) {
                            failed(again);
                        }
                    }
                }, REPUBLISH_AFTER);
            }
            return;
        }
        Logger.warn("mqtt: publishing failed: {}", e.getMessage());
        onLost(e.getMessage());
    }

    /** After a (re)connect and when Home Assistant comes back: everything retained, then the events missed. */
    private void publishAll() throws IOException {
        publish(topics.discovery(), discovery, true);
        retainedState.publishAllUplinksNext();
        publishStateOrThrow();
        broker.publish(message(topics.availability(), ONLINE, true));
        publishEvents();
    }

    private void publishState() {
        try {
            publishStateOrThrow();
        } catch (IOException e) {
            failed(e);
        }
    }

    private void publishStateOrThrow() throws IOException {
        DaemonState status = latest.get();
        if (!connected || status == null) {
            return;
        }
        retainedState.publish(status);
    }

    private void publishEvents() throws IOException {
        events.sendNew(e -> publish(topics.event(), Payloads.json(Payloads.event(e)), false)
                .thenRun(() -> post(() -> events.acknowledged(e))));
    }

    private void onMessage(Broker.Message m) {
        String topic = m.topic();
        if (topic.equals(topics.homeAssistantStatus())) {
            // A retained "online" comes with every subscribe, right after we published everything anyway.
            if (!m.retained() && ONLINE.equals(new String(m.payload(), StandardCharsets.UTF_8).strip()) && connected) {
                Logger.info("mqtt: Home Assistant started: publishing discovery and state again");
                try {
                    publishAll();
                } catch (IOException e) {
                    failed(e);
                }
            }
            return;
        }
        if (removedUplinks.isUplinkTopic(topic)) {
            RemovedUplinks.Leftover leftover = removedUplinks.leftover(m);
            if (leftover != null) {
                removeUplink(leftover);
            }
            return;
        }
        commands.received(m);
    }

    /**
     * An uplink (or its IPv6) no longer configured: Home Assistant drops its entities, the broker its retained
     * topic.
     */
    private void removeUplink(RemovedUplinks.Leftover leftover) {
        String wan = leftover.wan();
        String topic = leftover.ipv6() ? topics.uplink6(wan) : topics.uplink(wan);
        Logger.info("mqtt: {} is no longer configured: removing its entities from Home Assistant and clearing {}",
                leftover.ipv6() ? "the IPv6 of uplink " + wan : "uplink " + wan, topic);
        if (removedUplinks.add(leftover)) {
            discovery = Payloads.json(HomeAssistant.discovery(config, mqtt, topics, version, removedUplinks.names(),
                    removedUplinks.names6()));
        }
        try {
            publish(topics.discovery(), discovery, true);
            publish(topic, new byte[0], true);
        } catch (IOException e) {
            failed(e);
        }
    }

    private void showSection() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("broker", mqtt.broker().toString());
        m.put("connected", connected);
        m.put("connections", connections);
        m.put("error", lastError.orElse(null));
        section.accept(Collections.unmodifiableMap(m));
    }

    private void stop() {
        if (retry != null) {
            retry.cancel(false);
        }
        if (connected) {
            try {
                broker.publish(message(topics.availability(), OFFLINE, true));
                broker.disconnect(QUIESCE);
                Logger.info("mqtt: published offline and disconnected");
            } catch (IOException e) {
                Logger.warn("mqtt: clean disconnect failed ({}); the broker shows offline through the last will",
                        e.getMessage());
            }
            connected = false;
        }
        broker.close();
    }

    private CompletableFuture<Void> publish(String topic, byte[] payload, boolean retained) throws IOException {
        return broker.publish(new Broker.Message(topic, payload, retained));
    }

    private static Broker.Message message(String topic, String text, boolean retained) {
        return new Broker.Message(topic, text.getBytes(StandardCharsets.UTF_8), retained);
    }

    private void post(Runnable task) {
        if (closed) {
            return;
        }
        thread.execute(task);
    }
}
