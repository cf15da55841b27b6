package dualwan.gpio;

import dualwan.gpio.Button.Gesture;
import dualwan.gpio.Button.Press;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dualwan.gpio.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Debounce and gestures as timelines in milliseconds: edges at given times, then every ms polled. */
class ButtonTest {

    private final Button button = new Button(false, T0);
    private final List<Press> presses = new ArrayList<>();
    private long now;

    private static Instant at(long ms) {
        return T0.plusMillis(ms);
    }

    /** Raw level change at {@code ms} (time passes in 1 ms polls up to it). */
    private void edge(long ms, boolean pressed) {
        runTo(ms);
        button.level(pressed, at(ms)).ifPresent(presses::add);
    }

    private void runTo(long ms) {
        for (; now <= ms; now++) {
            button.advance(at(now)).ifPresent(presses::add);
        }
        now = ms;
    }

    @Test
    void bouncesShorterThan30msAreIgnored() {
        edge(100, true);
        edge(110, false); // 10 ms down
        edge(200, true);
        edge(229, false); // 29 ms down: still a bounce
        runTo(5000);
        assertEquals(List.of(), presses);
        assertEquals(2, button.bounces());
    }

    @Test
    void aShortPressIsReportedOnReleaseEvenWithBouncingContacts() {
        edge(100, true);
        edge(103, false);
        edge(105, true); // bouncing in: the press counts from the last edge
        edge(400, false);
        edge(404, true);
        edge(409, false); // bouncing out
        runTo(438);
        assertEquals(List.of(), presses, "the release is not settled before 30 ms of quiet");
        runTo(439);
        assertEquals(List.of(new Press(Gesture.SHORT, at(409))), presses);
        runTo(5000);
        assertEquals(1, presses.size(), "one press, reported once");
    }

    @Test
    void aLongPressIsReportedAfterTwoSecondsWhileStillHeldAndNotAgainOnRelease() {
        edge(100, true);
        runTo(2099);
        assertEquals(List.of(), presses);
        runTo(2100);
        assertEquals(List.of(new Press(Gesture.LONG, at(2100))), presses);
        edge(2110, false); // a bounce while held does not end the press
        edge(2115, true);
        edge(3000, false);
        runTo(6000);
        assertEquals(1, presses.size());
    }

    @Test
    void aPressJustUnderTwoSecondsIsShort() {
        edge(0, true);
        edge(1999, false);
        runTo(3000);
        assertEquals(List.of(new Press(Gesture.SHORT, at(1999))), presses);
    }

    @Test
    void aReleaseBounceJustBeforeTwoSecondsDoesNotCutALongPressShort() {
        edge(0, true);
        edge(1990, false);
        edge(2005, true); // 15 ms up: a bounce, the button is still held
        runTo(2005);
        assertEquals(List.of(new Press(Gesture.LONG, at(2000))), presses, "reported once the bounce is over");
        edge(4000, false);
        runTo(5000);
        assertEquals(1, presses.size());
    }

    @Test
    void lateEvaluationStillTellsALongPressFromAShortOne() {
        Button b = new Button(false, T0);
        b.level(true, at(0));
        // nobody looked in between (a busy panel thread): the edge itself brings the verdict
        assertEquals(Optional.of(new Press(Gesture.LONG, at(2000))), b.level(false, at(2500)));
        assertEquals(Optional.empty(), b.advance(at(2600)));
        b.level(true, at(3000));
        assertEquals(Optional.empty(), b.level(false, at(3500)));
        assertEquals(Optional.of(new Press(Gesture.SHORT, at(3500))), b.advance(at(9000)));
    }

    @Test
    void aButtonHeldAtStartIsIgnoredUntilReleased() {
        Button b = new Button(true, T0);
        assertEquals(Optional.empty(), b.advance(at(5000)));
        assertEquals(Optional.empty(), b.level(false, at(5000)));
        assertEquals(Optional.empty(), b.advance(at(5100)));
        b.level(true, at(6000));
        b.level(false, at(6100));
        assertEquals(Optional.of(new Press(Gesture.SHORT, at(6100))), b.advance(at(6200)));
    }

    @Test
    void deadlinesSayWhenToLookAgain() {
        assertEquals(Optional.empty(), button.nextDeadline());
        button.level(true, at(100));
        assertEquals(Optional.of(at(130)), button.nextDeadline());
        button.advance(at(130));
        assertEquals(Optional.of(at(2100)), button.nextDeadline());
        button.level(false, at(500));
        assertEquals(Optional.of(at(530)), button.nextDeadline());
        assertTrue(button.advance(at(530)).isPresent());
        assertEquals(Optional.empty(), button.nextDeadline());
    }
}
