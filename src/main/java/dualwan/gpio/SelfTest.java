package dualwan.gpio;

import com.pi4j.io.gpio.digital.DigitalState;
import dualwan.config.Durations;
import dualwan.config.GpioConfig;
import dualwan.config.GpioConfig.Led;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code dualwan selftest}: blinks each LED in turn, waits (bounded) for a button press and reports. With the
 * mock provider it presses the button itself, bounces included, so the whole path runs on any machine.
 * Stop the daemon first: a pin has one owner at a time.
 */
public final class SelfTest {

    static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    static final Duration MAX_WAIT = Duration.ofMinutes(5);
    static final Duration LED_ON = Duration.ofMillis(300);
    static final Duration LED_OFF = Duration.ofMillis(200);
    static final int BLINKS = 3;

    private record Edge(boolean pressed, Instant at) {
    }

    private SelfTest() {
    }

    /** Options after {@code --config FILE}: {@code [--provider gpiod|mock] [--wait DURATION]}. Exit code 0/1/2. */
    public static int run(GpioConfig config, List<String> args, PrintStream out, PrintStream err) {
        return run(config, args, out, err, LED_ON, LED_OFF);
    }

    static int run(GpioConfig config, List<String> args, PrintStream out, PrintStream err, Duration ledOn,
                   Duration ledOff) {
        GpioConfig.Provider provider = config.provider();
        Duration wait = DEFAULT_WAIT;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config")) {
                i++;
                continue;
            }
            if (i + 1 >= args.size() || !(a.equals("--provider") || a.equals("--wait"))) {
                err.println("selftest: unknown option " + a + "; use --provider gpiod|mock and --wait DURATION");
                return 2;
            }
            String v = args.get(++i);
            if (a.equals("--provider")) {
                Optional<GpioConfig.Provider> p = List.of(GpioConfig.Provider.values()).stream()
                        .filter(x -> x.label().equals(v)).findFirst();
                if (p.isEmpty()) {
                    err.println("selftest: --provider must be gpiod or mock, found " + v);
                    return 2;
                }
                provider = p.get();
            } else {
                try {
                    wait = Durations.parse(v);
                } catch (IllegalArgumentException e) {
                    err.println("selftest: --wait: " + e.getMessage());
                    return 2;
                }
                if (wait.isZero() || wait.compareTo(MAX_WAIT) > 0) {
                    err.println("selftest: --wait must be more than 0 and at most " + Durations.format(MAX_WAIT));
                    return 2;
                }
            }
        }
        GpioConfig cfg = new GpioConfig(provider, config.chip(), config.leds(), config.button());
        out.printf("front panel self-test: %d LEDs, %s, Pi4J provider %s%n", cfg.ledList().size(),
                cfg.button().isPresent() ? "button on BCM " + cfg.button().getAsInt() : "no button", provider.label());
        Pi4jFrontPanel panel;
        try {
            panel = Pi4jFrontPanel.open(cfg);
        } catch (Pi4jFrontPanel.Unavailable e) {
            err.println("selftest: " + e.getMessage());
            return 1;
        }
        List<String> problems = new ArrayList<>();
        try (panel) {
            for (Led led : cfg.ledList()) {
                out.printf("LED %-20s BCM %2d: ", led.name(), led.pin());
                out.flush();
                boolean followed = true;
                for (int i = 0; i < BLINKS; i++) {
                    panel.led(led.name(), true);
                    followed &= panel.lit(led.name());
                    sleep(ledOn);
                    panel.led(led.name(), false);
                    followed &= !panel.lit(led.name());
                    sleep(ledOff);
                }
                if (followed) {
                    out.println("blinked " + BLINKS + " times" + (provider == GpioConfig.Provider.MOCK
                            ? " (mock pin)" : " (check that it lit)"));
                } else {
                    out.println("FAILED: the pin did not follow");
                    problems.add("LED " + led.name() + " (BCM " + led.pin() + ") did not follow");
                }
            }
            if (cfg.button().isPresent()) {
                waitForPress(panel, wait, out).ifPresent(problems::add);
            }
        } catch (RuntimeException e) {
            problems.add("GPIO error: " + e.getMessage());
        }
        if (problems.isEmpty()) {
            out.println("selftest ok");
            return 0;
        }
        out.println("selftest FAILED: " + String.join("; ", problems));
        return 1;
    }

    /** Returns a problem, or empty when a press was seen. */
    private static Optional<String> waitForPress(Pi4jFrontPanel panel, Duration wait, PrintStream out) {
        BlockingQueue<Edge> edges = new LinkedBlockingQueue<>();
        panel.onButton(pressed -> edges.add(new Edge(pressed, Instant.now())));
        boolean downAtStart = panel.buttonPressed();
        Button button = new Button(downAtStart, Instant.now());
        if (downAtStart) {
            out.println("the button reads as pressed already (held, stuck, or its pin shorted to ground?);"
                    + " release it first");
        }
        out.println("press the button within " + Durations.format(wait) + " ...");
        out.flush();
        Thread presser = panel.mockButton().map(b -> Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(500);
                for (int i = 0; i < 3; i++) { // contact bounce: 3 ms down, 4 ms up
                    b.mockState(DigitalState.LOW);
                    Thread.sleep(3);
                    b.mockState(DigitalState.HIGH);
                    Thread.sleep(4);
                }
                b.mockState(DigitalState.LOW);
                Thread.sleep(250);
                b.mockState(DigitalState.HIGH);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })).orElse(null);
        if (presser != null) {
            out.println("(mock provider: pressing it for you, with contact bounce)");
        }
        Instant start = Instant.now();
        Instant deadline = start.plus(wait);
        Optional<Button.Press> press = Optional.empty();
        try {
            while (press.isEmpty() && Instant.now().isBefore(deadline)) {
                Edge e = edges.poll(10, TimeUnit.MILLISECONDS);
                press = e != null ? button.level(e.pressed(), e.at()) : button.advance(Instant.now());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (presser != null) {
                presser.interrupt();
            }
        }
        if (press.isEmpty()) {
            out.println("button: no press within " + Durations.format(wait));
            return Optional.of("no button press seen");
        }
        out.printf("button: %s press after %.1f s, %d bounce(s) ignored%n", press.get().gesture().label(),
                Duration.between(start, press.get().at()).toMillis() / 1000.0, button.bounces());
        return Optional.empty();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
