package dualwan.gpio;

import dualwan.config.GpioConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dualwan selftest} on the mock provider: every LED blinked, the simulated press seen through its bounces. */
class SelfTestTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(GpioConfig config, String... args) {
        return SelfTest.run(config, List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Duration.ofMillis(2), Duration.ofMillis(2));
    }

    @Test
    void onTheMockProviderEveryLedBlinksAndTheSimulatedPressIsSeen() {
        int code = run(Fixtures.panel(GpioConfig.Provider.GPIOD), "--config", "x.yaml", "--provider", "mock",
                "--wait", "5s");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text + err);
        for (String led : List.of("isp1-health", "isp1-active", "isp2-health", "isp2-active")) {
            assertTrue(text.matches("(?s).*LED " + led + " +BCM \\d+: blinked 3 times.*"), text);
        }
        assertTrue(text.contains("button: short press after"), text);
        assertTrue(text.contains("3 bounce(s) ignored"), text);
        assertTrue(text.endsWith("selftest ok\n"), text);
    }

    @Test
    void badOptionsAreRefused() {
        assertEquals(2, run(Fixtures.panel(GpioConfig.Provider.MOCK), "--provider", "pigpio"));
        assertEquals(2, run(Fixtures.panel(GpioConfig.Provider.MOCK), "--wait", "forever"));
        assertEquals(2, run(Fixtures.panel(GpioConfig.Provider.MOCK), "--blink"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--provider must be gpiod or mock"));
    }

    @Test
    void withoutGpioOnThisMachineItSaysWhy() {
        org.junit.jupiter.api.Assumptions.assumeTrue(!java.nio.file.Files.exists(java.nio.file.Path.of("/dev/gpiochip0")));
        assertEquals(1, run(Fixtures.panel(GpioConfig.Provider.GPIOD)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no GPIO chip"), err.toString());
    }
}
