package dualwan.web;

import dualwan.model.DaemonState;
import dualwan.model.Verdict;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The state as Prometheus metrics, in the text exposition format (version 0.0.4), rendered from the published
 * state in memory: a scrape runs no command and takes no lock the control loop holds.
 *
 * <p>Targets are the gateway (when probed) and the remote hosts, labelled by address. Figures a target has
 * not got yet (no RTT before its first reply) are left out rather than written as 0. With IPv6 in the config its
 * targets join the same families and {@code dualwan_uplink6_*} and the other IPv6 families appear; an IPv4-only
 * config shows none of them.
 */
final class Metrics {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private Metrics() {
    }

    static String render(DaemonState s, String version) {
        StringBuilder out = new StringBuilder(4096);
        family(out, "dualwan_build_info", "gauge", "Always 1; the version of the running daemon.",
                m -> m.sample(Map.of("version", version), 1));
        family(out, "dualwan_uplink_up", "gauge", "1 when the uplink is up (may carry traffic), else 0.",
                m -> s.wans().forEach((name, u) -> m.sample(Map.of("uplink", name), u.up() ? 1 : 0)));
        family(out, "dualwan_uplink_active", "gauge", "1 for the uplink carrying the LAN's default traffic.",
                m -> s.wans().keySet().forEach(name -> m.sample(Map.of("uplink", name),
                        s.active().filter(name::equals).isPresent() ? 1 : 0)));
        family(out, "dualwan_uplink_carrier", "gauge", "1 when the uplink's interface has carrier.",
                m -> s.wans().forEach((name, u) -> m.sample(Map.of("uplink", name), u.carrier() ? 1 : 0)));
        family(out, "dualwan_uplink_forced", "gauge", "1 for the uplink the operator forced (mode), else 0.",
                m -> s.wans().keySet().forEach(name -> m.sample(Map.of("uplink", name),
                        s.mode().forced().filter(name::equals).isPresent() ? 1 : 0)));
        family(out, "dualwan_target_up", "gauge", "1 when the probe target (gateway or host) is up.",
                m -> targets(s, (uplink, target, t) -> m.sample(labels(uplink, target), t.state() == Verdict.UP
                        ? 1 : 0)));
        family(out, "dualwan_target_rtt_seconds", "gauge", "Smoothed round-trip time of the target's probes.",
                m -> targets(s, (uplink, target, t) -> t.rttMs().ifPresent(rtt -> m.sample(labels(uplink, target),
                        rtt / 1000.0))));
        family(out, "dualwan_target_loss_ratio", "gauge", "Share of the target's recent probes that got no answer.",
                m -> targets(s, (uplink, target, t) -> m.sample(labels(uplink, target), t.lossPct() / 100.0)));
        family(out, "dualwan_switches_total", "counter", "Changes of the active uplink since the daemon started.",
                m -> m.sample(Map.of(), s.switches()));
        family(out, "dualwan_conntrack_flushes_total", "counter", "Conntrack flushes run after switches.",
                m -> m.sample(Map.of(), s.conntrack().flushes()));
        family(out, "dualwan_conntrack_deleted_total", "counter", "Conntrack entries those flushes deleted.",
                m -> m.sample(Map.of(), s.conntrack().deleted()));
        family(out, "dualwan_probe_bytes_total", "counter",
                "Probe traffic on the uplink's link since the daemon started, both directions, in bytes.",
                m -> s.wans().forEach((name, u) -> m.sample(Map.of("uplink", name), u.probing().bytes())));
        family(out, "dualwan_kernel_in_sync", "gauge", "1 when the kernel holds the routes, rules and table wanted.",
                m -> m.sample(Map.of(), DaemonState.KernelSync.IN_SYNC.equals(s.kernel().state()) ? 1 : 0));
        family(out, "dualwan_active_since_timestamp_seconds", "gauge", "When the active uplink last changed.",
                m -> m.sample(Map.of(), s.activeSince().toEpochMilli() / 1000.0));
        s.ipv6().ifPresent(six -> ipv6(out, six));
        return out.toString();
    }

    /** IPv6's own families, for a config with IPv6 (its targets are among the target families already). */
    private static void ipv6(StringBuilder out, DaemonState.Ipv6 six) {
        family(out, "dualwan_uplink6_up", "gauge", "1 when the uplink's IPv6 is up (may carry IPv6), else 0.",
                m -> six.wans().forEach((name, u) -> m.sample(Map.of("uplink", name), u.up() ? 1 : 0)));
        family(out, "dualwan_uplink6_active", "gauge", "1 for the uplink carrying the LAN's IPv6 traffic.",
                m -> six.wans().keySet().forEach(name -> m.sample(Map.of("uplink", name),
                        six.active().filter(name::equals).isPresent() ? 1 : 0)));
        family(out, "dualwan_ipv6_unreachable", "gauge",
                "1 while the LAN's IPv6 default is unreachable (no IPv6 anywhere, IPv4 works), else 0.",
                m -> m.sample(Map.of(), six.unreachable() ? 1 : 0));
        family(out, "dualwan_switches6_total", "counter", "Changes of the active IPv6 uplink since the daemon started.",
                m -> m.sample(Map.of(), six.switches()));
        family(out, "dualwan_active6_since_timestamp_seconds", "gauge", "When the active IPv6 uplink last changed.",
                m -> m.sample(Map.of(), six.since().toEpochMilli() / 1000.0));
    }

    private interface TargetVisitor {
        void visit(String uplink, String target, DaemonState.Target t);
    }

    /** IPv4's targets, then IPv6's: the address tells the family, the uplink label keeps link-local ones apart. */
    private static void targets(DaemonState s, TargetVisitor v) {
        targets(s.wans(), v);
        s.ipv6().ifPresent(six -> targets(six.wans(), v));
    }

    private static void targets(Map<String, DaemonState.Uplink> wans, TargetVisitor v) {
        wans.forEach((name, u) -> {
            u.gatewayTarget().ifPresent(g -> u.gateway().ifPresent(ip -> v.visit(name, ip, g)));
            u.hosts().forEach((ip, t) -> v.visit(name, ip, t));
        });
    }

    private static Map<String, String> labels(String uplink, String target) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("uplink", uplink);
        m.put("target", target);
        return m;
    }

    /** Writes one family's HELP and TYPE, then its samples. */
    private static void family(StringBuilder out, String name, String type, String help, Consumer<Samples> samples) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        samples.accept(new Samples(out, name));
    }

    private record Samples(StringBuilder out, String name) {
        void sample(Map<String, String> labels, double value) {
            out.append(name);
            if (!labels.isEmpty()) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, String> l : labels.entrySet()) {
                    out.append(first ? "" : ",").append(l.getKey()).append("=\"").append(escape(l.getValue()))
                            .append('"');
                    first = false;
                }
                out.append('}');
            }
            out.append(' ').append(number(value)).append('\n');
        }
    }

    /** Label values escape backslash, double quote and newline (the exposition format's three). */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v); // Prometheus reads Java's 1.0E-4 form too
    }
}
