package dualwan.web;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chart's history: steps, aggregation, the one-hour bound and a wall clock stepped back. */
class HistoryTest {

    private final History history = new History();

    @Test
    void aStepHoldsTheMeanRttAndTheWorstLoss() {
        Instant t = States.T0;
        assertEquals(Optional.empty(), history.add(States.healthy("isp1", t)));
        assertEquals(Optional.empty(), history.add(States.failedOver(t.plusSeconds(4))));
        History.Point p = history.add(States.healthy("isp1", t.plusSeconds(10))).orElseThrow();
        assertEquals(t.toEpochMilli(), p.at());
        assertEquals(Optional.of(12.6), p.wans().get("isp1").rttMs(), "the down state had no RTT");
        assertEquals(Optional.of(100.0), p.wans().get("isp1").lossPct(), "the worst loss in the step");
        assertEquals(Optional.of(24.6), p.wans().get("isp2").rttMs());
        assertEquals(1, history.points().size());
    }

    @Test
    void onlyTheLastHourIsKept() {
        Instant t = States.T0;
        for (int i = 0; i <= 2 * History.MAX_POINTS; i++) {
            history.add(States.healthy("isp1", t.plus(History.STEP.multipliedBy(i))));
        }
        assertEquals(History.MAX_POINTS, history.points().size());
        long newest = history.points().getLast().at();
        assertTrue(newest - history.points().getFirst().at() < Duration.ofHours(1).toMillis());
    }

    @Test
    void aClockSteppedBackStartsAfresh() {
        Instant t = States.T0;
        for (int i = 0; i < 5; i++) {
            history.add(States.healthy("isp1", t.plus(History.STEP.multipliedBy(i))));
        }
        assertEquals(4, history.points().size());
        history.add(States.healthy("isp1", t.minus(Duration.ofDays(1))));
        assertEquals(0, history.points().size());
    }
}
