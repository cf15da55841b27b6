package dualwan.health;

import dualwan.model.Verdict;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Every uplink's health at one instant; immutable, handed from the monitor to the decision. */
public record HealthSnapshot(Instant at, Map<String, UplinkHealth> uplinks) {

    public HealthSnapshot {
        uplinks = Collections.unmodifiableMap(new LinkedHashMap<>(uplinks)); // config order, for people reading it
    }

    public Optional<UplinkHealth> uplink(String wan) {
        return Optional.ofNullable(uplinks.get(wan));
    }

    public Verdict verdict(String wan) {
        UplinkHealth u = uplinks.get(wan);
        return u == null ? Verdict.UNKNOWN : u.verdict();
    }
}
