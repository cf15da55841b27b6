package dualwan.engine;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.model.DaemonState;
import dualwan.model.SwitchEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A metered backup (isp2, {@code metered: true}) through the whole engine on a fake clock: sparse probing while
 * it carries nothing, a burst the moment the active uplink falls into doubt, fast probing once it carries the LAN.
 */
class MeteredTimelineTest {

    private static final double BUDGET_MB_PER_30D = 20;

    private static Config meteredBackup() {
        Config base = TestConfigs.twoWans();
        WanConfig w = base.wans().get(1);
        WanConfig metered = new WanConfig(w.name(), w.iface(), w.gateway(), w.priority(), w.check(), w.table(),
                w.mark(), w.nat(), w.dns(), true);
        return TestConfigs.of(base.failback().hold(), base.wans().get(0), metered);
    }

    @Test
    void anIdleMeteredBackupCostsUnderTwentyMegabytesAMonthAndIsStillTakenOverInUnderTwoSeconds() {
        EngineRig rig = new EngineRig(meteredBackup()).start().run(Duration.ofMinutes(2));
        assertEquals(Optional.of("isp1"), rig.engine.active());
        long before = probing(rig, "isp2").bytes();
        Instant from = rig.now;
        rig.run(Duration.ofHours(1));
        DaemonState.Probing idle = probing(rig, "isp2");
        DaemonState.Probing normal = probing(rig, "isp1");
        double measuredMb30 = (idle.bytes() - before) * (30 * 24.0) / 1e6;
        System.out.printf("probe traffic per 30 days: metered idle backup %.1f MB (measured over 1 h: %.1f MB),"
                + " normal active uplink %.1f MB%n", idle.projectedMbPer30d(), measuredMb30, normal.projectedMbPer30d());
        assertTrue(idle.metered() && idle.idle(), idle.toString());
        assertTrue(idle.projectedMbPer30d() <= BUDGET_MB_PER_30D, idle.toString());
        assertTrue(measuredMb30 <= BUDGET_MB_PER_30D, "measured " + measuredMb30 + " MB per 30 days");
        assertTrue(normal.projectedMbPer30d() > 100, "the active uplink keeps fast probing: " + normal);
        assertEquals(DaemonState.Probing.class, idle.getClass());
        assertTrue(rig.engine.state(rig.now, t -> t).wan("isp2").orElseThrow().up(), "still known to be up");

        rig.switches.clear();
        Instant cut = rig.now;
        rig.deadDevices.add("wan1");
        rig.run(Duration.ofSeconds(5));
        assertEquals(1, rig.switches.size(), rig.switches.toString());
        SwitchEvent e = rig.switches.getFirst();
        assertEquals(Optional.of("isp2"), e.to());
        Duration took = Duration.between(cut, e.at());
        System.out.println("failover to the idle metered backup after a cut: " + took.toMillis() + " ms");
        assertTrue(took.compareTo(Duration.ofSeconds(2)) <= 0, "took " + took);
        DaemonState.Probing carrying = probing(rig, "isp2");
        assertFalse(carrying.idle(), "carrying the LAN now: probed as needed for detection");
        assertTrue(carrying.projectedMbPer30d() > 100, carrying.toString());
        assertTrue(Duration.between(from, cut).toMinutes() >= 60);
    }

    @Test
    void aBackupThatDiedWhileIdleIsFoundByTheBurstAndNotTakenOver() {
        EngineRig rig = new EngineRig(meteredBackup()).start().run(Duration.ofMinutes(2));
        rig.deadDevices.add("wan2"); // dies silently; sparse probing has not noticed yet
        rig.run(Duration.ofSeconds(3));
        assertTrue(rig.engine.state(rig.now, t -> t).wan("isp2").orElseThrow().up(), "not probed since");
        rig.switches.clear();
        rig.deadDevices.add("wan1");
        rig.run(Duration.ofSeconds(5));
        assertEquals(0, rig.switches.size(), "nothing healthy: keep the last route " + rig.switches);
        DaemonState s = rig.engine.state(rig.now, t -> t);
        assertFalse(s.wan("isp2").orElseThrow().up(), "the burst found isp2 dead: " + s.wan("isp2"));
    }

    private static DaemonState.Probing probing(EngineRig rig, String wan) {
        return rig.engine.state(rig.now, t -> t).wan(wan).orElseThrow().probing();
    }
}
