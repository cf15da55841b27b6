package dualwan.model;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one JSON mapping of {@link DaemonState}: the state file, {@code /api/state} and MQTT's state message are
 * this tree. Null fields are written out, so readers (Home Assistant templates, the page) find every key. The
 * reverse direction reads back only what a restart needs ({@link Saved}), and never trusts it: anything of the
 * wrong shape is ignored.
 */
public final class StateJson {

    private static final JSON WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);
    private static final JSON PRETTY = WRITER.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

    private StateJson() {
    }

    /** The tree as maps and lists, in a stable key order. */
    public static Map<String, Object> tree(DaemonState s) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", s.version());
        root.put("active", s.active().orElse(null));
        s.ipv6().ifPresent(six -> root.put("active6", six.active().orElse(null)));
        root.put("mode", s.mode().toString());
        root.put("reason", s.reason());
        root.put("active_since", s.activeSince().toString());
        root.put("switches", s.switches());
        root.put("last_switch", s.lastSwitch().map(StateJson::event).orElse(null));
        Map<String, Object> wans = new LinkedHashMap<>();
        s.wans().forEach((name, u) -> wans.put(name, s.ipv6().isEmpty() ? uplink(u) : withState6(uplink(u),
                s.ipv6().get().state(name))));
        root.put("wans", wans);
        Map<String, Object> policies = new LinkedHashMap<>();
        s.policies().forEach((name, p) -> policies.put(name, policy(p)));
        root.put("policies", policies);
        Map<String, Object> ct = new LinkedHashMap<>();
        ct.put("flush", s.conntrack().flush());
        ct.put("flushes", s.conntrack().flushes());
        ct.put("deleted", s.conntrack().deleted());
        root.put("conntrack", ct);
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("state", s.kernel().state());
        k.put("since", s.kernel().since().toString());
        k.put("last_error", s.kernel().lastError().orElse(null));
        k.put("attempts", s.kernel().attempts());
        k.put("table_digest", s.kernel().tableDigest().orElse(null));
        root.put("kernel", k);
        s.ipv6().ifPresent(six -> root.put("ipv6", ipv6(six)));
        root.put("updated", s.updated().toString());
        s.sections().forEach(root::putIfAbsent); // a section named like a key of ours must not replace it
        return root;
    }

    /** {@code from}, {@code to} (null for none), {@code at} and {@code reason}. */
    public static Map<String, Object> event(SwitchEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", e.from().orElse(null));
        m.put("to", e.to().orElse(null));
        m.put("at", e.at().toString());
        m.put("reason", e.reason());
        return m;
    }

    public static Map<String, Object> uplink(DaemonState.Uplink u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", u.state().label());
        m.put("reason", u.reason());
        m.put("since", u.since().toString());
        m.put("carrier", u.carrier());
        m.put("address", u.address().orElse(null));
        m.put("gateway", u.gateway().orElse(null));
        m.put("gateway_state", u.gatewayTarget().map(t -> t.state().label()).orElse(null));
        m.put("confirming", u.confirming());
        m.put("latency_ms", u.latencyMs().orElse(null));
        m.put("loss_pct", u.lossPct().orElse(null));
        m.put("degraded", u.degradedReason().orElse(null));
        m.put("late_replies", u.late().replies());
        m.put("late_rtt_max_ms", u.late().worstRttMs().orElse(null));
        m.put("failback", u.failback().map(StateJson::failback).orElse(null));
        m.put("metered", u.probing().metered());
        m.put("probe_bytes", u.probing().bytes());
        m.put("probe_mb_per_30d", u.probing().projectedMbPer30d());
        Map<String, Object> hosts = new LinkedHashMap<>();
        u.hosts().forEach((ip, t) -> hosts.put(ip, target(t)));
        m.put("hosts", hosts);
        return m;
    }

    /** An uplink's IPv4 tree with {@code state6} (its IPv6 verdict, null for none) right after {@code state}. */
    private static Map<String, Object> withState6(Map<String, Object> uplink, Optional<Verdict> state6) {
        Map<String, Object> m = new LinkedHashMap<>();
        uplink.forEach((key, value) -> {
            m.put(key, value);
            if (key.equals("state")) {
                m.put("state6", state6.map(Verdict::label).orElse(null));
            }
        });
        return m;
    }

    /** The LAN's IPv6: {@code active} (null for none), why, since when, switches, and each uplink that has IPv6. */
    public static Map<String, Object> ipv6(DaemonState.Ipv6 six) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("active", six.active().orElse(null));
        m.put("reason", six.reason());
        m.put("since", six.since().toString());
        m.put("switches", six.switches());
        m.put("last_switch", six.lastSwitch().map(StateJson::event).orElse(null));
        m.put("unreachable", six.unreachable());
        Map<String, Object> wans = new LinkedHashMap<>();
        six.wans().forEach((name, u) -> wans.put(name, uplink(u)));
        m.put("wans", wans);
        return m;
    }

    private static Map<String, Object> failback(DaemonState.FailbackHold f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hold_s", f.hold().toMillis() / 1000.0);
        m.put("reason", f.reason());
        m.put("flaps", f.flaps());
        return m;
    }

    private static Map<String, Object> target(DaemonState.Target t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", t.state().label());
        m.put("rtt_ms", t.rttMs().orElse(null));
        m.put("loss_pct", t.lossPct());
        return m;
    }

    private static Map<String, Object> policy(DaemonState.Policy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", p.balanced() ? "balance" : "failover");
        if (p.balanced()) {
            m.put("weights", p.weights());
        } else {
            m.put("order", p.order());
        }
        m.put("active", p.active().orElse(null));
        m.put("uplinks", p.uplinks());
        m.put("reason", p.reason());
        m.put("since", p.since().toString());
        return m;
    }

    /** Compact JSON of any tree of maps, lists, strings, numbers and booleans. */
    public static String compact(Object tree) {
        try {
            return WRITER.asString(tree);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render JSON", e); // only for values JSON cannot hold: a bug
        }
    }

    /** The state file's text. */
    public static String pretty(DaemonState s) {
        try {
            return PRETTY.asString(tree(s)) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render JSON", e);
        }
    }

    /**
     * What a restart takes over from the previous run's state file.
     *
     * @param mode           the operator's mode, if the file had a valid one
     * @param policyUplinks  each policy's uplinks by policy name
     * @param tableDigest    the digest of the nftables table it left in the kernel
     */
    /**
     * What a restart takes over from the previous run's state file.
     *
     * @param holds each uplink's failback hold as it had grown by dampening (whole seconds; absent = none saved)
     */
    public record Saved(Optional<Mode> mode, Map<String, List<String>> policyUplinks, Optional<String> tableDigest,
                        Map<String, java.time.Duration> holds) {
        public static final Saved NONE = new Saved(Optional.empty(), Map.of(), Optional.empty(), Map.of());

        public Saved(Optional<Mode> mode, Map<String, List<String>> policyUplinks, Optional<String> tableDigest) {
            this(mode, policyUplinks, tableDigest, Map.of());
        }
    }

    /** Reads a previous state file's text; {@link Saved#NONE} for anything unreadable. */
    public static Saved saved(String text) {
        Map<String, Object> root;
        try {
            root = JSON.std.mapFrom(text);
        } catch (IOException | RuntimeException e) {
            return Saved.NONE;
        }
        if (root == null) {
            return Saved.NONE;
        }
        Optional<Mode> mode = root.get("mode") instanceof String m && !m.isBlank() ? Optional.of(Mode.parse(m))
                : Optional.empty();
        Map<String, List<String>> policies = new LinkedHashMap<>();
        if (root.get("policies") instanceof Map<?, ?> byName) {
            byName.forEach((name, p) -> {
                if (p instanceof Map<?, ?> m && m.get("uplinks") instanceof List<?> list
                        && list.stream().allMatch(String.class::isInstance)) {
                    policies.put(String.valueOf(name), list.stream().map(String.class::cast).toList());
                }
            });
        }
        Optional<String> digest = root.get("kernel") instanceof Map<?, ?> k && k.get("table_digest") instanceof String d
                && d.matches("[0-9a-f]{16,64}") ? Optional.of(d) : Optional.empty();
        Map<String, java.time.Duration> holds = new LinkedHashMap<>();
        if (root.get("wans") instanceof Map<?, ?> wans) {
            wans.forEach((name, w) -> {
                if (w instanceof Map<?, ?> m && m.get("failback") instanceof Map<?, ?> f
                        && f.get("hold_s") instanceof Number n && n.doubleValue() > 0 && n.doubleValue() < 1e7) {
                    holds.put(String.valueOf(name), java.time.Duration.ofMillis(Math.round(n.doubleValue() * 1000)));
                }
            });
        }
        return new Saved(mode, policies, digest, holds);
    }

    /** Parses a wall-clock instant written by {@link #tree}, if it is one. */
    public static Optional<Instant> instant(Object text) {
        try {
            return text instanceof String s ? Optional.of(Instant.parse(s)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
