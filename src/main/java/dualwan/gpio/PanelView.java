package dualwan.gpio;

import dualwan.config.GpioConfig.Led;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the LEDs show over time: first the boot pattern (each LED alone in turn, then all together), then the
 * patterns of the latest state. Pure and not thread-safe; time is passed in.
 */
public final class PanelView {

    /** Each LED is lit alone this long at start, in panel order. */
    public static final Duration BOOT_STEP = Duration.ofMillis(150);
    /** Then all are lit together this long. */
    public static final Duration BOOT_ALL = Duration.ofMillis(400);

    private final List<Led> leds;
    private final Instant epoch;
    private final Instant bootEnd;
    private final Map<String, LedPattern> patterns = new LinkedHashMap<>();

    public PanelView(List<Led> leds, Instant start) {
        this.leds = List.copyOf(leds);
        this.epoch = start;
        this.bootEnd = start.plus(BOOT_STEP.multipliedBy(leds.size())).plus(BOOT_ALL);
        leds.forEach(l -> patterns.put(l.name(), l.active() ? LedPattern.OFF : LedPattern.BLINK)); // nothing known yet
    }

    /** The patterns of a new state (LEDs not named keep theirs). */
    public void show(Map<String, LedPattern> next) {
        next.forEach((name, p) -> patterns.replace(name, p));
    }

    public boolean booting(Instant now) {
        return now.isBefore(bootEnd);
    }

    /** Each LED's pattern as shown now; during the boot pattern every LED counts as blinking. */
    public Map<String, LedPattern> patterns(Instant now) {
        Map<String, LedPattern> out = new LinkedHashMap<>(patterns);
        if (booting(now)) {
            out.replaceAll((name, p) -> LedPattern.BLINK);
        }
        return out;
    }

    /** Whether each LED is lit now. */
    public Map<String, Boolean> levels(Instant now) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        Duration since = Duration.between(epoch, now);
        if (booting(now)) {
            long step = since.toMillis() / BOOT_STEP.toMillis();
            for (int i = 0; i < leds.size(); i++) {
                out.put(leds.get(i).name(), step >= leds.size() || step == i);
            }
            return out;
        }
        patterns.forEach((name, p) -> out.put(name, p.lit(since)));
        return out;
    }

    /** When {@link #levels} next changes, or {@link Instant#MAX} when every LED is steady. */
    public Instant nextChange(Instant now) {
        Duration since = Duration.between(epoch, now);
        if (booting(now)) {
            long step = since.toMillis() / BOOT_STEP.toMillis();
            Instant next = step >= leds.size() ? bootEnd : epoch.plus(BOOT_STEP.multipliedBy(step + 1));
            return next.isAfter(bootEnd) ? bootEnd : next;
        }
        Instant next = Instant.MAX;
        for (LedPattern p : patterns.values()) {
            Instant t = p.nextToggle(since).map(epoch::plus).orElse(Instant.MAX);
            next = t.isBefore(next) ? t : next;
        }
        return next;
    }
}
