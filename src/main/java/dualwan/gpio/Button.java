package dualwan.gpio;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Debouncing and press detection for one push button, from raw level changes and the time. Pure and not
 * thread-safe: the panel's thread feeds it, tests feed it a timeline.
 *
 * <p>A level counts once it has held for {@link #DEBOUNCE}; anything shorter is a bounce and ignored. A press
 * held for {@link #LONG_PRESS} is a long press, reported at once while the button is still down; a shorter
 * one is a short press, reported when the button is released. A button already down at start is ignored
 * until it has been released.
 */
public final class Button {

    public static final Duration DEBOUNCE = Duration.ofMillis(30);
    public static final Duration LONG_PRESS = Duration.ofSeconds(2);

    public enum Gesture {
        SHORT, LONG;

        public String label() {
            return name().toLowerCase();
        }
    }

    /** A recognised press: what, and when it was recognised (release for short, 2 s down for long). */
    public record Press(Gesture gesture, Instant at) {
    }

    private boolean raw;
    private Instant rawSince;
    private boolean stable;
    private Instant pressedAt;
    /** The current press has been reported (or must never be: it was down at start). */
    private boolean reported;
    private int bounces;

    public Button(boolean pressedAtStart, Instant now) {
        raw = pressedAtStart;
        stable = pressedAtStart;
        rawSince = now;
        pressedAt = now;
        reported = true;
    }

    /** The raw level changed at {@code at} (edges may repeat a level; times must not go back). */
    public Optional<Press> level(boolean pressed, Instant at) {
        Optional<Press> settled = advance(at);
        if (pressed != raw) {
            if (raw != stable) {
                bounces++; // the previous level did not hold long enough to count
            }
            raw = pressed;
            rawSince = at;
        }
        return settled;
    }

    /** Lets time pass; returns a press recognised by {@code now}. */
    public Optional<Press> advance(Instant now) {
        if (raw != stable && !now.isBefore(rawSince.plus(DEBOUNCE))) {
            stable = raw;
            if (stable) {
                pressedAt = rawSince;
                reported = false;
            } else if (!reported) {
                reported = true;
                boolean held = !rawSince.isBefore(pressedAt.plus(LONG_PRESS));
                return Optional.of(new Press(held ? Gesture.LONG : Gesture.SHORT, rawSince));
            }
        }
        Instant longAt = pressedAt.plus(LONG_PRESS);
        boolean releasing = !raw && rawSince.isBefore(longAt); // let it settle: short if it holds, long if a bounce
        if (stable && !reported && !releasing && !now.isBefore(longAt)) {
            reported = true;
            return Optional.of(new Press(Gesture.LONG, longAt));
        }
        return Optional.empty();
    }

    /** When {@link #advance} may next recognise something without a new edge, or empty. */
    public Optional<Instant> nextDeadline() {
        if (raw != stable) {
            return Optional.of(rawSince.plus(DEBOUNCE));
        }
        return stable && !reported ? Optional.of(pressedAt.plus(LONG_PRESS)) : Optional.empty();
    }

    /** Level changes ignored so far because they did not hold for {@link #DEBOUNCE}. */
    public int bounces() {
        return bounces;
    }
}
