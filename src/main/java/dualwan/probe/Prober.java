package dualwan.probe;

import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;

import java.util.function.Consumer;

/**
 * Sends probes without blocking the caller. For every request {@link #start started}, exactly one
 * {@link ProbeResult} reaches the listener given at construction, no later than the request's timeout
 * plus a few milliseconds. A probe reported as a timeout may get one more result, a late reply
 * ({@link ProbeResult#late()}), within {@link ProbeRequest#LATE_HORIZON} of its start. The listener is called
 * from the prober's own thread.
 */
public interface Prober extends AutoCloseable {

    void start(ProbeRequest request);

    /** False once the prober can no longer send or time out probes (its thread died): the daemon must restart. */
    default boolean alive() {
        return true;
    }

    @Override
    void close();

    /** Creates probers; the daemon uses one per process. */
    interface Factory {
        Prober open(Consumer<ProbeResult> listener);
    }
}
