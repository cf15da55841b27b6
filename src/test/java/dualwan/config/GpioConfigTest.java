package dualwan.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The {@code gpio} section: values, defaults, the board files, and every error with its line. */
class GpioConfigTest {

    private static final Path FILE = Path.of("/etc/dualwan/test.yaml");
    private static final String WANS = """
            wans:
              - name: isp1
                interface: wan1
              - name: isp2
                interface: wan2
            """; // lines 1-5

    private static Config parse(String gpio) throws ConfigException {
        return ConfigLoader.parse(FILE, WANS + gpio);
    }

    private static ConfigError single(String gpio, int line, String key, String words) {
        return ConfigErrors.single(FILE, WANS + gpio, line, key, words);
    }

    @Test
    void aFullSectionGivesExactValues() throws Exception {
        GpioConfig g = parse("""
                gpio:
                  provider: mock
                  chip: gpiochip4
                  button: 24
                  leds:
                    isp2: {health: 22}
                    isp1: {health: 17, active: 27}
                """).gpio().orElseThrow();
        assertEquals(GpioConfig.Provider.MOCK, g.provider());
        assertEquals(Optional.of("gpiochip4"), g.chip());
        assertEquals(OptionalInt.of(24), g.button());
        assertEquals(List.of(new GpioConfig.Led("isp2-health", "isp2", false, 22),
                new GpioConfig.Led("isp1-health", "isp1", false, 17),
                new GpioConfig.Led("isp1-active", "isp1", true, 27)), g.ledList());
    }

    @Test
    void defaultsAreGpiodOnTheAutoChipAndNoSectionMeansNoPanel() throws Exception {
        GpioConfig g = parse("gpio:\n  button: 0\n").gpio().orElseThrow();
        assertEquals(GpioConfig.Provider.GPIOD, g.provider());
        assertEquals(Optional.empty(), g.chip());
        assertEquals(List.of(), g.ledList());
        assertEquals(Optional.empty(), parse("").gpio());
    }

    @Test
    void theBoardFilesAreValidSectionsForTheExampleConfig() throws Exception {
        Path root = Path.of(System.getProperty("dualwan.root", "."));
        String example = Files.readString(root.resolve("board/dualwan.example.yaml"));
        for (String board : List.of("gpio-pi4.yaml", "gpio-pi5.yaml")) {
            String text = example + "\n" + Files.readString(root.resolve("board").resolve(board));
            GpioConfig g = ConfigLoader.parse(Path.of(board), text).gpio().orElseThrow();
            assertEquals(4, g.ledList().size(), board);
            assertEquals(OptionalInt.of(24), g.button(), board);
        }
    }

    @Test
    void aPinOutOfRange() {
        single("""
                gpio:
                  leds:
                    isp1: {health: 28}
                """, 8, "gpio.leds.isp1.health", "a BCM GPIO number must be between 0 and 27, found 28");
        single("gpio:\n  button: -1\n", 7, "gpio.button", "between 0 and 27");
        single("gpio:\n  button: \"17\"\n", 7, "gpio.button", "a whole number");
    }

    @Test
    void aPinUsedTwice() {
        ConfigError e = single("""
                gpio:
                  button: 17
                  leds:
                    isp1: {health: 17}
                """, 9, "gpio.leds.isp1.health", "duplicate pin: 17 is already used by gpio.button at line 7");
        assertEquals("/etc/dualwan/test.yaml:9: gpio.leds.isp1.health: " + e.message(), e.toString());
        single("""
                gpio:
                  leds:
                    isp1: {health: 17, active: 27}
                    isp2:
                      health: 22
                      active: 27
                """, 11, "gpio.leds.isp2.active", "already used by gpio.leds.isp1.active at line 8");
    }

    @Test
    void anUnknownProviderOrChip() {
        single("gpio:\n  provider: pigpio\n  button: 4\n", 7, "gpio.provider",
                "unknown provider 'pigpio'; use gpiod");
        single("gpio:\n  chip: /dev/gpiochip0\n  button: 4\n", 7, "gpio.chip", "a chip name such as gpiochip0");
    }

    @Test
    void anUnknownUplinkInTheLedMapping() {
        single("""
                gpio:
                  leds:
                    isp1: {health: 17}
                    isp3: {health: 22}
                """, 9, "gpio.leds.isp3", "no uplink named 'isp3'; the uplinks are isp1, isp2");
    }

    @Test
    void unknownKeysAndEmptyEntries() {
        single("gpio:\n  button: 4\n  buzzer: 5\n", 8, "gpio.buzzer", "allowed keys here: provider, chip, button, leds");
        single("""
                gpio:
                  leds:
                    isp1: {health: 17, colour: red}
                """, 8, "gpio.leds.isp1.colour", "allowed keys here: health, active");
        single("""
                gpio:
                  leds:
                    isp1: {}
                """, 8, "gpio.leds.isp1", "its health LED, its active LED or both");
        single("gpio:\n  provider: mock\n", 6, "gpio", "a front panel needs leds, a button or both");
    }
}
