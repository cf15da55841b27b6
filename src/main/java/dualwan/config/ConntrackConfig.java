package dualwan.config;

import java.util.List;

/**
 * What happens to established connections when traffic moves to another uplink (failover and failback).
 *
 * @param flush  which entries are deleted, once per switch
 * @param filter if not empty, only entries matching one of these are deleted
 */
public record ConntrackConfig(Flush flush, List<FlowFilter> filter) {

    public enum Flush {
        /** Only the flows that were on the uplink traffic just left (and of the traffic that moved). */
        AFFECTED,
        /** Every entry (that matches the filter). */
        ALL,
        /** Nothing: flows NATed or pinned to the old uplink stay stuck until they time out. */
        NONE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ConntrackConfig {
        filter = List.copyOf(filter);
    }

    public static ConntrackConfig defaults() {
        return new ConntrackConfig(Flush.AFFECTED, List.of());
    }
}
