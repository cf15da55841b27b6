package dualwan.app;

import java.time.Instant;
import java.util.Optional;

/** One change of the active uplink: reported in the state file now, as an MQTT event later. */
public record SwitchEvent(Optional<String> from, Optional<String> to, Instant at, String reason) {
}
