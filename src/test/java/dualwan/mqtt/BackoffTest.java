package dualwan.mqtt;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackoffTest {

    private static Duration s(long n) {
        return Duration.ofSeconds(n);
    }

    @Test
    void failedAttemptsDoubleTheWaitUpToTheMaximum() {
        Backoff b = new Backoff(s(1), s(30));
        assertEquals(s(1), b.failed());
        assertEquals(s(2), b.failed());
        assertEquals(s(4), b.failed());
        assertEquals(s(8), b.failed());
        assertEquals(s(16), b.failed());
        assertEquals(s(30), b.failed());
        assertEquals(s(30), b.failed());
    }

    @Test
    void aConnectionThatLastedStartsOverButAShortOneKeepsBackingOff() {
        Backoff b = new Backoff(s(1), s(30));
        b.failed();
        b.failed();
        b.failed();
        assertEquals(s(8), b.lost(s(5)), "dropped soon after connecting: keep the longer wait");
        assertEquals(s(1), b.lost(s(30)), "a connection that lasted: reconnect soon");
        assertEquals(s(2), b.failed());
    }

    @Test
    void limitsMustMakeSense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, s(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(s(2), s(1)));
    }
}
