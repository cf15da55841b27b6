package dualwan.model;

import java.util.List;
import java.util.Optional;

/**
 * Who chooses the uplink: {@code auto} (health and priorities) or a forced uplink (the operator).
 * The one mode API: the CLI, MQTT and the front-panel button all set a Mode on the daemon.
 */
public record Mode(Optional<String> forced) {

    public static final Mode AUTO = new Mode(Optional.empty());

    public static Mode force(String wan) {
        return new Mode(Optional.of(wan));
    }

    /** Parses what a user typed: {@code auto} or an uplink name (checked against the config by the caller). */
    public static Mode parse(String text) {
        return "auto".equals(text) ? AUTO : force(text);
    }

    /**
     * The next mode in the cycle a single button steps through: auto → the first uplink → the next … → the
     * last → auto. {@code uplinks} is in config order; a forced uplink that is not in it goes back to auto.
     */
    public Mode next(List<String> uplinks) {
        if (uplinks.isEmpty()) {
            return AUTO;
        }
        if (auto()) {
            return force(uplinks.getFirst());
        }
        int i = uplinks.indexOf(forced.get());
        return i < 0 || i == uplinks.size() - 1 ? AUTO : force(uplinks.get(i + 1));
    }

    public boolean auto() {
        return forced.isEmpty();
    }

    @Override
    public String toString() {
        return forced.orElse("auto");
    }
}
