package dualwan.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({"500ms,500", "0ms,0", "0s,0", "2s,2000", "1m,60000", "90m,5400000", "1h,3600000",
            "1500ms,1500", "007s,7000"})
    void parses(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"5,has no unit", "1.5s,has a fraction", "-1s,cannot be negative", "fast,is not a duration",
            "5 s,is not a duration", "5S,is not a duration", "1d,is not a duration", "+5s,is not a duration",
            "9999999999999s,too large"})
    void rejectsWithHelpfulMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void rejectsEmptyAndNull() {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
    }

    @ParameterizedTest
    @CsvSource({"0,0s", "500,500ms", "1000,1s", "2000,2s", "60000,1m", "90000,90s", "3600000,1h",
            "5400000,90m", "1001,1001ms"})
    void formatsInLargestExactUnit(long millis, String expected) {
        assertEquals(expected, Durations.format(Duration.ofMillis(millis)));
    }

    @Test
    void formatsSubMillisecondAndNegative() {
        assertEquals("12.345ms", Durations.format(Duration.ofNanos(12_345_000)));
        assertEquals("0.5ms", Durations.format(Duration.ofNanos(500_000)));
        assertEquals("-2s", Durations.format(Duration.ofSeconds(-2)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "1ms", "500ms", "1s", "59s", "1m", "61m", "1h", "25h"})
    void roundTrips(String text) {
        assertEquals(text, Durations.format(Durations.parse(text)));
    }
}
