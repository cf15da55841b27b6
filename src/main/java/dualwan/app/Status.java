package dualwan.app;

import dualwan.decide.Decision;
import dualwan.decide.Mode;
import dualwan.health.HealthSnapshot;

import java.util.Map;

/**
 * One view of the daemon's state for {@link StateListener}s: the typed parts for code that reacts to them
 * (LEDs), and the JSON tree exactly as written to the state file (MQTT publishes that).
 */
public record Status(HealthSnapshot health, Decision decision, Mode mode, Map<String, Object> json) {
}
