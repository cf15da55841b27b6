package dualwan.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulated-time figures behind the README's arithmetic, at default settings. Simulated time, not wall
 * time, so asserting on it is deterministic. Shorter than {@code dualwan simulate} (1 day, not 30).
 */
class SimulationTest {

    /** Computed once for all tests of the class (JUnit makes an instance per test). */
    private static final SimulateCommand.Figures f = SimulateCommand.figures(1, 40, 7);

    @Test
    void totalLossIsDetectedInUnderASecondAtEveryPhase() {
        System.out.println("simulated detection after a total cut (40 phases): mean " + f.detectMeanMs()
                + " ms, worst " + f.detectMaxMs() + " ms");
        assertTrue(f.detectMaxMs() <= 1000, "worst detection " + f.detectMaxMs() + " ms");
        // eight misses, each known one adaptive timeout (at least 100 ms) after its probe, 50 ms apart
        assertTrue(f.detectMeanMs() >= 450, "faster than the confirmation itself is impossible: "
                + f.detectMeanMs() + " ms");
    }

    @Test
    void burstyLossCausesNoFailover() {
        assertEquals(0, f.bursty().switches());
    }

    @Test
    void rttsSwingingUpToTwoSecondsCauseNoFailover() {
        assertEquals(0, f.rttSwing().switches());
        assertTrue(f.rttSwing().probeRatePerTarget() < 4, "rate " + f.rttSwing().probeRatePerTarget());
    }

    @Test
    void tenPercentLossEverywhereCausesNoFailover() {
        assertEquals(0, f.randomLoss().switches());
    }

    @Test
    void aPermanentlyDeadHostCausesNoFailover() {
        assertEquals(0, f.deadHost().switches());
    }

    @Test
    void healthyProbingStaysNearOneProbePerSecondPerTarget() {
        assertTrue(f.randomLoss().probeRatePerTarget() < 1.5, "rate " + f.randomLoss().probeRatePerTarget());
    }

    @Test
    void theSimulatorCanSeeAFalseFailover() {
        // Same network, but hosts judged on a single miss: proves the counter is not stuck at zero.
        var strict = SimulateCommand.defaultConfig();
        var wans = strict.wans().stream().map(w -> new dualwan.config.WanConfig(w.name(), w.iface(), w.gateway(),
                w.priority(), new dualwan.config.CheckConfig(w.check().hosts(), 1, true, w.check().method(),
                w.check().interval(), w.check().timeout(), 1, 1, w.check().confirmInterval()), w.table(), w.mark(), w.nat(), w.dns())).toList();
        var cfg = new dualwan.config.Config(strict.source(), wans, strict.failback(), strict.lan(), strict.routing(),
                strict.stateFile(), strict.conntrack(), strict.policies(), strict.gpio(), strict.dns(), strict.mqtt(),
                strict.web());
        var o = Simulator.run(cfg, new Simulator.Network(10, java.util.Set.of(), java.util.Optional.empty(),
                java.time.Duration.ZERO, 1), java.time.Duration.ofHours(1));
        assertTrue(o.switches() > 0, "down-after 1 with 10 % loss must flap");
    }
}
