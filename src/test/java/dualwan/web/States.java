package dualwan.web;

import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.SwitchEvent;
import dualwan.model.Verdict;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Daemon states for the web tests, shaped like the lab: isp1 and isp2, a gateway and three hosts each. */
final class States {

    static final Instant T0 = Instant.parse("2026-11-21T20:00:00Z");

    private States() {
    }

    static DaemonState.Target target(Verdict v, Double rttMs, double lossPct) {
        return new DaemonState.Target(v, Optional.ofNullable(rttMs), lossPct, 20);
    }

    static DaemonState.Uplink uplink(int n, Verdict state, String reason, double rtt, double loss) {
        return uplink(n, state, reason, rtt, loss, T0);
    }

    static DaemonState.Uplink uplink(int n, Verdict state, String reason, double rtt, double loss, Instant since) {
        Map<String, DaemonState.Target> hosts = new LinkedHashMap<>();
        Verdict hostState = state == Verdict.DOWN ? Verdict.DOWN : Verdict.UP;
        hosts.put("192.0.2." + n, target(hostState, rtt, loss));
        hosts.put("198.51.100." + n, target(hostState, rtt + 1.5, loss));
        hosts.put("203.0.113." + n, target(hostState, rtt + 0.25, loss));
        return new DaemonState.Uplink(state, reason, since, true, Optional.of("100.64." + n + ".2"),
                Optional.of("100.64." + n + ".1"), Optional.of(target(Verdict.UP, 0.3, 0)), false, hosts,
                state == Verdict.DOWN ? Optional.empty() : Optional.of(rtt + 0.6), Optional.of(loss));
    }

    /** Both uplinks up, {@code active} carrying the traffic. */
    static DaemonState healthy(String active, Instant at) {
        Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
        wans.put("isp1", uplink(1, Verdict.UP, "3 of 3 hosts answer", 12.0, 0));
        wans.put("isp2", uplink(2, Verdict.UP, "3 of 3 hosts answer", 24.0, 0));
        return state(Optional.of(active), Mode.AUTO, active + " is the best healthy uplink", wans, 0,
                Optional.empty(), at);
    }

    /** isp1 down, traffic on isp2 after one switch. */
    static DaemonState failedOver(Instant at) {
        Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
        wans.put("isp1", uplink(1, Verdict.DOWN, "0 of 3 hosts answer (need 1)", 12.0, 100));
        wans.put("isp2", uplink(2, Verdict.UP, "3 of 3 hosts answer", 24.0, 0));
        String reason = "failover: isp1 0 of 3 hosts answer (need 1)";
        return state(Optional.of("isp2"), Mode.AUTO, reason, wans, 1,
                Optional.of(new SwitchEvent(Optional.of("isp1"), Optional.of("isp2"), at, reason)), at);
    }

    static DaemonState state(Optional<String> active, Mode mode, String reason, Map<String, DaemonState.Uplink> wans,
                             int switches, Optional<SwitchEvent> last, Instant at) {
        return new DaemonState(DaemonState.VERSION, active, mode, reason, T0, switches, last, wans, Map.of(),
                new DaemonState.Conntrack("affected", switches, 4L * switches),
                new DaemonState.KernelSync(DaemonState.KernelSync.IN_SYNC, T0, Optional.empty(), 0, Optional.empty()), at, Map.of());
    }
}
