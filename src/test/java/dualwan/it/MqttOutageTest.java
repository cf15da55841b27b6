package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.switches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops ({@code systemctl stop mosquitto}: SIGTERM) for 20 s (3 minutes with {@code -Dsoak=true})
 * while isp1 is cut and healed again and again. Every switch is made on time (state file), every switch event
 * reaches a subscriber once the broker is back (none lost; QoS 1 duplicates counted), and the first state
 * published after the reconnect is the current one. The subscriber keeps a persistent session on a broker with
 * persistence, so what reaches it does not depend on who reconnects first.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class MqttOutageTest extends DaemonLabTest {

    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final String P = "dualwan/lab";
    private static final Duration OUTAGE = Duration.ofSeconds(Boolean.getBoolean("dualwan.soak") ? 180 : 20);
    private static final long HOLD_MS = 2000;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void switchesDuringABrokerOutageAreAllDeliveredOnceItIsBack(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO), "mosquitto is not installed");
        Path conf = Files.writeString(tmp.resolve("mosquitto.conf"), "listener 1883 127.0.0.1\nallow_anonymous true\n"
                + "persistence true\npersistence_location " + tmp + "/\nuser " + System.getProperty("user.name") + "\n"
                + "log_dest file " + tmp.resolve("mosquitto.log") + "\nlog_type all\n");
        Process broker = startBroker(conf, tmp);
        try (NetnsRelay relay = NetnsRelay.to(lab.ns("rtr"), 1883);
             Subscriber sub = new Subscriber("tcp://127.0.0.1:" + relay.port(), P + "/#")) {
            daemon = Daemon.configure(lab, tmp, HOLD_MS / 1000 + "s", yaml -> yaml
                    + "mqtt:\n  broker: tcp://127.0.0.1:1883\n  topic-prefix: " + P + "\n  keep-alive: 5s\n").start();
            daemon.awaitAllUp();
            sub.await("the daemon online", () -> sub.payloads(P + "/availability", Long.MIN_VALUE).contains("online"));
            int switchesBefore = switches(daemon.stateNow());

            broker.destroy(); // SIGTERM: mosquitto saves the subscriber's session and stops
            assertTrue(broker.waitFor(10, TimeUnit.SECONDS), "mosquitto stopped");
            long down = System.nanoTime();
            daemon.awaitStateAnyKernel("the daemon saw the broker go", Duration.ofSeconds(20),
                    s -> Boolean.FALSE.equals(mqtt(s).get("connected")));

            List<Map<String, Object>> made = new ArrayList<>();
            List<Long> failoverMs = new ArrayList<>();
            List<Long> failbackMs = new ArrayList<>();
            while (System.nanoTime() - down < OUTAGE.toNanos() - Duration.ofSeconds(12).toNanos()) {
                long cut = System.nanoTime();
                lab.cut(1);
                made.add(lastSwitch(daemon.awaitState("failover during the outage", Duration.ofSeconds(10),
                        s -> "isp2".equals(active(s)))));
                failoverMs.add((System.nanoTime() - cut) / 1_000_000);
                long healed = System.nanoTime();
                lab.restore(1);
                made.add(lastSwitch(daemon.awaitState("failback during the outage", Duration.ofSeconds(20),
                        s -> "isp1".equals(active(s)))));
                failbackMs.add((System.nanoTime() - healed) / 1_000_000);
            }
            Daemon.sleep(Duration.ofNanos(Math.max(0, OUTAGE.toNanos() - (System.nanoTime() - down))));
            Map<String, Object> current = daemon.stateNow();
            assertEquals(switchesBefore + made.size(), switches(current), "every switch shows in the state file");
            assertEquals(false, mqtt(current).get("connected"), "the broker was away all along");

            long back = System.nanoTime();
            broker = startBroker(conf, tmp);
            int connections = ((Number) mqtt(current).get("connections")).intValue();
            daemon.awaitStateAnyKernel("the daemon reconnected", Duration.ofSeconds(60),
                    s -> ((Number) mqtt(s).get("connections")).intValue() > connections);
            long reconnectMs = (System.nanoTime() - back) / 1_000_000;
            sub.await("every event of the outage", () -> distinct(sub.payloads(P + "/event", back)).size() >= made.size());
            Daemon.sleep(Duration.ofSeconds(2)); // room for late duplicates
            List<String> events = sub.payloads(P + "/event", back);
            List<String> distinct = distinct(events);
            assertEquals(made.size(), distinct.size(), "every switch once, nothing else: " + events);
            for (int i = 0; i < made.size(); i++) {
                Map<String, Object> sent = made.get(i);
                Map<String, Object> got = JSON.std.mapFrom(distinct.get(i));
                assertEquals(List.of(sent.get("from"), sent.get("to"), sent.get("reason")),
                        List.of(got.get("from"), got.get("to"), got.get("reason")), "switch " + (i + 1) + ", in order");
            }
            Map<String, Object> firstState = JSON.std.mapFrom(sub.payloads(P + "/state", back).getFirst());
            Map<String, Object> now = daemon.stateNow();
            assertEquals(List.of(active(now), switches(now)), List.of(active(firstState), switches(firstState)),
                    "the first state after the reconnect is the current one, not the one from before the outage");
            System.out.printf("[it] broker down %d s: %d switches made (failover %s ms, failback %s ms after the"
                            + " heal, hold %d ms); events sent %d, received %d (%d QoS 1 duplicates); reconnected"
                            + " %d ms after the broker returned; first state after it: active %s, switches %s%n",
                    OUTAGE.toSeconds(), made.size(), failoverMs, failbackMs, HOLD_MS, made.size(), distinct.size(),
                    events.size() - distinct.size(), reconnectMs, active(firstState), switches(firstState));
            for (long ms : failoverMs) {
                assertTrue(ms < 5000, "a failover waited for the broker: " + failoverMs);
            }
            for (long ms : failbackMs) {
                assertTrue(ms >= HOLD_MS, "a failback before the hold: " + failbackMs);
            }
        } finally {
            broker.destroyForcibly();
            broker.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private Process startBroker(Path conf, Path tmp) throws InterruptedException {
        Process p = lab.spawn("rtr", List.of(MOSQUITTO.toString(), "-c", conf.toString()), tmp.resolve("mosquitto.out"));
        for (int i = 0; i < 100; i++) {
            if (lab.exec("rtr", "ss", "-Hltn", "sport = :1883").stdout().contains("1883")) {
                return p;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("mosquitto did not listen:\n" + ItLabs.read(tmp.resolve("mosquitto.out")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mqtt(Map<String, Object> s) {
        return (Map<String, Object>) s.get("mqtt");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> lastSwitch(Map<String, Object> s) {
        return (Map<String, Object>) s.get("last_switch");
    }

    /** The payloads in order of arrival, each once (a QoS 1 duplicate is the same payload again). */
    private static List<String> distinct(List<String> payloads) {
        return List.copyOf(new java.util.LinkedHashSet<>(payloads));
    }

    /**
     * A subscriber with a persistent session (clean session off, QoS 1), reconnecting every 200 ms: the broker
     * keeps what is published for it while it is away, so no message depends on who reconnects first.
     */
    private static final class Subscriber implements AutoCloseable {
        record Received(String topic, String payload, long nanos) {
        }

        private final String uri;
        private final MqttConnectOptions options = new MqttConnectOptions();
        private final List<Received> received = new CopyOnWriteArrayList<>();
        private final Thread reconnector;
        private volatile MqttClient client;
        private volatile boolean closed;

        Subscriber(String uri, String filter) throws MqttException, InterruptedException {
            this.uri = uri;
            options.setCleanSession(false);
            options.setConnectionTimeout(2);
            options.setKeepAliveInterval(5);
            for (int i = 1; client == null; i++) {
                if (!tryConnect() && i == 50) {
                    throw new AssertionError("the subscriber cannot connect to " + uri);
                }
                Thread.sleep(100);
            }
            client.subscribe(filter, 1); // once: the broker keeps the subscription in the session
            reconnector = Thread.ofVirtual().name("outage-watch").start(() -> {
                while (!closed) {
                    MqttClient c = client;
                    if (c == null || !c.isConnected()) {
                        tryConnect();
                    }
                    Daemon.sleep(Duration.ofMillis(200));
                }
            });
        }

        /** A fresh client for every attempt: Paho's own can stay stuck after a connect that the relay cut. */
        private boolean tryConnect() {
            MqttClient old = client;
            if (old != null) {
                client = null;
                closeQuietly(old);
            }
            try {
                MqttClient c = new MqttClient(uri, "outage-watch", new MemoryPersistence());
                c.setTimeToWait(3000); // else a connect waits for a CONNACK forever
                c.setCallback(new MqttCallback() {
                    @Override
                    public void connectionLost(Throwable cause) {
                    }

                    @Override
                    public void messageArrived(String topic, MqttMessage m) {
                        received.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8),
                                System.nanoTime()));
                    }

                    @Override
                    public void deliveryComplete(IMqttDeliveryToken token) {
                    }
                });
                try {
                    c.connect(options);
                } catch (MqttException e) {
                    closeQuietly(c);
                    return false;
                }
                client = c;
                return true;
            } catch (MqttException e) {
                return false;
            }
        }

        private static void closeQuietly(MqttClient c) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(0, 500);
                }
                c.close(true);
            } catch (MqttException e) {
                // gone either way
            }
        }

        /** Payloads on {@code topic} that arrived after {@code sinceNanos} (System.nanoTime), in order. */
        List<String> payloads(String topic, long sinceNanos) {
            return received.stream().filter(r -> r.topic.equals(topic) && r.nanos > sinceNanos)
                    .map(Received::payload).toList();
        }

        /** Waits, at most 60 s, until {@code cond} holds. */
        void await(String what, java.util.function.BooleanSupplier cond) {
            for (int i = 0; i < 600; i++) {
                if (cond.getAsBoolean()) {
                    return;
                }
                Daemon.sleep(Duration.ofMillis(100));
            }
            Map<String, Long> counts = new LinkedHashMap<>();
            received.forEach(r -> counts.merge(r.topic, 1L, Long::sum));
            throw new AssertionError("the subscriber never saw " + what + "; received " + counts + ", events: "
                    + payloads(P + "/event", Long.MIN_VALUE));
        }

        @Override
        public void close() throws MqttException, InterruptedException {
            closed = true;
            reconnector.join(2000);
            MqttClient c = client;
            if (c != null) {
                closeQuietly(c);
            }
        }
    }
}
