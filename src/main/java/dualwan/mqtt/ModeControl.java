package dualwan.mqtt;

import dualwan.decide.Decision;
import dualwan.decide.Mode;

import java.util.concurrent.CompletableFuture;

/** The daemon's mode API as MQTT commands use it: {@code Daemon::setMode}, the same one the CLI and button use. */
@FunctionalInterface
public interface ModeControl {
    CompletableFuture<Decision> setMode(Mode mode);
}
