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
 * @param ipv6        IPv6, judged and decided apart from IPv4: present only when some uplink has IPv6 (an
 *                    IPv4-only config shows nothing of it)
 * @param updated     when this tree was made
 * @param sections    what adapters add about themselves (front panel, MQTT, DNS), shown as they give it
 */
public record DaemonState(int version, Optional<String> active, Mode mode, String reason, Instant activeSince,
                          int switches, Optional<SwitchEvent> lastSwitch, Map<String, Uplink> wans,
                          Map<String, Policy> policies, Conntrack conntrack, KernelSync kernel,
                          Optional<Ipv6> ipv6, Instant updated, Map<String, Object> sections) {

    /** 2: typed tree with {@code version}, {@code kernel}; 1 (unversioned) was the map the daemon wrote before. */
    public static final int VERSION = 2;

    public DaemonState {
        wans = frozen(wans);
        policies = frozen(policies);
        sections = frozen(sections);
    }

    /** Without IPv6 (an IPv4-only config). */
    public DaemonState(int version, Optional<String> active, Mode mode, String reason, Instant activeSince,
                       int switches, Optional<SwitchEvent> lastSwitch, Map<String, Uplink> wans,
                       Map<String, Policy> policies, Conntrack conntrack, KernelSync kernel, Instant updated,
                       Map<String, Object> sections) {
        this(version, active, mode, reason, activeSince, switches, lastSwitch, wans, policies, conntrack, kernel,
                Optional.empty(), updated, sections);
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
                conntrack, kernel, ipv6, updated, s);
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
     * @param failback   the failback hold that applies to it now and why (dampening), when known
     * @param late       replies that came after their timeout: the path is alive but slow
     * @param probing    what its probes cost: metered, idle, bytes so far, projected MB per 30 days
     */
    public record Uplink(Verdict state, String reason, Instant since, boolean carrier, Optional<String> address,
                         Optional<String> gateway, Optional<Target> gatewayTarget, boolean confirming,
                         Map<String, Target> hosts, Optional<Double> latencyMs, Optional<Double> lossPct,
                         Optional<FailbackHold> failback, Late late, Probing probing) {
        public Uplink {
            hosts = frozen(hosts);
        }

        /** Without the parts later layouts added. */
        public Uplink(Verdict state, String reason, Instant since, boolean carrier, Optional<String> address,
                      Optional<String> gateway, Optional<Target> gatewayTarget, boolean confirming,
                      Map<String, Target> hosts, Optional<Double> latencyMs, Optional<Double> lossPct) {
            this(state, reason, since, carrier, address, gateway, gatewayTarget, confirming, hosts, latencyMs,
                    lossPct, Optional.empty(), Late.NONE, Probing.NONE);
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
            return degradedReason().isPresent();
        }

        /**
         * Why the uplink is degraded, if it is: {@code slow} (replies come after their timeout), {@code host down}
         * or {@code loss}; empty when it is not up, or up and clean.
         */
        public Optional<String> degradedReason() {
            if (!up()) {
                return Optional.empty();
            }
            if (late.slow()) {
                return Optional.of("slow");
            }
            if (hosts.values().stream().anyMatch(h -> h.state() == Verdict.DOWN)) {
                return Optional.of("host down");
            }
            boolean lossy = java.util.stream.Stream.concat(gatewayTarget.stream(), hosts.values().stream())
                    .anyMatch(t -> t.samples() >= DEGRADED_MIN_SAMPLES && t.lossPct() >= DEGRADED_LOSS_PCT);
            return lossy ? Optional.of("loss") : Optional.empty();
        }
    }

    /**
     * The LAN's IPv6: which uplink carries it, decided from each uplink's IPv6 verdict alone.
     *
     * @param active      the uplink carrying the LAN's IPv6, or empty when no uplink has working IPv6
     * @param reason      why
     * @param since       when {@code active} last changed
     * @param switches    changes of the IPv6 uplink since start
     * @param lastSwitch  the latest of them
     * @param unreachable the LAN's IPv6 default is {@code unreachable} now: no uplink has working IPv6 but IPv4
     *                    works, so clients fall back to IPv4 at once
     * @param wans        each uplink that has IPv6, its IPv6 verdict and targets; {@code address} is its global
     *                    IPv6 address, {@code gateway} its IPv6 gateway (usually link-local)
     */
    public record Ipv6(Optional<String> active, String reason, Instant since, int switches,
                       Optional<SwitchEvent> lastSwitch, boolean unreachable, Map<String, Uplink> wans) {
        public Ipv6 {
            wans = frozen(wans);
        }

        /** The uplink's IPv6 verdict, or empty for an uplink without IPv6. */
        public Optional<Verdict> state(String wan) {
            return Optional.ofNullable(wans.get(wan)).map(Uplink::state);
        }
    }

    /**
     * Probe traffic of one uplink, both directions, as frames on its link.
     *
     * @param metered          {@code wans[].metered}: a data plan
     * @param idle             metered and carrying no traffic: probed sparingly
     * @param bytes            probe bytes since start
     * @param projectedMbPer30d MB (10⁶ bytes) per 30 days at the schedule now in force
     */
    public record Probing(boolean metered, boolean idle, long bytes, double projectedMbPer30d) {
        public static final Probing NONE = new Probing(false, false, 0, 0);
    }

    /**
     * Late replies of one uplink.
     *
     * @param slow       a reply came after its timeout within the last seconds (the uplink is "degraded: slow")
     * @param replies    late replies since start
     * @param worstRttMs the longest round trip of a late reply since start
     */
    public record Late(boolean slow, long replies, Optional<Double> worstRttMs) {
        public static final Late NONE = new Late(false, 0, Optional.empty());
    }

    /**
     * An uplink's failback hold: how long it must stay healthy before traffic returns to it.
     *
     * @param hold   the hold now (grows while the uplink flaps, decays back once it is stable)
     * @param reason why it is that long
     * @param flaps  failures soon after a failback, since start
     */
    public record FailbackHold(java.time.Duration hold, String reason, int flaps) {
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
