package dualwan.app;

import java.time.Duration;

/**
 * Tells the service manager the control loop is alive ({@code WATCHDOG=1} under systemd). The loop pings it
 * itself, at least twice per {@link #interval()}, so a stuck loop gets the process restarted.
 */
public interface Watchdog {

    Duration interval();

    void ping();
}
