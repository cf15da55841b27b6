package dualwan.gpio;

import java.util.function.Consumer;

/**
 * The panel's hardware: LEDs by name and one button. {@link Pi4jFrontPanel} is the real one; tests use fakes.
 * Calls may block (a slow GPIO line), so only the panel's own thread makes them.
 */
public interface FrontPanel extends AutoCloseable {

    /** Lights or darkens one LED (a name from {@code GpioConfig.ledList()}). */
    void led(String name, boolean lit);

    /** Whether the button is down now (raw, not debounced); false when there is no button. */
    boolean buttonPressed();

    /**
     * Calls {@code listener} (from any thread) on every raw change of the button: true = down, false = up.
     * Bounces arrive as they are; debouncing is the caller's.
     */
    void onButton(Consumer<Boolean> listener);

    /** Turns every LED off and releases the pins. */
    @Override
    void close();
}
