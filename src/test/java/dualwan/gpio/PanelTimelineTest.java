package dualwan.gpio;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import dualwan.config.GpioConfig;
import dualwan.model.Mode;
import dualwan.model.ModeResult;
import dualwan.model.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static dualwan.gpio.Fixtures.T0;
import static dualwan.gpio.Fixtures.down;
import static dualwan.gpio.Fixtures.healthy;
import static dualwan.gpio.Fixtures.status;
import static dualwan.gpio.Fixtures.target;
import static dualwan.gpio.Fixtures.up;
import static dualwan.gpio.Fixtures.uplink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The panel end to end on Pi4J's mock provider, with a fake clock: LED pins follow a timeline of health
 * transitions, and button presses on the mock pin (bounces included) change the mode.
 */
class PanelTimelineTest {

    private static final List<String> UPLINKS = List.of("isp1", "isp2");

    private final ManualScheduler time = new ManualScheduler(T0);
    private final List<Mode> modeCalls = new ArrayList<>();
    private final Map<String, Object> sections = new LinkedHashMap<>();
    private Pi4jFrontPanel pins;
    private MockDigitalInput button;
    private Panel panel;

    @BeforeEach
    void start() throws Exception {
        pins = Pi4jFrontPanel.open(Fixtures.panel(GpioConfig.Provider.MOCK));
        button = pins.mockButton().orElseThrow();
        panel = new Panel(Fixtures.panel(GpioConfig.Provider.MOCK), UPLINKS, pins, time, time, this::setMode,
                sections::put);
        panel.start();
    }

    @AfterEach
    void stop() {
        panel.close();
    }

    /** A daemon that accepts every mode; a forced uplink becomes active. */
    private CompletableFuture<ModeResult> setMode(Mode mode) {
        modeCalls.add(mode);
        return CompletableFuture.completedFuture(new ModeResult(mode, mode.forced().or(() -> Optional.of("isp1")),
                "test"));
    }

    /** The four LED pins as 1/0, in panel order: isp1-health isp1-active isp2-health isp2-active. */
    private String pinsNow() {
        time.runReady(); // what was handed to the panel's thread has run
        StringBuilder b = new StringBuilder();
        for (String led : List.of("isp1-health", "isp1-active", "isp2-health", "isp2-active")) {
            b.append(pins.lit(led) ? '1' : '0');
        }
        return b.toString();
    }

    /** Pin states sampled every {@code step} for {@code count} samples (time passes). */
    private List<String> sample(Duration step, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(pinsNow());
            time.advance(step);
        }
        return out;
    }

    /** Samples 200 ms apart of a 2.5 Hz blink: every other one lit, whatever the phase. */
    private static void assertAlternates(List<String> samples, String lit, String dark) {
        String first = samples.getFirst();
        for (int i = 0; i < samples.size(); i++) {
            assertEquals((i % 2 == 0) == first.equals(lit) ? lit : dark, samples.get(i), samples.toString());
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> section() {
        return (Map<String, Object>) sections.get("panel");
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> shownLeds() {
        return (Map<String, String>) section().get("leds");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> lastGesture() {
        return (Map<String, Object>) section().get("last_gesture");
    }

    private void settle() {
        time.advance(Duration.ofMillis(1100)); // past the boot pattern
    }

    private void press(Duration held) {
        button.mockState(DigitalState.LOW);
        time.advance(held);
        button.mockState(DigitalState.HIGH);
        time.advance(Duration.ofMillis(50));
    }

    @Test
    void bootPatternLightsEachLedInTurnThenAllThenShowsTheState() {
        assertEquals("1000", pinsNow());
        assertNull(sections.get("panel"), "no state section before the daemon has started");
        panel.stateChanged(status(uplink("isp1", Verdict.UNKNOWN, false), uplink("isp2", Verdict.UNKNOWN, false),
                null, Mode.AUTO)); // the daemon's first pass: nothing judged yet
        assertEquals(List.of("1000", "0100"), sample(Duration.ofMillis(150), 2));
        assertEquals("blink", shownLeds().get("isp1-active"), "the state file says the panel is in its boot pattern");
        assertEquals(List.of("0010", "0001", "1111", "1111", "1111"), sample(Duration.ofMillis(150), 5));
        time.advance(Duration.ofMillis(100)); // boot over (4 × 150 + 400 ms): being judged blinks, no traffic yet
        assertEquals(Map.of("isp1-health", "blink", "isp1-active", "off", "isp2-health", "blink", "isp2-active",
                "off"), shownLeds());
        assertEquals("provider mock, button BCM 24", "provider " + section().get("provider") + ", button "
                + section().get("button"));
    }

    @Test
    void ledsFollowATimelineOfHealthTransitions() {
        settle();
        panel.stateChanged(status(healthy("isp1"), healthy("isp2"), "isp1", Mode.AUTO));
        assertEquals(List.of("1110", "1110", "1110"), sample(Duration.ofMillis(200), 3), "both up, isp1 carries");

        // isp1 misses once: confirming, its health LED blinks at 2.5 Hz (200 ms on, 200 ms off)
        panel.stateChanged(status(uplink("isp1", Verdict.UP, true, up(), up(), up()), healthy("isp2"), "isp1",
                Mode.AUTO));
        time.advance(Duration.ofMillis(0));
        List<String> blinking = sample(Duration.ofMillis(100), 8);
        assertEquals(4, blinking.stream().filter("1110"::equals).count(), blinking.toString());
        assertEquals(4, blinking.stream().filter("0110"::equals).count(), blinking.toString());
        assertEquals("blink", shownLeds().get("isp1-health"));

        // confirmed down: failover to isp2
        panel.stateChanged(status(down("isp1"), healthy("isp2"), "isp2", Mode.AUTO));
        assertEquals(List.of("0011", "0011"), sample(Duration.ofMillis(300), 2));
        assertEquals(Map.of("isp1-health", "off", "isp1-active", "off", "isp2-health", "on", "isp2-active", "on"),
                shownLeds());

        // link back, being judged: blinks; then up but one host still dead (degraded): blinks
        panel.stateChanged(status(uplink("isp1", Verdict.UNKNOWN, false, up()), healthy("isp2"), "isp2", Mode.AUTO));
        assertAlternates(sample(Duration.ofMillis(200), 4), "1011", "0011");
        panel.stateChanged(status(uplink("isp1", Verdict.UP, false, up(), up(), target(Verdict.DOWN, 20, 20)),
                healthy("isp2"), "isp2", Mode.AUTO));
        assertEquals(2, sample(Duration.ofMillis(200), 4).stream().filter("0011"::equals).count());

        // healthy again; after the hold traffic returns
        panel.stateChanged(status(healthy("isp1"), healthy("isp2"), "isp2", Mode.AUTO));
        assertEquals(List.of("1011", "1011"), sample(Duration.ofMillis(200), 2));
        panel.stateChanged(status(healthy("isp1"), healthy("isp2"), "isp1", Mode.AUTO));
        time.advance(Duration.ZERO);
        assertEquals("1110", pinsNow());
    }

    @Test
    void aForcedModeBlinksTheActiveLedSlowly() {
        settle();
        panel.stateChanged(status(healthy("isp1"), healthy("isp2"), "isp2", Mode.force("isp2")));
        List<String> s = sample(Duration.ofMillis(250), 8); // 2 s: one slow period
        assertEquals(4, s.stream().filter("1011"::equals).count(), s.toString());
        assertEquals(4, s.stream().filter("1010"::equals).count(), s.toString());
        assertEquals("blink", shownLeds().get("isp2-active"));
    }

    @Test
    void bouncesDoNothingShortPressesCycleTheModeALongPressReturnsToAuto() {
        settle();
        panel.stateChanged(status(healthy("isp1"), healthy("isp2"), "isp1", Mode.AUTO));
        time.advance(Duration.ZERO);

        press(Duration.ofMillis(10)); // a bounce, or a brush against the button
        press(Duration.ofMillis(25));
        assertEquals(List.of(), modeCalls);
        assertNull(section().get("last_gesture"));

        press(Duration.ofMillis(150));
        assertEquals(List.of(Mode.force("isp1")), modeCalls);
        assertEquals("short", lastGesture().get("gesture"));
        assertEquals("auto", lastGesture().get("mode_before"));
        assertEquals("isp1", lastGesture().get("mode"));

        // the next press is based on the mode asked for, even before the daemon's new state arrives
        press(Duration.ofMillis(150));
        assertEquals(List.of(Mode.force("isp1"), Mode.force("isp2")), modeCalls);
        panel.stateChanged(status(healthy("isp1"), healthy("isp2"), "isp2", Mode.force("isp2")));
        assertEquals("isp2", lastGesture().get("active"));

        // long press: back to auto after 2 s, while the button is still held
        button.mockState(DigitalState.LOW);
        time.advance(Duration.ofMillis(1990));
        assertEquals(2, modeCalls.size());
        time.advance(Duration.ofMillis(20));
        assertEquals(Mode.AUTO, modeCalls.get(2));
        assertEquals("long", lastGesture().get("gesture"));
        assertNotNull(lastGesture().get("at"));
        button.mockState(DigitalState.HIGH);
        time.advance(Duration.ofSeconds(1));
        assertEquals(3, modeCalls.size(), "the release after a long press is not another press");
    }

    @Test
    void aCleanExitTurnsEveryLedOff() {
        settle();
        panel.stateChanged(status(healthy("isp1"), healthy("isp2"), "isp1", Mode.AUTO));
        time.advance(Duration.ZERO);
        assertEquals("1110", pinsNow());
        panel.close();
        assertEquals("0000", pinsNow());
    }
}
