package dualwan.config;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The front panel's {@code gpio} section.
 */
final class GpioLoader extends YamlReader {

    private static final List<String> GPIO_KEYS = List.of("provider", "chip", "button", "leds");
    private static final List<String> GPIO_LED_KEYS = List.of("health", "active");
    private static final Pattern GPIOCHIP = Pattern.compile("gpiochip[0-9]{1,3}");

    GpioLoader(YamlReader same) {
        super(same);
    }

    /**
     * The front panel, when the file has a {@code gpio} section; {@code wanNames} are the uplinks in file order,
     * null where a name had an error.
     */
    Optional<GpioConfig> gpio(Section top, List<String> wanNames) {
        Node node = top.value("gpio");
        MappingNode map = node == null ? null : mapping(node, "gpio");
        if (map == null) {
            return Optional.empty();
        }
        int errorsBefore = errors.size();
        Section s = new Section(map, "gpio", GPIO_KEYS);
        Located<GpioConfig.Provider> provider = s.defaulted("provider", GpioConfig.Provider.GPIOD, this::gpioProvider);
        Located<Optional<String>> chip = s.defaulted("chip", Optional.empty(), this::gpioChip);
        List<Located<Long>> pins = new ArrayList<>();
        Located<Long> button = s.defaulted("button", null, this::gpioPin);
        pins.add(button);
        Map<String, GpioConfig.UplinkLeds> leds = new LinkedHashMap<>();
        Node ledsNode = s.value("leds");
        MappingNode ledsMap = ledsNode == null ? null : mapping(ledsNode, s.path("leds"));
        for (NodeTuple t : ledsMap == null ? List.<NodeTuple>of() : ledsMap.getValue()) {
            String wan = text(t.getKeyNode(), s.path("leds"), "an uplink name such as isp1");
            if (wan == null) {
                continue;
            }
            String path = s.path("leds") + "." + wan;
            if (!wanNames.contains(null) && !wanNames.contains(wan)) {
                error(line(t.getKeyNode()), path, "no uplink named " + quote(wan) + "; the uplinks are "
                        + String.join(", ", wanNames));
            }
            MappingNode entry = mapping(t.getValueNode(), path);
            if (entry == null) {
                continue;
            }
            Section ls = new Section(entry, path, GPIO_LED_KEYS);
            Located<Long> health = ls.defaulted("health", null, this::gpioPin);
            Located<Long> active = ls.defaulted("active", null, this::gpioPin);
            if (!health.explicit && !active.explicit) {
                error(line(entry), path, "give the BCM pin of its health LED, its active LED or both, such as"
                        + " {health: 17, active: 27}");
            }
            pins.add(health);
            pins.add(active);
            leds.put(wan, new GpioConfig.UplinkLeds(optionalPin(health), optionalPin(active)));
        }
        if (!button.explicit && leds.isEmpty() && ledsNode == null) {
            error(line(top.entries.get("gpio").getKeyNode()), "gpio", "a front panel needs leds, a button or both;"
                    + " remove the section if there is no panel");
        }
        unique(pins.stream().filter(p -> p.explicit).toList(), "pin", "each GPIO pin drives one LED or reads"
                + " the button");
        if (errors.size() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new GpioConfig(provider.value, chip.value, leds, optionalPin(button)));
    }

    private static OptionalInt optionalPin(Located<Long> pin) {
        return pin.value == null ? OptionalInt.empty() : OptionalInt.of((int) (long) pin.value);
    }

    private Long gpioPin(Node n, String key) {
        return ranged(n, key, 0, GpioConfig.MAX_PIN, "a BCM GPIO number");
    }

    private GpioConfig.Provider gpioProvider(Node n, String key) {
        String text = text(n, key, "gpiod or mock");
        if (text == null) {
            return null;
        }
        for (GpioConfig.Provider p : GpioConfig.Provider.values()) {
            if (p.label().equals(text)) {
                return p;
            }
        }
        error(line(n), key, "unknown provider " + quote(text) + "; use gpiod (a Raspberry Pi's GPIO) or mock"
                + " (no hardware: the panel is only shown in the state file)");
        return null;
    }

    private Optional<String> gpioChip(Node n, String key) {
        String text = text(n, key, "auto or a chip name such as gpiochip0");
        if (text == null) {
            return null;
        }
        if (text.equals("auto")) {
            return Optional.empty();
        }
        if (!GPIOCHIP.matcher(text).matches()) {
            error(line(n), key, "write auto (the chip labelled pinctrl-*) or a chip name such as gpiochip0, found "
                    + quote(text));
            return null;
        }
        return Optional.of(text);
    }
}
