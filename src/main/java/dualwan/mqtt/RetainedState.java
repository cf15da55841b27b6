package dualwan.mqtt;

import dualwan.model.DaemonState;
import dualwan.model.StateJson;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes the daemon's state as retained messages: the whole tree on the state topic at every change, and each
 * uplink's part (what Home Assistant's entities for that uplink read) on its own topic only when it changed, so a
 * change on one uplink does not republish the others. Reporter's thread only.
 */
final class RetainedState {

    private final Broker broker;
    private final Topics topics;
    private final List<String> wans;
    /** The payload last handed to the broker per uplink. */
    private final Map<String, byte[]> uplinkPayloads = new HashMap<>();

    RetainedState(Broker broker, Topics topics, List<String> wans) {
        this.broker = broker;
        this.topics = topics;
        this.wans = wans;
    }

    void publish(DaemonState status) throws IOException {
        broker.publish(new Broker.Message(topics.state(), Payloads.json(StateJson.tree(status)), true));
        for (String wan : wans) {
            byte[] payload = Payloads.json(Payloads.uplink(status, wan));
            if (!Arrays.equals(payload, uplinkPayloads.get(wan))) {
                broker.publish(new Broker.Message(topics.uplink(wan), payload, true));
                uplinkPayloads.put(wan, payload);
            }
        }
    }

    /** The next {@link #publish} sends every uplink's topic again (a new connection, Home Assistant restarted). */
    void publishAllUplinksNext() {
        uplinkPayloads.clear();
    }
}
