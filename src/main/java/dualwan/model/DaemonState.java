package dualwan.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the daemon shows about itself, as one immutable tree: what the state file holds, what MQTT, the
 * front panel, the status page and the metrics read. Times are wall-clock instants, for people; the decisions
 * behind them run on a monotonic clock. {@link StateJson} is its one JSON mapping.
 *
 * @param version     {@link #VERSION}: the layout of the tree, so readers can tell an older file
 * @param active      the uplink carrying the LAN's default traffic, if any
 * @param mode        auto, or the uplink the operator forced
 * @param reason      why {@code active} is what it is
 * @param activeSince when {@code active} last changed
 * @param switches    changes of the active uplink since start (the first choice is not one)
 * @param lastSwitch  the latest of them
 * @param wans        each uplink, in config order
 * @param policies    each policy, in config order
 * @param conntrack   the flush setting and what flushes deleted
 * @param kernel      whether the kernel has what the daemon wants
 * @param updated     when this tree was made
 * @param sections    what adapters add about themselves (front panel, MQTT, DNS), shown as they give it
 */
public record DaemonState(int version, Optional<String> active, Mode mode, String reason, Instant activeSince,
                          int switches, Optional<SwitchEvent> lastSwitch, Map<String, Uplink> wans,
                          Map<String, Policy> policies, Conntrack conntrack, KernelSync kernel, Instant updated,
                          Map<String, Object> sections) {

    /** 2: typed tree with {@code version}, {@code kernel}; 1 (unversioned) was the map the daemon wrote before. */
    public static final int VERSION = 2;

    public DaemonState {
        wans = frozen(wans);
        policies = frozen(policies);
        sections = frozen(sections);
    }

    public Optional<Uplink> wan(String name) {
        return Optional.ofNullable(wans.get(name));
    }

    /** The same state with one adapter section replaced (or removed, for {@code null}). */
    public DaemonState withSection(String name, Object value) {
        Map<String, Object> s = new LinkedHashMap<>(sections);
        if (value == null) {
            s.remove(name);
        } else {
            s.put(name, value);
        }
        return new DaemonState(version, active, mode, reason, activeSince, switches, lastSwitch, wans, policies,
                conntrack, kernel, updated, s);
    }

    /**
     * One uplink.
     *
     * @param state      up (may carry traffic), down, or unknown (being judged)
     * @param reason     why, in words
     * @param since      when {@code state} last changed
     * @param carrier    the link has carrier
     * @param address    its IPv4 address, if it has one
     * @param gateway    the gateway probed and routed through, if known
     * @param gatewayTarget the gateway as a probe target, when it is probed
     * @param confirming a miss is being confirmed (probing fast right now)
     * @param hosts      the remote hosts, in config order, by address
     * @param latencyMs  mean smoothed RTT of the hosts that are up (the gateway's when there are no hosts)
     * @param lossPct    mean loss over the hosts (or the gateway) in their recent window
     */
    public record Uplink(Verdict state, String reason, Instant since, boolean carrier, Optional<String> address,
                         Optional<String> gateway, Optional<Target> gatewayTarget, boolean confirming,
                         Map<String, Target> hosts, Optional<Double> latencyMs, Optional<Double> lossPct) {
        public Uplink {
            hosts = frozen(hosts);
        }

        /** A target losing this share of its recent probes makes an up uplink "degraded". */
        public static final double DEGRADED_LOSS_PCT = 20.0;
        /** Loss counts only once this many of a target's probes are remembered (not one early miss of two). */
        public static final int DEGRADED_MIN_SAMPLES = 10;

        public boolean up() {
            return state == Verdict.UP;
        }

        /**
         * Up, but not every host answers or the line is lossy: some host is down, or the gateway or some host
         * lost at least {@link #DEGRADED_LOSS_PCT} % of its recent probes (counted once
         * {@link #DEGRADED_MIN_SAMPLES} are in).
         */
        public boolean degraded() {
            if (!up()) {
                return false;
            }
            boolean hostDown = hosts.values().stream().anyMatch(h -> h.state() == Verdict.DOWN);
            boolean lossy = java.util.stream.Stream.concat(gatewayTarget.stream(), hosts.values().stream())
                    .anyMatch(t -> t.samples() >= DEGRADED_MIN_SAMPLES && t.lossPct() >= DEGRADED_LOSS_PCT);
            return hostDown || lossy;
        }
    }

    /**
     * One probe target.
     *
     * @param state   its own verdict (hysteresis applied)
     * @param rttMs   smoothed round-trip time, when it has answered
     * @param lossPct loss over its recent window
     * @param samples how many probes that window holds
     */
    public record Target(Verdict state, Optional<Double> rttMs, double lossPct, int samples) {
    }

    /**
     * One policy.
     *
     * @param balanced  spreads over {@code uplinks} (else fails over along {@code order})
     * @param order     a failover policy's uplinks, best first
     * @param weights   a balanced policy's weights by uplink
     * @param uplinks   where its new connections go now
     * @param reason    why
     * @param since     when {@code uplinks} last changed
     */
    public record Policy(boolean balanced, List<String> order, Map<String, Integer> weights, List<String> uplinks,
                         String reason, Instant since) {
        public Policy {
            order = List.copyOf(order);
            weights = frozen(weights);
            uplinks = List.copyOf(uplinks);
        }

        /** A failover policy's one uplink, or the balanced set joined by commas. */
        public Optional<String> active() {
            return uplinks.isEmpty() ? Optional.empty() : Optional.of(String.join(",", uplinks));
        }
    }

    /**
     * @param flush   the configured flush ({@code affected}, {@code all}, {@code none})
     * @param flushes flushes run (once per switch that moved traffic)
     * @param deleted conntrack entries they deleted
     */
    public record Conntrack(String flush, long flushes, long deleted) {
    }

    /**
     * Whether the kernel holds the routes, rules and nftables table the daemon wants.
     *
     * @param state     {@code in_sync}, {@code pending} (a change is being applied) or {@code failing}
     * @param since     when {@code state} last changed
     * @param lastError the last failure's text, while failing (kept after recovery until the next one)
     * @param attempts  failed attempts in a row
     * @param tableDigest the digest of dualwan's nftables table as the kernel listed it after the last apply: a
     *                  restart adopts a table only if it is still exactly that one
     */
    public record KernelSync(String state, Instant since, Optional<String> lastError, int attempts,
                             Optional<String> tableDigest) {
        public static final String IN_SYNC = "in_sync";
        public static final String PENDING = "pending";
        public static final String FAILING = "failing";
    }

    private static <K, V> Map<K, V> frozen(Map<K, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
