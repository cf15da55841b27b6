package dualwan.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The front panel: LEDs and a button on GPIO pins, by BCM number.
 *
 * @param provider how the pins are reached
 * @param chip     the gpiochip to use (e.g. {@code gpiochip4}), or empty for the one labelled {@code pinctrl-*}
 * @param leds     per uplink (config order), its LEDs' pins
 * @param button   the push button's pin (to ground, internal pull-up), if there is one
 */
public record GpioConfig(Provider provider, Optional<String> chip, Map<String, UplinkLeds> leds, OptionalInt button) {

    /** Highest BCM GPIO number on the 40-pin header of a Raspberry Pi 4 or 5. */
    public static final int MAX_PIN = 27;

    public GpioConfig {
        leds = Collections.unmodifiableMap(new LinkedHashMap<>(leds));
    }

    public enum Provider {
        /** Pi4J's gpiod provider: /dev/gpiochip*, as a user in the {@code gpio} group. */
        GPIOD,
        /** Pi4J's mock provider: no hardware, for the lab demo and tests. */
        MOCK;

        public String label() {
            return name().toLowerCase();
        }
    }

    /** An uplink's LEDs: health (on = up) and active (on = carries the LAN's traffic). At least one is set. */
    public record UplinkLeds(OptionalInt health, OptionalInt active) {
    }

    /** One LED of the panel. {@code name} is {@code <uplink>-health} or {@code <uplink>-active}. */
    public record Led(String name, String wan, boolean active, int pin) {
    }

    /** Every LED, uplink by uplink (health before active): the order of the boot pattern and the self-test. */
    public List<Led> ledList() {
        List<Led> out = new ArrayList<>();
        leds.forEach((wan, l) -> {
            l.health().ifPresent(pin -> out.add(new Led(wan + "-health", wan, false, pin)));
            l.active().ifPresent(pin -> out.add(new Led(wan + "-active", wan, true, pin)));
        });
        return out;
    }
}
