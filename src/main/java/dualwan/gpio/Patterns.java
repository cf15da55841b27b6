package dualwan.gpio;

import dualwan.config.GpioConfig.Led;
import dualwan.decide.Decision;
import dualwan.decide.Mode;
import dualwan.health.HealthSnapshot;
import dualwan.health.TargetHealth;
import dualwan.health.UplinkHealth;
import dualwan.health.Verdict;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** Which pattern each LED shows for a given state: the table in the README, as code. Pure. */
public final class Patterns {

    /** A target losing this share of its recent probes makes an up uplink "degraded". */
    public static final double DEGRADED_LOSS_PCT = 20.0;
    /** Loss counts only once this many of a target's probes are remembered (not one early miss of two). */
    public static final int DEGRADED_MIN_SAMPLES = TargetHealth.WINDOW / 2;

    private Patterns() {
    }

    public static Map<String, LedPattern> of(List<Led> leds, HealthSnapshot health, Decision decision, Mode mode) {
        Map<String, LedPattern> out = new LinkedHashMap<>();
        for (Led led : leds) {
            out.put(led.name(), led.active() ? active(led.wan(), decision, mode)
                    : health(health.uplink(led.wan()).orElse(null)));
        }
        return out;
    }

    /** Health LED: on = up, off = down, blink = up but confirming a miss or degraded, or still being judged. */
    static LedPattern health(UplinkHealth u) {
        Verdict v = u == null ? Verdict.UNKNOWN : u.verdict();
        return switch (v) {
            case DOWN -> LedPattern.OFF;
            case UNKNOWN -> LedPattern.BLINK;
            case UP -> u.confirming() || degraded(u) ? LedPattern.BLINK : LedPattern.ON;
        };
    }

    /** Active LED: on = carries the LAN's traffic; slow blink = forced there by the operator; else off. */
    static LedPattern active(String wan, Decision decision, Mode mode) {
        if (mode.forced().equals(Optional.of(wan))) {
            return LedPattern.SLOW_BLINK;
        }
        return decision.active().equals(Optional.of(wan)) ? LedPattern.ON : LedPattern.OFF;
    }

    /**
     * Up, but not every host answers or the line is lossy: some host is down, or the gateway or some host lost
     * at least {@link #DEGRADED_LOSS_PCT} % of its last {@link TargetHealth#WINDOW} probes (counted once
     * {@link #DEGRADED_MIN_SAMPLES} are in).
     */
    public static boolean degraded(UplinkHealth u) {
        if (!u.up()) {
            return false;
        }
        boolean hostDown = u.hosts().values().stream().anyMatch(h -> h.verdict() == Verdict.DOWN);
        boolean lossy = Stream.concat(u.gatewayHealth().stream(), u.hosts().values().stream())
                .anyMatch(t -> t.samples() >= DEGRADED_MIN_SAMPLES && t.lossPercent() >= DEGRADED_LOSS_PCT);
        return hostDown || lossy;
    }
}
