package dualwan;

import dualwan.config.CheckConfig;
import dualwan.config.Config;
import dualwan.config.Ipv6;
import dualwan.config.Wan6Config;
import dualwan.config.WanConfig;
import dualwan.model.DaemonState;
import dualwan.model.SwitchEvent;
import dualwan.model.Verdict;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Dual-stack configs and states for the adapters' tests, made by hand as the engine would fill them: uplink
 * {@code ispN} has IPv6 address {@code 2001:db8:N::2}, gateway {@code fe80::1} (link-local, as from router
 * adverts) and two IPv6 hosts, {@code 2001:db8:100::N} and {@code 2001:db8:200::N}.
 */
public final class DualStack {

    private DualStack() {
    }

    /** The config with IPv6 (two IPv6 hosts, gateway auto) on the named uplinks. */
    public static Config withIpv6(Config base, String... names) {
        Set<String> six = Set.of(names);
        List<WanConfig> wans = base.wans().stream().map(w -> !six.contains(w.name()) ? w : new WanConfig(w.name(),
                w.iface(), w.gateway(), w.priority(), hosts6(w.check(), w.priority()), w.table(), w.mark(), w.nat(),
                w.dns(), w.metered(), Optional.of(Wan6Config.auto()))).toList();
        return new Config(base.source(), wans, base.failback(), base.lan(), base.routing(), base.stateFile(),
                base.conntrack(), base.policies(), base.gpio(), base.dns(), base.mqtt(), base.web());
    }

    private static CheckConfig hosts6(CheckConfig c, int n) {
        return new CheckConfig(c.hosts(), c.minUp(), c.gateway(), c.method(), c.interval(), c.timeout(),
                c.downAfter(), c.upAfter(), c.confirmInterval(),
                List.of(Ipv6.of("2001:db8:100::" + n), Ipv6.of("2001:db8:200::" + n)), 1);
    }

    /** Uplink {@code ispN}'s IPv6: up with {@code rtt} ms on both hosts, or down with neither answering. */
    public static DaemonState.Uplink uplink6(int n, Verdict state, double rtt, Instant since) {
        boolean up = state != Verdict.DOWN;
        Map<String, DaemonState.Target> hosts = new LinkedHashMap<>();
        hosts.put("2001:db8:100::" + n, target(up, rtt));
        hosts.put("2001:db8:200::" + n, target(up, rtt + 0.5));
        return new DaemonState.Uplink(state, up ? "2 of 2 IPv6 hosts answer" : "0 of 2 IPv6 hosts answer (need 1)",
                since, true, Optional.of("2001:db8:" + n + "::2"), Optional.of("fe80::1"),
                Optional.of(target(true, 0.4)), false, hosts, up ? Optional.of(rtt + 0.25) : Optional.empty(),
                Optional.of(up ? 0.0 : 100.0));
    }

    private static DaemonState.Target target(boolean up, double rtt) {
        return new DaemonState.Target(up ? Verdict.UP : Verdict.DOWN, up ? Optional.of(rtt) : Optional.empty(),
                up ? 0 : 100, 20);
    }

    /** The LAN's IPv6 part: on {@code active} (empty: none), over these uplinks. */
    public static DaemonState.Ipv6 ipv6(Optional<String> active, String reason, boolean unreachable, int switches,
                                        Optional<SwitchEvent> last, Instant since,
                                        Map<String, DaemonState.Uplink> wans) {
        return new DaemonState.Ipv6(active, reason, since, switches, last, unreachable, wans);
    }

    /** The same state with this IPv6 part. */
    public static DaemonState with(DaemonState s, DaemonState.Ipv6 six) {
        return new DaemonState(s.version(), s.active(), s.mode(), s.reason(), s.activeSince(), s.switches(),
                s.lastSwitch(), s.wans(), s.policies(), s.conntrack(), s.kernel(), Optional.of(six), s.updated(),
                s.sections());
    }

    /** IPv6 on isp1 only, up and carrying the LAN's IPv6 (isp2 has none). */
    public static DaemonState isp1Only(DaemonState s, Instant since) {
        Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
        wans.put("isp1", uplink6(1, Verdict.UP, 14.0, since));
        return with(s, ipv6(Optional.of("isp1"), "isp1 is the best healthy IPv6 uplink", false, 0, Optional.empty(),
                since, wans));
    }

    /** IPv6 on both: isp1's IPv6 down, the LAN's IPv6 on isp2 after one switch (IPv4 as {@code s} has it). */
    public static DaemonState isp1Ipv6Down(DaemonState s, Instant at) {
        Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
        wans.put("isp1", uplink6(1, Verdict.DOWN, 14.0, at));
        wans.put("isp2", uplink6(2, Verdict.UP, 27.0, at));
        String reason = "failover: isp1 0 of 2 IPv6 hosts answer (need 1)";
        return with(s, ipv6(Optional.of("isp2"), reason, false, 1,
                Optional.of(new SwitchEvent(Optional.of("isp1"), Optional.of("isp2"), at, reason)), at, wans));
    }

    /** IPv6 on isp1 only, and down there: no uplink has working IPv6, so the LAN's IPv6 is unreachable. */
    public static DaemonState unreachable(DaemonState s, Instant at) {
        Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
        wans.put("isp1", uplink6(1, Verdict.DOWN, 14.0, at));
        return with(s, ipv6(Optional.empty(), "no uplink has working IPv6; IPv4 works", true, 1,
                Optional.of(new SwitchEvent(Optional.of("isp1"), Optional.empty(), at, "isp1 IPv6 down")), at, wans));
    }
}
