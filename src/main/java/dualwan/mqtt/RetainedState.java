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
 * change on one uplink does not republish the others. An uplink with IPv6 has a second topic for its IPv6 part,
 * kept the same way. Reporter's thread only.
 */
final class RetainedState {

    private final Broker broker;
    private final Topics topics;
    private final List<String> wans;
    private final List<String> wans6;
    /** The payload last handed to the broker per uplink topic. */
    private final Map<String, byte[]> uplinkPayloads = new HashMap<>();

    /** {@code wans6}: the uplinks that have IPv6 in the config (none: no IPv6 topic at all). */
    RetainedState(Broker broker, Topics topics, List<String> wans, List<String> wans6) {
        this.broker = broker;
        this.topics = topics;
        this.wans = wans;
        this.wans6 = wans6;
    }

    void publish(DaemonState status) throws IOException {
        broker.publish(new Broker.Message(topics.state(), Payloads.json(StateJson.tree(status)), true));
        for (String wan : wans) {
            publishIfChanged(topics.uplink(wan), Payloads.json(Payloads.uplink(status, wan)));
        }
        for (String wan : wans6) {
            publishIfChanged(topics.uplink6(wan), Payloads.json(Payloads.uplink6(status, wan)));
        }
    }

    private void publishIfChanged(String topic, byte[] payload) throws IOException {
        if (!Arrays.equals(payload, uplinkPayloads.get(topic))) {
            broker.publish(new Broker.Message(topic, payload, true));
            uplinkPayloads.put(topic, payload);
        }
    }

    /** The next {@link #publish} sends every uplink's topic again (a new connection, Home Assistant restarted). */
    void publishAllUplinksNext() {
        uplinkPayloads.clear();
    }
}
