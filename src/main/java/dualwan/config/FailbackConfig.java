package dualwan.config;

import java.time.Duration;

/**
 * @param hold    how long a better uplink must stay healthy before traffic returns to it (the base hold)
 * @param maxHold the longest a hold grows to when the uplink keeps failing soon after each failback
 */
public record FailbackConfig(Duration hold, Duration maxHold) {

    /** A base hold with the default ceiling (never below the base). */
    public FailbackConfig(Duration hold) {
        this(hold, hold.compareTo(Defaults.FAILBACK_MAX_HOLD) > 0 ? hold : Defaults.FAILBACK_MAX_HOLD);
    }
}
