package dualwan.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A routing-mark policy: LAN traffic that matches follows its own uplink order (failover), or is spread over
 * its uplinks by weight (balance), instead of the priorities.
 *
 * @param name    unique
 * @param match   which new connections from the LAN it takes
 * @param order   failover: uplinks in order of preference (empty for a balanced policy)
 * @param weights balance: uplink to weight, in file order (empty for a failover policy)
 * @param sticky  balance only: a source address keeps its uplink for new connections this long after its last
 *                new connection
 */
public record PolicyConfig(String name, Match match, List<String> order, Map<String, Integer> weights,
                           Optional<Duration> sticky) {

    public PolicyConfig {
        order = List.copyOf(order);
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    public boolean balanced() {
        return !weights.isEmpty();
    }

    /** The uplinks this policy may use. */
    public List<String> uplinks() {
        return balanced() ? List.copyOf(weights.keySet()) : order;
    }

    /**
     * All given criteria must hold; an empty list means "any".
     *
     * @param inputs LAN interfaces the connection arrives on
     */
    public record Match(List<Prefix> sources, List<Prefix> destinations, Optional<Protocol> protocol,
                        List<PortRange> ports, List<String> inputs) {

        public Match {
            sources = List.copyOf(sources);
            destinations = List.copyOf(destinations);
            ports = List.copyOf(ports);
            inputs = List.copyOf(inputs);
        }

        public static Match any() {
            return new Match(List.of(), List.of(), Optional.empty(), List.of(), List.of());
        }

        public boolean matchesEverything() {
            return sources.isEmpty() && destinations.isEmpty() && protocol.isEmpty() && inputs.isEmpty();
        }
    }
}
