package dualwan.probe;

import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@link Prober} on raw Linux sockets through FFM: one platform thread ({@link ProbeLoop}) polls every probe
 * socket plus an eventfd that {@link #start} uses to wake it ({@link RequestHandoff}). All socket work and all
 * timeouts live on that thread, so the only shared state is the request queue.
 *
 * <p>Every probe socket gets SO_MARK (so {@code ip rule fwmark} picks the uplink's table) and
 * SO_BINDTODEVICE (so the kernel can only use the uplink's interface) before anything is sent; if
 * either fails the probe is a miss and nothing leaves the host ({@link ProbeSockets}).
 */
public final class NativeProber implements Prober {
    private final RequestHandoff handoff;
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    /** close() was called: a thread that ended then did not die. */
    private volatile boolean stopped;
    private final Thread thread;

    public NativeProber(Consumer<ProbeResult> listener) {
        Objects.requireNonNull(listener, "listener");
        handoff = new RequestHandoff();
        ProbeLoop loop = new ProbeLoop(handoff, listener);
        thread = Thread.ofPlatform().name("dualwan-prober").daemon().unstarted(loop::run);
        thread.start();
    }

    public static Prober.Factory factory() {
        return NativeProber::new;
    }

    @Override
    public void start(ProbeRequest request) {
        Objects.requireNonNull(request, "request");
        handoff.submit(new Probe(request, System.nanoTime()));
    }

    @Override
    public boolean alive() {
        return thread.isAlive() || stopped;
    }

    /** Stops the I/O thread (pending probes get no result) and closes every socket. Idempotent. */
    @Override
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) return;
        stopped = true;
        handoff.closeAndWake();
        if (Thread.currentThread() == thread) return; // called from the listener: the loop ends after it
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
