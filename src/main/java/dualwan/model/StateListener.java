package dualwan.model;

/**
 * An adapter that shows the daemon's state to the outside (MQTT, the front panel, the status page, DNS). Both
 * methods are called on the control loop's thread, so they must only hand the work to a thread of their own and
 * return: a slow broker, GPIO line or browser must never delay a failover.
 */
public interface StateListener {

    /**
     * After every engine step that changed what is shown (a verdict, a confirmation starting or ending, the decision,
     * the mode, addresses, a state section) and at least every few seconds for fresh figures.
     */
    void stateChanged(DaemonState state);

    /** Once per change of the active uplink, before the {@link #stateChanged} that shows it. */
    default void switched(SwitchEvent event) {
    }
}
