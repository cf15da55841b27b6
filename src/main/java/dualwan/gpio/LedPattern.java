package dualwan.gpio;

import java.time.Duration;
import java.util.Optional;

/**
 * What one LED shows. Blinking is measured from one epoch (the panel's start), so LEDs that blink at the same
 * rate blink in step.
 */
public enum LedPattern {
    OFF(null),
    ON(null),
    /** 200 ms on, 200 ms off: a miss is being confirmed, or the uplink is degraded or still being judged. */
    BLINK(Duration.ofMillis(200)),
    /** 1 s on, 1 s off: the operator forced traffic onto this uplink. */
    SLOW_BLINK(Duration.ofSeconds(1));

    private final Duration half;

    LedPattern(Duration half) {
        this.half = half;
    }

    /** Whether the LED is lit {@code sinceEpoch} after the epoch. */
    public boolean lit(Duration sinceEpoch) {
        return half == null ? this == ON : (sinceEpoch.toMillis() / half.toMillis()) % 2 == 0;
    }

    /** When (after the epoch) the LED next changes, or empty for a steady one. */
    public Optional<Duration> nextToggle(Duration sinceEpoch) {
        if (half == null) {
            return Optional.empty();
        }
        long h = half.toMillis();
        return Optional.of(Duration.ofMillis((sinceEpoch.toMillis() / h + 1) * h));
    }

    /** As in the state file: {@code on}, {@code off} or {@code blink} (the LED's role tells which blink). */
    public String label() {
        return switch (this) {
            case OFF -> "off";
            case ON -> "on";
            case BLINK, SLOW_BLINK -> "blink";
        };
    }
}
