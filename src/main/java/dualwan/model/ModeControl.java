package dualwan.model;

import java.util.concurrent.CompletableFuture;

/**
 * The daemon's one mode API: the CLI's control socket, MQTT, the front-panel button and the status page all
 * call it. Commands that flip back and forth are coalesced by the daemon; the future completes with the
 * decision the command led to, or exceptionally for an uplink that does not exist.
 */
@FunctionalInterface
public interface ModeControl {
    CompletableFuture<ModeResult> setMode(Mode mode);
}
