package dualwan.mqtt;

import dualwan.config.MqttConfig;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.tinylog.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Broker} on Eclipse Paho's asynchronous client: MQTT 3.1.1, clean session, QoS 1, no automatic
 * reconnect (the reporter reconnects with its own backoff, also when the first connect fails, which Paho would
 * not retry), messages kept in memory only. One Paho client serves every reconnect.
 */
public final class PahoBroker implements Broker {

    /** TCP connect plus TLS handshake. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Waiting for the CONNACK or SUBACK beyond the connect timeout (a server that accepts and then says nothing). */
    static final Duration ANSWER_TIMEOUT = CONNECT_TIMEOUT.plusSeconds(5);
    /** Messages in flight before publish refuses more; the reporter publishes a few per state change. */
    static final int MAX_IN_FLIGHT = 100;

    private final MqttAsyncClient client;
    private final MqttConnectOptions options = new MqttConnectOptions();
    private final Duration answerTimeout;

    private PahoBroker(MqttConfig config, Credentials credentials, Events events, Duration answerTimeout) {
        this.answerTimeout = answerTimeout;
        try {
            client = new MqttAsyncClient(config.broker().toString(), config.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("cannot create an MQTT client for " + config.broker() + ": " + describe(e), e);
        }
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) config.keepAlive().toSeconds());
        options.setConnectionTimeout((int) CONNECT_TIMEOUT.toSeconds());
        options.setMaxInflight(MAX_IN_FLIGHT);
        config.username().ifPresent(options::setUserName);
        credentials.password().ifPresent(options::setPassword);
        options.setSocketFactory(config.tls()
                ? NoDelaySockets.tls(credentials.tls().orElseThrow(() -> new IllegalArgumentException("ssl:// needs TLS trust")))
                : NoDelaySockets.plain());
        options.setHttpsHostnameVerificationEnabled(true);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                events.lost(describe(cause));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                try {
                    events.received(new Message(topic, message.getPayload(), message.isRetained()));
                } catch (RuntimeException e) {
                    Logger.error(e, "mqtt: handing over a message"); // a throw here would make Paho drop the connection
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    /** Brokers for {@code config}, with the password and TLS trust read at start. */
    public static Factory factory(MqttConfig config, Credentials credentials) {
        return factory(config, credentials, ANSWER_TIMEOUT);
    }

    /** With another wait for the broker's answers: a test of a silent server need not wait 15 s per attempt. */
    static Factory factory(MqttConfig config, Credentials credentials, Duration answerTimeout) {
        return events -> new PahoBroker(config, credentials, events, answerTimeout);
    }

    @Override
    public void connect(Optional<Message> will) throws IOException {
        will.ifPresent(w -> options.setWill(w.topic(), w.payload(), 1, w.retained()));
        IMqttToken token;
        try {
            token = client.connect(options);
        } catch (MqttException e) {
            throw new IOException(describe(e), e);
        }
        try {
            token.waitForCompletion(answerTimeout.toMillis());
        } catch (MqttException e) {
            if (!token.isComplete()) {
                abort(); // a silent server: give up on it, so that the next attempt may start
            }
            throw new IOException(describe(e), e);
        }
    }

    @Override
    public boolean connected() {
        return client.isConnected();
    }

    @Override
    public List<String> subscribe(List<String> filters) throws IOException {
        int[] qos = new int[filters.size()];
        java.util.Arrays.fill(qos, 1);
        try {
            IMqttToken token = client.subscribe(filters.toArray(String[]::new), qos);
            token.waitForCompletion(answerTimeout.toMillis());
            int[] granted = token.getGrantedQos();
            List<String> refused = new ArrayList<>();
            for (int i = 0; i < filters.size(); i++) {
                if (granted == null || i >= granted.length || granted[i] == 0x80) {
                    refused.add(filters.get(i));
                }
            }
            return refused;
        } catch (MqttException e) {
            throw new IOException(describe(e), e);
        }
    }

    @Override
    public CompletableFuture<Void> publish(Message message) throws IOException {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        try {
            client.publish(message.topic(), message.payload(), 1, message.retained(), null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    acknowledged.complete(null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    acknowledged.completeExceptionally(e);
                }
            });
        } catch (MqttException e) {
            throw new IOException(describe(e), e);
        }
        return acknowledged;
    }

    @Override
    public void disconnect(Duration quiesce) throws IOException {
        try {
            client.disconnect(quiesce.toMillis()).waitForCompletion(quiesce.plusSeconds(1).toMillis());
        } catch (MqttException e) {
            abort();
            throw new IOException(describe(e), e);
        }
    }

    @Override
    public void close() {
        if (client.isConnected()) {
            abort();
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            Logger.warn("mqtt: closing the client: {}", describe(e));
        }
    }

    /** Drops the connection without a DISCONNECT packet (so a will, if any, is published). */
    private void abort() {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException e) {
            Logger.debug("mqtt: dropping the connection: {}", describe(e));
        }
    }

    /** Paho's message with its cause, e.g. "Unable to connect to server: Connection refused". */
    static String describe(Throwable e) {
        if (e == null) {
            return "unknown cause";
        }
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            String more = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            if (!text.contains(more)) {
                text += ": " + more;
            }
        }
        return text;
    }
}
