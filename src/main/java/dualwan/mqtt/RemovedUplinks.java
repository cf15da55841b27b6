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
 *
 * <p>IPv6 the same way, on its own: a retained {@code P/wan/NAME/state6} for an uplink that has no IPv6 in the
 * config (removed altogether, or only its IPv6) is a leftover of the uplink's IPv6 entities. Reporter's thread only.
 */
final class RemovedUplinks {

    /** A leftover retained topic: its uplink, and whether it is the uplink's IPv6 topic. */
    record Leftover(String wan, boolean ipv6) {
    }

    private final Topics topics;
    private final List<String> configured;
    private final List<String> configured6;
    private final Set<String> found = new TreeSet<>();
    private final Set<String> found6 = new TreeSet<>();

    /** {@code configured6}: the configured uplinks that have IPv6. */
    RemovedUplinks(Topics topics, List<String> configured, List<String> configured6) {
        this.topics = topics;
        this.configured = configured;
        this.configured6 = configured6;
    }

    /** Whether {@code topic} is an uplink's retained topic, IPv4 or IPv6 (ours or an earlier config's). */
    boolean isUplinkTopic(String topic) {
        return topics.uplinkOf(topic) != null || topics.uplink6Of(topic) != null;
    }

    /**
     * The leftover of an earlier config this message shows, or null. Our own uplinks' messages (we receive our own
     * publications too), empty ones (a topic being cleared) and live ones (sent while we are subscribed, so not a
     * leftover) are not. One seen again (its clearing was lost with the connection) is again.
     */
    Leftover leftover(Broker.Message m) {
        if (!m.retained() || m.payload().length == 0) {
            return null;
        }
        String wan = topics.uplinkOf(m.topic());
        if (wan != null) {
            return configured.contains(wan) ? null : new Leftover(wan, false);
        }
        String wan6 = topics.uplink6Of(m.topic());
        return wan6 == null || configured6.contains(wan6) ? null : new Leftover(wan6, true);
    }

    /** Records a leftover; true if it was not known yet (the discovery config must then change). */
    boolean add(Leftover leftover) {
        return (leftover.ipv6() ? found6 : found).add(leftover.wan());
    }

    /** Every removed uplink found since start, sorted. */
    Set<String> names() {
        return Collections.unmodifiableSet(found);
    }

    /** Every uplink whose IPv6 was removed (or that was removed with its IPv6) found since start, sorted. */
    Set<String> names6() {
        return Collections.unmodifiableSet(found6);
    }
}
