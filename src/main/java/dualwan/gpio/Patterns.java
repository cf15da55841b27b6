package dualwan.gpio;

import dualwan.config.GpioConfig.Led;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.Verdict;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which pattern each LED shows for a given state: the table in the README, as code. Pure. */
public final class Patterns {

    private Patterns() {
    }

    public static Map<String, LedPattern> of(List<Led> leds, DaemonState state) {
        Map<String, LedPattern> out = new LinkedHashMap<>();
        for (Led led : leds) {
            out.put(led.name(), led.active() ? active(led.wan(), state.active(), state.mode())
                    : health(state.wan(led.wan()).orElse(null)));
        }
        return out;
    }

    /** Health LED: on = up, off = down, blink = up but confirming a miss or degraded, or still being judged. */
    static LedPattern health(DaemonState.Uplink u) {
        Verdict v = u == null ? Verdict.UNKNOWN : u.state();
        return switch (v) {
            case DOWN -> LedPattern.OFF;
            case UNKNOWN -> LedPattern.BLINK;
            case UP -> u.confirming() || u.degraded() ? LedPattern.BLINK : LedPattern.ON;
        };
    }

    /** Active LED: on = carries the LAN's traffic; slow blink = forced there by the operator; else off. */
    static LedPattern active(String wan, Optional<String> active, Mode mode) {
        if (mode.forced().equals(Optional.of(wan))) {
            return LedPattern.SLOW_BLINK;
        }
        return active.equals(Optional.of(wan)) ? LedPattern.ON : LedPattern.OFF;
    }
}
