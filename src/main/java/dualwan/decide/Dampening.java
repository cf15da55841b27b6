package dualwan.decide;

import dualwan.config.FailbackConfig;
import dualwan.health.HealthSnapshot;
import dualwan.health.UplinkHealth;
import dualwan.model.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Failback dampening: each uplink's failback hold grows while it flaps and shrinks back once it is stable.
 * Pure (time is passed in); the engine owns one and tells it about every switch of the LAN's traffic.
 *
 * <ul>
 *   <li>A <em>flap</em> is a failover away from an uplink less than {@link #FLAP_WINDOW_HOLDS} × its hold
 *       after traffic returned to it. Each flap doubles the uplink's hold, up to {@code failback.max-hold}.</li>
 *   <li>Each {@link #DECAY_HOLDS} × hold of unbroken health (counted from the later of the last change and
 *       the start of its current health) halves it again, down to {@code failback.hold}.</li>
 * </ul>
 * A primary that dies every minute thus fails back once more after 30 s, then needs 60 s, 120 s … of health:
 * switches fall from two per flap to a handful in total, and traffic still returns once it is stable.
 */
public final class Dampening {

    /** A failover this many holds after the failback (or sooner) counts as a flap. */
    public static final int FLAP_WINDOW_HOLDS = 4;
    /** This many holds of unbroken health halve a grown hold. */
    public static final int DECAY_HOLDS = 4;

    /**
     * One uplink's hold as shown in the state.
     *
     * @param hold   the failback hold that applies to it now
     * @param reason why it is that long, in words
     * @param flaps  flaps counted since start
     */
    public record Hold(Duration hold, String reason, int flaps) {
    }

    private final FailbackConfig config;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public Dampening(FailbackConfig config, List<String> wans) {
        this.config = config;
        wans.forEach(w -> entries.put(w, new Entry(config.hold())));
    }

    /** The hold that applies to {@code wan} at {@code now}, decay included. */
    public Duration hold(String wan, HealthSnapshot health, Instant now) {
        return view(wan, health, now).hold();
    }

    /**
     * A restart takes over the hold a previous run had grown (from its state file), within this config's bounds;
     * its decay counts from now, so a restart never shortens a hold.
     */
    public void restore(String wan, Duration hold, Instant now) {
        Entry e = entries.get(wan);
        if (e == null || hold.compareTo(config.hold()) <= 0) {
            return;
        }
        e.hold = hold.compareTo(config.maxHold()) > 0 ? config.maxHold() : hold;
        e.changedAt = now;
        e.reason = "grown before the restart";
    }

    /** Every uplink's hold and why, in config order. */
    public Map<String, Hold> holds(HealthSnapshot health, Instant now) {
        Map<String, Hold> out = new LinkedHashMap<>();
        entries.keySet().forEach(w -> out.put(w, view(w, health, now)));
        return out;
    }

    /**
     * The LAN's traffic moved from {@code from} to {@code to}. Call with the health the move was decided on.
     * Leaving a down uplink soon after a failback to it is a flap; arriving anywhere starts its flap window.
     */
    public void switched(Optional<String> from, Optional<String> to, HealthSnapshot health, Instant now) {
        from.map(entries::get).ifPresent(e -> {
            settle(e, health.uplink(from.get()), now);
            if (health.verdict(from.get()) == Verdict.DOWN && e.returnedAt.isPresent()) {
                Duration after = Duration.between(e.returnedAt.get(), now);
                if (after.compareTo(e.hold.multipliedBy(FLAP_WINDOW_HOLDS)) < 0) {
                    Duration grown = e.hold.multipliedBy(2);
                    e.hold = grown.compareTo(config.maxHold()) > 0 ? config.maxHold() : grown;
                    e.flaps++;
                    e.changedAt = now;
                    e.reason = "failed " + after.toSeconds() + "s after the last failback; doubled"
                            + (e.hold.equals(config.maxHold()) ? " (at failback.max-hold)" : "");
                }
            }
            e.returnedAt = Optional.empty();
        });
        if (from.isPresent()) { // the first choice at start is no return
            to.map(entries::get).ifPresent(e -> {
                settle(e, health.uplink(to.get()), now);
                e.returnedAt = Optional.of(now);
            });
        }
    }

    /** Folds the decay earned so far into the stored hold (done before a change, so none is lost). */
    private void settle(Entry e, Optional<UplinkHealth> u, Instant now) {
        Decayed d = decayed(e, u, now);
        if (d.halvings > 0) {
            e.hold = d.hold;
            e.changedAt = d.from;
            e.reason = d.reason;
        }
    }

    private Hold view(String wan, HealthSnapshot health, Instant now) {
        Entry e = entries.get(wan);
        if (e == null) {
            return new Hold(config.hold(), "failback.hold", 0);
        }
        Decayed d = decayed(e, health.uplink(wan), now);
        return new Hold(d.hold, d.halvings > 0 ? d.reason : e.reason, e.flaps);
    }

    private record Decayed(Duration hold, Instant from, int halvings, String reason) {
    }

    /** The stored hold halved once per {@link #DECAY_HOLDS} holds of health; {@code from} is where that ends. */
    private Decayed decayed(Entry e, Optional<UplinkHealth> u, Instant now) {
        Duration hold = e.hold;
        if (u.isEmpty() || u.get().verdict() != Verdict.UP || hold.compareTo(config.hold()) <= 0) {
            return new Decayed(hold, e.changedAt, 0, e.reason);
        }
        Instant from = u.get().since().isAfter(e.changedAt) ? u.get().since() : e.changedAt;
        int halvings = 0;
        while (hold.compareTo(config.hold()) > 0) {
            Instant next = from.plus(hold.multipliedBy(DECAY_HOLDS));
            if (next.isAfter(now)) {
                break;
            }
            from = next;
            Duration half = hold.dividedBy(2);
            hold = half.compareTo(config.hold()) < 0 ? config.hold() : half;
            halvings++;
        }
        String reason = hold.equals(config.hold()) ? "stable again; back to failback.hold"
                : "stable for " + DECAY_HOLDS + " holds; halved";
        return new Decayed(hold, from, halvings, reason);
    }

    private static final class Entry {
        Duration hold;
        String reason = "failback.hold";
        Instant changedAt = Instant.MIN;
        Optional<Instant> returnedAt = Optional.empty();
        int flaps;

        Entry(Duration hold) {
            this.hold = hold;
        }
    }
}
