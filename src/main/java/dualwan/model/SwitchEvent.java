package dualwan.model;

import java.time.Instant;
import java.util.Optional;

/** One change of the active uplink: shown in the state file and published as an MQTT event. */
public record SwitchEvent(Optional<String> from, Optional<String> to, Instant at, String reason) {
}
