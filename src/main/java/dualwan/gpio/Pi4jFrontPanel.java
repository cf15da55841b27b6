package dualwan.gpio;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import dualwan.config.GpioConfig;
import dualwan.config.GpioConfig.Led;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The panel on real pins through Pi4J: the gpiod provider (/dev/gpiochip*, Raspberry Pi 4 and 5, as a user in
 * the {@code gpio} group) or Pi4J's mock provider. LEDs are active-high (pin → resistor → LED → ground); the
 * button pulls its pin to ground against the internal pull-up, so down = low. The only class that touches Pi4J.
 */
public final class Pi4jFrontPanel implements FrontPanel {

    /** The panel cannot run here (no GPIO chip, no access, Pi4J failed); the daemon goes on without it. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    private final Context pi4j;
    private final Map<String, DigitalOutput> leds;
    private final Optional<DigitalInput> button;

    private Pi4jFrontPanel(Context pi4j, Map<String, DigitalOutput> leds, Optional<DigitalInput> button) {
        this.pi4j = pi4j;
        this.leds = leds;
        this.button = button;
    }

    /** Opens every pin of {@code config}, all LEDs off. */
    public static Pi4jFrontPanel open(GpioConfig config) throws Unavailable {
        return open(config, Path.of("/dev"));
    }

    static Pi4jFrontPanel open(GpioConfig config, Path dev) throws Unavailable {
        boolean mock = config.provider() == GpioConfig.Provider.MOCK;
        if (!mock) {
            checkChips(dev, config.chip());
        }
        Context context = null;
        try {
            var builder = Pi4J.newContextBuilder();
            if (mock) {
                builder.add(new MockPlatform()).add(MockDigitalInputProvider.newInstance(),
                        MockDigitalOutputProvider.newInstance());
            } else {
                builder.add(GpioDDigitalInputProvider.newInstance(), GpioDDigitalOutputProvider.newInstance());
                config.chip().ifPresent(chip -> builder.property("gpio.chip.name", chip));
            }
            context = builder.build();
            String outputs = mock ? MockDigitalOutputProvider.ID : GpioDDigitalOutputProvider.ID;
            String inputs = mock ? MockDigitalInputProvider.ID : GpioDDigitalInputProvider.ID;
            Map<String, DigitalOutput> leds = new LinkedHashMap<>();
            for (Led led : config.ledList()) {
                leds.put(led.name(), context.create(DigitalOutput.newConfigBuilder(context)
                        .id("led-" + led.name()).name(led.name()).address(led.pin()).provider(outputs)
                        .initial(DigitalState.LOW).shutdown(DigitalState.LOW).build()));
            }
            Optional<DigitalInput> button = Optional.empty();
            if (config.button().isPresent()) {
                DigitalInput in = context.create(DigitalInput.newConfigBuilder(context)
                        .id("button").name("button").address(config.button().getAsInt()).provider(inputs)
                        .pull(PullResistance.PULL_UP).debounce(0L).build()); // debounced by Button, testably
                if (in instanceof MockDigitalInput m) {
                    m.mockState(DigitalState.HIGH); // a mock pin starts low; the pull-up holds a real one high
                }
                button = Optional.of(in);
            }
            return new Pi4jFrontPanel(context, leds, button);
        } catch (RuntimeException | LinkageError e) {
            if (context != null) {
                shutdown(context);
            }
            throw new Unavailable("Pi4J's " + config.provider().label() + " provider failed: " + describe(e));
        }
    }

    @Override
    public void led(String name, boolean lit) {
        DigitalOutput out = leds.get(name);
        if (out == null) {
            throw new IllegalArgumentException("no LED named " + name);
        }
        out.state(lit ? DigitalState.HIGH : DigitalState.LOW);
    }

    /** Whether an LED's pin is driven high, as Pi4J reports it (the self-test reads it back). */
    public boolean lit(String name) {
        return leds.get(name).state() == DigitalState.HIGH;
    }

    @Override
    public boolean buttonPressed() {
        return button.map(b -> b.state() == DigitalState.LOW).orElse(false);
    }

    @Override
    public void onButton(Consumer<Boolean> listener) {
        button.ifPresent(b -> b.addListener(e -> listener.accept(e.state() == DigitalState.LOW)));
    }

    /** The button as Pi4J's mock provider has it (tests and the mock self-test press it), if mocked. */
    public Optional<MockDigitalInput> mockButton() {
        return button.filter(MockDigitalInput.class::isInstance).map(MockDigitalInput.class::cast);
    }

    @Override
    public void close() {
        for (DigitalOutput out : leds.values()) {
            try {
                out.state(DigitalState.LOW);
            } catch (RuntimeException e) {
                Logger.warn("panel: cannot turn {} off: {}", out.name(), e.getMessage());
            }
        }
        shutdown(pi4j);
    }

    private static void shutdown(Context context) {
        try {
            context.shutdown();
        } catch (RuntimeException e) {
            Logger.warn("panel: Pi4J shutdown: {}", e.getMessage());
        }
    }

    /** Fails early, with advice, where Pi4J's own errors would be obscure. */
    private static void checkChips(Path dev, Optional<String> chip) throws Unavailable {
        List<Path> chips;
        try (Stream<Path> s = Files.list(dev)) {
            chips = s.filter(p -> p.getFileName().toString().matches("gpiochip[0-9]+")).sorted().toList();
        } catch (IOException e) {
            chips = List.of();
        }
        if (chips.isEmpty()) {
            throw new Unavailable("no GPIO chip on this machine (" + dev.resolve("gpiochip*") + " is missing): not a"
                    + " Raspberry Pi?");
        }
        List<Path> used = chip.map(c -> List.of(dev.resolve(c))).orElse(chips);
        for (Path c : used) {
            if (!Files.exists(c)) {
                throw new Unavailable(c + " does not exist; this machine has " + chips.stream()
                        .map(p -> p.getFileName().toString()).toList() + " (gpio.chip)");
            }
            if (!Files.isReadable(c) || !Files.isWritable(c)) {
                throw new Unavailable(c + " is not readable and writable by user " + System.getProperty("user.name")
                        + ": add the user to the gpio group");
            }
        }
    }

    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 300; t = t.getCause()) {
            b.append(b.isEmpty() ? "" : ": ").append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return b.toString();
    }
}
