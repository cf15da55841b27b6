package dualwan.health;

import dualwan.model.Verdict;

import java.time.Duration;
import java.time.Instant;

/**
 * Per-target hysteresis, immutable. A target becomes DOWN after {@code downAfter} consecutive misses and UP
 * again after {@code upAfter} consecutive replies; a target never judged before is UP on its first reply.
 * RTT and loss are kept over the last {@link #WINDOW} results for reporting; they do not drive the verdict.
 *
 * @param verdict   current belief
 * @param misses    consecutive misses so far
 * @param replies   consecutive replies so far
 * @param history   the last results, newest in bit 0 (1 = miss)
 * @param samples   how many bits of {@code history} are real (≤ WINDOW)
 * @param rttMicros smoothed round-trip time of replies, or -1 before the first reply
 * @param changedAt when the verdict last changed
 */
public record TargetHealth(Verdict verdict, int misses, int replies, long history, int samples, long rttMicros,
                           Instant changedAt) {

    /** Results remembered for the loss figure. */
    public static final int WINDOW = 20;

    public static TargetHealth unknown(Instant at) {
        return new TargetHealth(Verdict.UNKNOWN, 0, 0, 0, 0, -1, at);
    }

    /** The state after one more probe result. */
    public TargetHealth record(boolean reachable, Duration rtt, Instant at, int downAfter, int upAfter) {
        long newHistory = ((history << 1) | (reachable ? 0 : 1)) & ((1L << WINDOW) - 1);
        int newSamples = Math.min(WINDOW, samples + 1);
        if (!reachable) {
            int m = misses + 1;
            Verdict v = m >= downAfter ? Verdict.DOWN : verdict;
            return new TargetHealth(v, m, 0, newHistory, newSamples, rttMicros, v != verdict ? at : changedAt);
        }
        int r = replies + 1;
        long sample = Math.max(1, rtt.toNanos() / 1000);
        long smoothed = rttMicros < 0 ? sample : (rttMicros * 3 + sample) / 4; // EWMA, alpha 1/4
        Verdict v = switch (verdict) {
            case UNKNOWN -> Verdict.UP;
            case DOWN -> r >= upAfter ? Verdict.UP : Verdict.DOWN;
            case UP -> Verdict.UP;
        };
        return new TargetHealth(v, 0, r, newHistory, newSamples, smoothed, v != verdict ? at : changedAt);
    }

    /**
     * The last miss was not final after all (its probe may still get a late reply): one fewer in the run. A
     * verdict it already caused stands; the loss figure keeps it until a late reply replaces it.
     */
    public TargetHealth withdrawMiss() {
        return misses == 0 || verdict == Verdict.DOWN ? this
                : new TargetHealth(verdict, misses - 1, replies, history, samples, rttMicros, changedAt);
    }

    /** Loss over the remembered window, 0–100. */
    public double lossPercent() {
        return samples == 0 ? 0 : 100.0 * Long.bitCount(history) / samples;
    }

    /** A miss is pending confirmation: the target is still UP but its last result was a miss. */
    public boolean doubtful() {
        return verdict == Verdict.UP && misses > 0;
    }
}
