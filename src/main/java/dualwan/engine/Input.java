package dualwan.engine;

import dualwan.health.LinkState;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.ProbeResult;
import dualwan.model.StateJson;
import dualwan.plan.Planner.UplinkAddressing;
import dualwan.plan.Planner6.Uplink6;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the engine is told. Every input is a plain value: the engine never asks the outside anything. */
public sealed interface Input {

    /**
     * The first input: what was found at start.
     *
     * @param links          each uplink's link, read just now
     * @param addressing     each uplink's addressing, or empty when the first read failed (then no kernel
     *                       target is made until a read succeeds: a plan without addresses would tear down
     *                       what a previous run left in place)
     * @param activeInKernel the uplink the LAN table already points at: a restart keeps it instead of switching
     * @param nftTablePresent dualwan's nftables table is in place, so the previous run's policy choices stand
     * @param saved          what the previous run's state file says (mode, policies)
     * @param addressing6    each IPv6 uplink's IPv6 facts, read with {@code addressing} (empty map without IPv6)
     * @param active6InKernel the uplink the LAN table's IPv6 default already points at
     */
    record Start(Map<String, LinkState> links, Optional<Map<String, UplinkAddressing>> addressing,
                 Optional<String> activeInKernel, boolean nftTablePresent, StateJson.Saved saved,
                 Map<String, Uplink6> addressing6, Optional<String> active6InKernel) implements Input {

        /** IPv4 only. */
        public Start(Map<String, LinkState> links, Optional<Map<String, UplinkAddressing>> addressing,
                     Optional<String> activeInKernel, boolean nftTablePresent, StateJson.Saved saved) {
            this(links, addressing, activeInKernel, nftTablePresent, saved, Map.of(), Optional.empty());
        }
    }

    /** A timer the engine asked for ({@link Outputs#wakeAt()}) is due. */
    record Tick() implements Input {
    }

    /** Probe results, in the order they arrived. */
    record ProbeDone(List<ProbeResult> results) implements Input {
    }

    /** Link states read from the kernel, for some or all uplinks. */
    record Links(Map<String, LinkState> links) implements Input {
    }

    /**
     * Every uplink's addressing, read from the kernel: IPv4, and for uplinks with IPv6 their IPv6 facts
     * (addresses, gateway6, delegated prefix; an empty map without IPv6 in the config).
     */
    record Addressing(Map<String, UplinkAddressing> addressing, Map<String, Uplink6> addressing6) implements Input {

        /** IPv4 only. */
        public Addressing(Map<String, UplinkAddressing> addressing) {
            this(addressing, Map.of());
        }
    }

    /** A read of the kernel failed (reported, retried soon; probing and deciding go on). */
    record ReadFailed(String what, String error) implements Input {
    }

    /**
     * The kernel reported changes that need re-reads ({@link Needs} bits): links, addressing, or a check of
     * dualwan's own rules and tables that someone else may have changed.
     */
    record KernelChanged(int needs) implements Input {
    }

    /** The operator asked for a mode (CLI, MQTT, button, page); {@code id} comes back in the reply. */
    record ModeRequest(long id, Mode mode) implements Input {
    }

    /**
     * The kernel worker's news.
     *
     * @param sync       whether the kernel now has the newest target
     * @param generation the newest target it applied (routes and table), or -1 for none yet
     * @param flushes    flushes run since its last report (once per switch)
     * @param deleted    conntrack entries they deleted
     */
    record KernelReport(DaemonState.KernelSync sync, long generation, int flushes, long deleted) implements Input {
    }

    /** Bits of {@link KernelChanged#needs()}. */
    final class Needs {
        /** Re-read carrier (sysfs; no process). */
        public static final int LINKS = 1;
        /** Re-read addresses and gateways (two {@code ip} runs). */
        public static final int ADDRESSING = 2;
        /** Compare our rules and tables with the kernel and repair them. */
        public static final int REPAIR = 4;
        public static final int ALL = LINKS | ADDRESSING | REPAIR;

        private Needs() {
        }
    }
}
