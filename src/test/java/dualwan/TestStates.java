package dualwan;

import dualwan.config.Config;
import dualwan.decide.Decision;
import dualwan.engine.StateView;
import dualwan.health.HealthSnapshot;
import dualwan.model.DaemonState;
import dualwan.model.Mode;

import java.util.Map;
import java.util.Optional;

/**
 * Daemon states for adapter tests, made the way the daemon makes them ({@link StateView#build}) from a health
 * snapshot, so the figures adapters show (loss, latency, degraded) come from the same arithmetic.
 */
public final class TestStates {

    private TestStates() {
    }

    /**
     * The state for this health, active uplink and mode: decided at the snapshot's instant (reason "test"), no
     * switch yet, no addresses read, no policy decided, nothing flushed, the kernel in sync. Monotonic and wall
     * clock are taken to be the same.
     */
    public static DaemonState of(Config config, HealthSnapshot health, Optional<String> active, Mode mode) {
        Decision decision = new Decision(active, health.at(), "test", Optional.empty());
        StateView.Parts parts = new StateView.Parts(health, decision, mode, Optional.empty(), 0, Map.of(), Map.of(),
                new DaemonState.Conntrack(config.conntrack().flush().label(), 0, 0),
                new DaemonState.KernelSync(DaemonState.KernelSync.IN_SYNC, health.at(), Optional.empty(), 0, Optional.empty()),
                Map.of());
        return StateView.build(config, parts, t -> t);
    }

    /** A state that only says which uplink is active (no uplink judged yet): enough for the DNS follower. */
    public static DaemonState active(Config config, Optional<String> active) {
        return of(config, new HealthSnapshot(java.time.Instant.EPOCH, Map.of()), active, Mode.AUTO);
    }
}
