package dualwan.mqtt;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to an MQTT broker, as {@link MqttReporter} needs it: the Reporter side effect of DESIGN.md. The
 * real one is {@link PahoBroker} (the only class that sees Paho); unit tests use an in-memory fake. Every method
 * is called from the reporter's own thread; {@link Events} come from the client's threads.
 */
public interface Broker extends AutoCloseable {

    /** One message, published or received. QoS is always 1. */
    record Message(String topic, byte[] payload, boolean retained) {
    }

    /** What the connection tells the reporter, from the client's own threads. */
    interface Events {
        void received(Message message);

        /** The connection broke (not after {@link #disconnect}). */
        void lost(String cause);
    }

    interface Factory {
        Broker open(Events events);
    }

    /** Connects, leaving {@code will} with the broker for an abrupt end. Blocks at most about the connect timeout. */
    void connect(Optional<Message> will) throws IOException;

    boolean connected();

    /** Subscribes (QoS 1) and waits for the broker's answer; returns the filters it refused. */
    List<String> subscribe(List<String> filters) throws IOException;

    /**
     * Queues a message; does not wait. The result completes when the broker has acknowledged it (QoS 1), and
     * exceptionally or never when the connection broke first.
     */
    CompletableFuture<Void> publish(Message message) throws IOException;

    /** A clean disconnect (no will): what was published gets up to {@code quiesce} to be delivered first. */
    void disconnect(Duration quiesce) throws IOException;

    /** Releases the client; disconnects abruptly if still connected. */
    @Override
    void close();
}
