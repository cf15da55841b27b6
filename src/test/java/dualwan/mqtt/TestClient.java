package dualwan.mqtt;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** What a test plays on the other side of the broker (Home Assistant, a dashboard): publishes and watches. */
final class TestClient implements AutoCloseable {

    /** @param nanos System.nanoTime() at arrival */
    record Received(String topic, String payload, byte[] bytes, boolean retained, long nanos) {
    }

    private final MqttClient client;
    private final List<Received> received = new ArrayList<>();

    private TestClient(String uri, MqttConnectOptions options) throws MqttException {
        client = new MqttClient(uri, "test-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                synchronized (received) {
                    received.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getPayload(),
                            m.isRetained(), System.nanoTime()));
                    received.notifyAll();
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        client.connect(options);
    }

    static TestClient connect(String uri) throws MqttException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setSocketFactory(NoDelaySockets.plain());
        return new TestClient(uri, o);
    }

    static TestClient connect(String uri, MqttConnectOptions options) throws MqttException {
        return new TestClient(uri, options);
    }

    /** Subscribes (QoS 1) and waits for the broker's answer; retained messages follow at once. */
    TestClient subscribe(String... filters) throws MqttException {
        for (String f : filters) {
            client.subscribe(f, 1);
        }
        return this;
    }

    void publish(String topic, byte[] payload, boolean retained) throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        client.publish(topic, m);
    }

    void publish(String topic, String payload, boolean retained) throws MqttException {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), retained);
    }

    /** The first message received on {@code topic} (ever, in order) that matches; waits at most {@code limit}. */
    Received await(String topic, Predicate<Received> match, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        synchronized (received) {
            while (true) {
                for (Received r : received) {
                    if (r.topic().equals(topic) && match.test(r)) {
                        return r;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("nothing matching on " + topic + " within " + limit + "; received: "
                            + received.stream().filter(r -> r.topic().equals(topic)).map(Received::payload).toList());
                }
                TimeUnit.NANOSECONDS.timedWait(received, left);
            }
        }
    }

    List<Received> all(String topic) {
        synchronized (received) {
            return received.stream().filter(r -> r.topic().equals(topic)).toList();
        }
    }

    void forget() {
        synchronized (received) {
            received.clear();
        }
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(1000);
        }
        client.close();
    }
}
