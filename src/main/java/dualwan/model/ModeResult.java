package dualwan.model;

import java.util.Optional;

/**
 * What a mode command led to.
 *
 * @param mode   the mode now in force
 * @param active the uplink the LAN's default traffic uses now
 * @param reason why, in words
 */
public record ModeResult(Mode mode, Optional<String> active, String reason) {
}
