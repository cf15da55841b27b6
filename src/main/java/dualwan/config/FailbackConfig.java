package dualwan.config;

import java.time.Duration;

/** @param hold how long a better uplink must stay healthy before traffic returns to it */
public record FailbackConfig(Duration hold) {
}
