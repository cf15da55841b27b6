package dualwan.engine;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.config.FailbackConfig;
import dualwan.model.DaemonState;
import dualwan.model.SwitchEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failback dampening through the whole engine on a fake clock: isp1 up 60 s / down 20 s for 10 minutes (the
 * lab's flapping run), once with the default dampening and once with the hold pinned (max-hold = hold).
 */
class DampeningTimelineTest {

    private static final Duration UP = Duration.ofSeconds(60);
    private static final Duration DOWN = Duration.ofSeconds(20);
    private static final Duration FLAPPING = Duration.ofMinutes(10);

    @Test
    void aFlappingPrimaryDoublesItsHoldAndTrafficReturnsOnceItIsStableForTheGrownHold() {
        Config config = TestConfigs.twoWans();
        EngineRig rig = flap(config);
        int flapping = rig.switches.size();
        DaemonState s = rig.engine.state(rig.now, t -> t);
        DaemonState.FailbackHold hold = s.wan("isp1").orElseThrow().failback().orElseThrow();
        System.out.println("flapping 60 s up / 20 s down for 10 min, dampened: " + flapping + " switches; isp1 hold "
                + hold.hold().toSeconds() + " s (" + hold.reason() + ", " + hold.flaps() + " flaps)");
        assertTrue(flapping <= 6, "at most 6 switches with dampening: " + rig.switches);
        assertTrue(hold.hold().compareTo(config.failback().hold()) > 0, "the hold grew: " + hold);
        assertTrue(hold.reason().contains("doubled"), hold.reason());
        assertEquals(Duration.ofSeconds(30), s.wan("isp2").orElseThrow().failback().orElseThrow().hold(),
                "isp2 never flapped");

        // Stable from now on: traffic returns after the grown hold, not before.
        if (!rig.engine.active().equals(Optional.of("isp1"))) {
            rig.switches.clear();
            Duration grown = hold.hold();
            rig.run(grown.minusSeconds(5));
            assertEquals(0, rig.switches.size(), "no failback before the grown hold: " + rig.switches);
            rig.run(Duration.ofSeconds(10));
            assertEquals(1, rig.switches.size(), "failback once stable for " + grown.toSeconds() + " s");
            SwitchEvent back = rig.switches.getFirst();
            assertEquals(Optional.of("isp1"), back.to());
        }

        // Hours of health: the hold decays back to failback.hold.
        rig.run(Duration.ofHours(2));
        DaemonState.FailbackHold later = rig.engine.state(rig.now, t -> t).wan("isp1").orElseThrow().failback()
                .orElseThrow();
        assertEquals(config.failback().hold(), later.hold(), "decayed back: " + later);
        assertTrue(later.reason().contains("stable"), later.reason());
    }

    @Test
    void aFixedHoldFailsBackAndOverAgainTwicePerFlap() {
        Config base = TestConfigs.twoWans();
        Config fixed = new Config(base.source(), base.wans(), new FailbackConfig(Duration.ofSeconds(30),
                Duration.ofSeconds(30)), base.lan(), base.routing(), base.stateFile(), base.conntrack(),
                base.policies(), base.gpio(), base.dns(), base.mqtt(), base.web());
        EngineRig rig = flap(fixed);
        System.out.println("flapping 60 s up / 20 s down for 10 min, fixed 30 s hold: " + rig.switches.size()
                + " switches");
        assertTrue(rig.switches.size() >= 12, "about two per flap: " + rig.switches);
    }

    @Test
    void aFailureLongAfterTheFailbackIsNoFlap() {
        Config config = TestConfigs.twoWans();
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            rig.deadDevices.add("wan1");
            rig.run(Duration.ofSeconds(10));
            rig.deadDevices.clear();
            rig.run(Duration.ofMinutes(5)); // fails back after 30 s, then stays up for 4.5 min > 4 holds
        }
        DaemonState.FailbackHold hold = rig.engine.state(rig.now, t -> t).wan("isp1").orElseThrow().failback()
                .orElseThrow();
        assertEquals(Duration.ofSeconds(30), hold.hold(), hold.toString());
        assertEquals(0, hold.flaps());
    }

    /** Starts with both up, then isp1 goes down for 20 s after every 60 s up, for 10 minutes. */
    private static EngineRig flap(Config config) {
        EngineRig rig = new EngineRig(config).start();
        rig.run(Duration.ofSeconds(5));
        assertEquals(Optional.of("isp1"), rig.engine.active());
        rig.switches.clear(); // the first choice is no switch
        Duration elapsed = Duration.ZERO;
        while (elapsed.compareTo(FLAPPING) < 0) {
            rig.run(UP);
            rig.deadDevices.add("wan1");
            rig.run(DOWN);
            rig.deadDevices.clear();
            elapsed = elapsed.plus(UP).plus(DOWN);
        }
        return rig;
    }
}
