package dualwan.mqtt;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Uplinks of an earlier config, found from the broker's retained {@code P/wan/NAME/state} topics: a retained
 * message on such a topic for a name the config no longer has. The reporter then clears that topic (an empty
 * retained message) and names the uplink's components in the device's discovery config with only their platform,
 * so that Home Assistant removes its entities. The topic is cleared once, so the next start no longer finds it.
 * Reporter's thread only.
 */
final class RemovedUplinks {

    private final Topics topics;
    private final List<String> configured;
    private final Set<String> found = new TreeSet<>();

    RemovedUplinks(Topics topics, List<String> configured) {
        this.topics = topics;
        this.configured = configured;
    }

    /** Whether {@code topic} is an uplink's retained topic (ours or an earlier config's). */
    boolean isUplinkTopic(String topic) {
        return topics.uplinkOf(topic) != null;
    }

    /**
     * The uplink this message shows to be a leftover of an earlier config, or null. Our own uplinks' messages (we
     * receive our own publications too), empty ones (a topic being cleared) and live ones (sent while we are
     * subscribed, so not a leftover) are not. One seen again (its clearing was lost with the connection) is again.
     */
    String leftover(Broker.Message m) {
        String wan = topics.uplinkOf(m.topic());
        if (wan == null || configured.contains(wan) || !m.retained() || m.payload().length == 0) {
            return null;
        }
        return wan;
    }

    /** Records a removed uplink; true if it was not known yet (the discovery config must then change). */
    boolean add(String wan) {
        return found.add(wan);
    }

    /** Every removed uplink found since start, sorted. */
    Set<String> names() {
        return Collections.unmodifiableSet(found);
    }
}
