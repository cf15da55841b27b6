package dualwan.gpio;

import dualwan.config.GpioConfig;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dualwan.gpio.Fixtures.down;
import static dualwan.gpio.Fixtures.healthy;
import static dualwan.gpio.Fixtures.shown;
import static dualwan.gpio.Fixtures.status;
import static dualwan.gpio.Fixtures.target;
import static dualwan.gpio.Fixtures.up;
import static dualwan.gpio.Fixtures.uplink;
import static dualwan.gpio.LedPattern.BLINK;
import static dualwan.gpio.LedPattern.OFF;
import static dualwan.gpio.LedPattern.ON;
import static dualwan.gpio.LedPattern.SLOW_BLINK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's LED table, row by row. */
class PatternsTest {

    private static final List<GpioConfig.Led> LEDS = Fixtures.panel(GpioConfig.Provider.MOCK).ledList();

    private static Map<String, LedPattern> leds(DaemonState s) {
        return Patterns.of(LEDS, s);
    }

    private static Map<String, LedPattern> expect(LedPattern h1, LedPattern a1, LedPattern h2, LedPattern a2) {
        return Map.of("isp1-health", h1, "isp1-active", a1, "isp2-health", h2, "isp2-active", a2);
    }

    @Test
    void bothUpFirstActive() {
        assertEquals(expect(ON, ON, ON, OFF), leds(status(healthy("isp1"), healthy("isp2"), "isp1", Mode.AUTO)));
    }

    @Test
    void downIsOffAndTrafficMoves() {
        assertEquals(expect(OFF, OFF, ON, ON), leds(status(down("isp1"), healthy("isp2"), "isp2", Mode.AUTO)));
    }

    @Test
    void aMissBeingConfirmedBlinks() {
        assertEquals(expect(BLINK, ON, ON, OFF), leds(status(uplink("isp1", Verdict.UP, true, up(), up(), up()),
                healthy("isp2"), "isp1", Mode.AUTO)));
    }

    @Test
    void stillBeingJudgedBlinks() {
        assertEquals(expect(ON, ON, BLINK, OFF), leds(status(healthy("isp1"),
                uplink("isp2", Verdict.UNKNOWN, false, up()), "isp1", Mode.AUTO)));
    }

    @Test
    void forcedModeBlinksTheForcedActiveLedSlowly() {
        assertEquals(expect(ON, OFF, ON, SLOW_BLINK), leds(status(healthy("isp1"), healthy("isp2"), "isp2",
                Mode.force("isp2"))));
        // forced onto a dead uplink: its health LED still says so
        assertEquals(expect(ON, OFF, OFF, SLOW_BLINK), leds(status(healthy("isp1"), down("isp2"), "isp2",
                Mode.force("isp2"))));
    }

    @Test
    void nothingChosenYetLeavesEveryActiveLedOff() {
        assertEquals(expect(BLINK, OFF, BLINK, OFF), leds(status(uplink("isp1", Verdict.UNKNOWN, false),
                uplink("isp2", Verdict.UNKNOWN, false), null, Mode.AUTO)));
    }

    @Test
    void degradedMeansUpWithADownHostOrLossyTarget() {
        assertTrue(shown(uplink("isp1", Verdict.UP, false, up(), up(), target(Verdict.DOWN, 20, 20))).degraded());
        assertTrue(shown(uplink("isp1", Verdict.UP, false, up(), up(), target(Verdict.UP, 20, 4))).degraded(),
                "4 of the last 20 lost = 20 %");
        assertFalse(shown(uplink("isp1", Verdict.UP, false, up(), up(), target(Verdict.UP, 20, 3))).degraded(),
                "3 of 20 = 15 % is not degraded");
        assertFalse(shown(uplink("isp1", Verdict.UP, false, up(), target(Verdict.UP, 3, 1))).degraded(),
                "one early miss of three probes is too little to judge");
        assertFalse(shown(uplink("isp1", Verdict.UP, false, up(), up(), target(Verdict.UNKNOWN, 0, 0))).degraded(),
                "a host not judged yet");
        assertEquals(expect(BLINK, ON, ON, OFF), leds(status(uplink("isp1", Verdict.UP, false, up(), up(),
                target(Verdict.DOWN, 20, 20)), healthy("isp2"), "isp1", Mode.AUTO)));
    }

    @Test
    void blinkRatesAndLabels() {
        java.time.Duration ms = java.time.Duration.ofMillis(1);
        assertTrue(BLINK.lit(ms.multipliedBy(0)));
        assertFalse(BLINK.lit(ms.multipliedBy(200)));
        assertTrue(BLINK.lit(ms.multipliedBy(400)));
        assertTrue(SLOW_BLINK.lit(ms.multipliedBy(999)));
        assertFalse(SLOW_BLINK.lit(ms.multipliedBy(1000)));
        assertEquals(java.util.Optional.of(ms.multipliedBy(2000)), SLOW_BLINK.nextToggle(ms.multipliedBy(1500)));
        assertEquals(java.util.Optional.empty(), ON.nextToggle(ms));
        assertEquals(List.of("off", "on", "blink", "blink"),
                List.of(OFF.label(), ON.label(), BLINK.label(), SLOW_BLINK.label()));
    }
}
