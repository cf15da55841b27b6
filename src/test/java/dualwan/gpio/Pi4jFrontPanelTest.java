package dualwan.gpio;

import com.pi4j.io.gpio.digital.DigitalState;
import dualwan.config.GpioConfig;
import dualwan.config.GpioConfig.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The thin Pi4J adapter: pins on the mock provider, and the ways gpiod can be unavailable off a Pi. */
class Pi4jFrontPanelTest {

    @Test
    void ledsDriveTheirPinsAndTheButtonReportsRawEdgesActiveLow() throws Exception {
        try (Pi4jFrontPanel panel = Pi4jFrontPanel.open(Fixtures.panel(Provider.MOCK))) {
            assertFalse(panel.lit("isp1-health"), "LEDs start off");
            panel.led("isp1-health", true);
            assertTrue(panel.lit("isp1-health"));
            assertFalse(panel.lit("isp2-health"));
            panel.led("isp1-health", false);
            assertFalse(panel.lit("isp1-health"));
            assertThrows(IllegalArgumentException.class, () -> panel.led("isp3-health", true));

            List<Boolean> edges = new ArrayList<>();
            panel.onButton(edges::add);
            assertFalse(panel.buttonPressed(), "the pull-up holds an idle button high");
            panel.mockButton().orElseThrow().mockState(DigitalState.LOW);
            assertTrue(panel.buttonPressed());
            panel.mockButton().orElseThrow().mockState(DigitalState.HIGH);
            assertEquals(List.of(true, false), edges);
        }
    }

    @Test
    void withoutAnyGpioChipTheGpiodProviderIsUnavailable(@TempDir Path dev) {
        var e = assertThrows(Pi4jFrontPanel.Unavailable.class,
                () -> Pi4jFrontPanel.open(Fixtures.panel(Provider.GPIOD), dev));
        assertTrue(e.getMessage().contains("no GPIO chip"), e.getMessage());
    }

    @Test
    void aNamedChipThatIsMissingIsUnavailable(@TempDir Path dev) throws Exception {
        Files.createFile(dev.resolve("gpiochip0"));
        GpioConfig p = Fixtures.panel(Provider.GPIOD);
        GpioConfig chip4 = new GpioConfig(Provider.GPIOD, Optional.of("gpiochip4"), p.leds(), p.button());
        var e = assertThrows(Pi4jFrontPanel.Unavailable.class, () -> Pi4jFrontPanel.open(chip4, dev));
        assertTrue(e.getMessage().contains("gpiochip4 does not exist") && e.getMessage().contains("[gpiochip0]"),
                e.getMessage());
    }

    @Test
    void whenPi4jCannotDriveTheChipItIsUnavailableNotACrash(@TempDir Path dev) throws Exception {
        assumeTrue(!isRaspberryPi(), "on a Pi the chip would open");
        Files.createFile(dev.resolve("gpiochip0")); // a chip file, but no Pi behind it
        var e = assertThrows(Pi4jFrontPanel.Unavailable.class,
                () -> Pi4jFrontPanel.open(Fixtures.panel(Provider.GPIOD), dev));
        assertTrue(e.getMessage().startsWith("Pi4J's gpiod provider failed"), e.getMessage());
    }

    @Test
    void offAPiTheDaemonGetsNoPanelAndGoesOn() throws Exception {
        assumeTrue(!isRaspberryPi() && noGpioChips(), "this machine has GPIO");
        Optional<Panel> panel = Panel.open(Fixtures.panel(Provider.GPIOD), List.of("isp1", "isp2"),
                m -> { throw new AssertionError("no mode change expected"); }, (k, v) -> { });
        assertEquals(Optional.empty(), panel);
    }

    private static boolean isRaspberryPi() {
        try {
            return Files.readString(Path.of("/proc/device-tree/model")).contains("Raspberry Pi");
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean noGpioChips() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/dev"))) {
            return s.noneMatch(p -> p.getFileName().toString().startsWith("gpiochip"));
        }
    }
}
