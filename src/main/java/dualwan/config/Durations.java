package dualwan.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax of the config file: a whole number followed by a unit, {@code ms}, {@code s}, {@code m}
 * or {@code h}, e.g. {@code 500ms}, {@code 2s}, {@code 1m}. No spaces, signs or fractions.
 */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)");
    private static final Pattern NUMBER_ONLY = Pattern.compile("[0-9]+");
    private static final Pattern FRACTION = Pattern.compile("[0-9]*\\.[0-9]+(ms|s|m|h)");
    /** At most 12 digits: even 999999999999h fits in a long of milliseconds. */
    private static final int MAX_DIGITS = 12;

    private Durations() {
    }

    /**
     * Parses {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, {@code 0s}.
     *
     * @throws IllegalArgumentException with a message saying how to write it, when {@code text} is not a duration
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("no duration given; write a whole number and a unit, e.g. 500ms, 2s, 1m");
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            if (NUMBER_ONLY.matcher(text).matches()) {
                throw new IllegalArgumentException("'" + text + "' has no unit; write e.g. " + text + "s or " + text
                        + "ms (units: ms, s, m, h)");
            }
            if (FRACTION.matcher(text).matches()) {
                throw new IllegalArgumentException("'" + text + "' has a fraction; use a whole number of a smaller"
                        + " unit, e.g. 1500ms instead of 1.5s");
            }
            if (text.startsWith("-")) {
                throw new IllegalArgumentException("'" + text + "': a duration cannot be negative");
            }
            throw new IllegalArgumentException("'" + text + "' is not a duration; write a whole number followed by"
                    + " ms, s, m or h, e.g. 500ms, 2s, 1m");
        }
        String digits = m.group(1);
        if (digits.length() > MAX_DIGITS) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        long n = Long.parseLong(digits);
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw new IllegalStateException("unit " + m.group(2));
        };
    }

    /**
     * Formats in the largest unit that represents {@code d} exactly: {@code 1h}, {@code 2m}, {@code 30s},
     * {@code 500ms}; zero is {@code 0s}. Whole-millisecond, non-negative durations round-trip through
     * {@link #parse}. Anything finer (e.g. a measured round-trip time) is shown as decimal milliseconds,
     * {@code 12.345ms}, and a negative duration gets a leading {@code -}; neither is accepted by {@link #parse}.
     */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (nanos == 0) {
            if (seconds == 0) {
                return "0s";
            }
            if (seconds % 3600 == 0) {
                return seconds / 3600 + "h";
            }
            if (seconds % 60 == 0) {
                return seconds / 60 + "m";
            }
            return seconds + "s";
        }
        BigDecimal ms = BigDecimal.valueOf(seconds).movePointRight(3)
                .add(BigDecimal.valueOf(nanos).movePointLeft(6));
        return ms.stripTrailingZeros().toPlainString() + "ms";
    }
}
