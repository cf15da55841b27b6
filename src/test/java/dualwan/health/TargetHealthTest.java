package dualwan.health;

import dualwan.model.Verdict;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TargetHealthTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration RTT = Duration.ofMillis(20);

    private static TargetHealth apply(TargetHealth h, String results) {
        for (char c : results.toCharArray()) {
            h = h.record(c == '+', RTT, T, 3, 2);
        }
        return h;
    }

    @Test
    void unknownTargetIsUpOnFirstReply() {
        assertEquals(Verdict.UP, apply(TargetHealth.unknown(T), "+").verdict());
    }

    @Test
    void unknownTargetIsDownAfterDownAfterMisses() {
        assertEquals(Verdict.UNKNOWN, apply(TargetHealth.unknown(T), "--").verdict());
        assertEquals(Verdict.DOWN, apply(TargetHealth.unknown(T), "---").verdict());
    }

    @Test
    void upTargetGoesDownOnlyAfterConsecutiveMisses() {
        assertEquals(Verdict.UP, apply(TargetHealth.unknown(T), "+--+--+--").verdict());
        assertEquals(Verdict.DOWN, apply(TargetHealth.unknown(T), "+--+---").verdict());
    }

    @Test
    void downTargetNeedsUpAfterConsecutiveReplies() {
        assertEquals(Verdict.DOWN, apply(TargetHealth.unknown(T), "+---+-+").verdict());
        assertEquals(Verdict.UP, apply(TargetHealth.unknown(T), "+---++").verdict());
    }

    @Test
    void lossIsMeasuredOverTheWindow() {
        TargetHealth h = apply(TargetHealth.unknown(T), "+-+-");
        assertEquals(50.0, h.lossPercent(), 1e-9);
        h = apply(h, "+".repeat(TargetHealth.WINDOW));
        assertEquals(0.0, h.lossPercent(), 1e-9);
    }

    @Test
    void rttIsSmoothedOverReplies() {
        TargetHealth h = TargetHealth.unknown(T).record(true, Duration.ofMillis(40), T, 3, 2);
        assertEquals(40_000, h.rttMicros());
        h = h.record(true, Duration.ofMillis(0), T, 3, 2);
        assertEquals(30_000, h.rttMicros());
        assertEquals(30_000, h.record(false, Duration.ofMillis(500), T, 3, 2).rttMicros(), "misses do not count");
    }
}
