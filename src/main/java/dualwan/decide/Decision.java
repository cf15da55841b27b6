package dualwan.decide;

import java.time.Instant;
import java.util.Optional;

/**
 * Which uplink carries the LAN's traffic.
 *
 * @param active       the chosen uplink, or empty (nothing chosen yet: the main table's default applies)
 * @param since        when {@code active} last changed
 * @param reason       why, in words for logs and the state file
 * @param reconsiderAt a time at which the decision may change without new health (a failback hold ending)
 */
public record Decision(Optional<String> active, Instant since, String reason, Optional<Instant> reconsiderAt) {

    public static Decision initial(Optional<String> active, Instant at) {
        return new Decision(active, at, active.isPresent() ? "found in the kernel at start" : "starting", Optional.empty());
    }

    public boolean switchedFrom(Decision previous) {
        return !active.equals(previous.active);
    }
}
