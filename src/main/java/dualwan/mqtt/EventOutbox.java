package dualwan.mqtt;

import dualwan.model.SwitchEvent;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Switch events the broker has not acknowledged yet, oldest first, kept across reconnects: one written into a
 * connection that was already dead (the uplink to a remote broker just failed) is sent again on the next
 * connection. At most {@code capacity} are kept. Reporter's thread only.
 */
final class EventOutbox {

    /** Hands one event to the connection; its acknowledgement must end in {@link #acknowledged}. */
    interface Sender {
        void send(SwitchEvent event) throws IOException;
    }

    private final int capacity;
    private final Deque<SwitchEvent> unsent = new ArrayDeque<>();
    /** Those of them already handed to the current connection. */
    private final Set<SwitchEvent> sentOnThisConnection = new HashSet<>();

    EventOutbox(int capacity) {
        this.capacity = capacity;
    }

    /** Keeps the event; when full, drops the oldest (with a warning). */
    void add(SwitchEvent event) {
        unsent.addLast(event);
        if (unsent.size() > capacity) {
            SwitchEvent dropped = unsent.removeFirst();
            sentOnThisConnection.remove(dropped);
            Logger.warn("mqtt: broker away; the switch event of {} is dropped", dropped.at());
        }
    }

    /** A new connection is up: every unacknowledged event is to be sent on it. */
    void newConnection() {
        sentOnThisConnection.clear();
    }

    /** Sends, oldest first, the events not yet handed to this connection; stops at the first failure. */
    void sendNew(Sender sender) throws IOException {
        for (SwitchEvent e : List.copyOf(unsent)) {
            if (!sentOnThisConnection.contains(e)) {
                sender.send(e);
                sentOnThisConnection.add(e);
            }
        }
    }

    /** The broker has the event. */
    void acknowledged(SwitchEvent event) {
        unsent.remove(event);
        sentOnThisConnection.remove(event);
    }
}
