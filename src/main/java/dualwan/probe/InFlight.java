package dualwan.probe;

import dualwan.model.ProbeResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

import org.tinylog.Logger;

/**
 * The probes waiting for an answer or their deadline, and {@link #finish}, the single exit of every probe.
 * I/O thread only.
 */
final class InFlight implements Iterable<Probe> {
    private final List<Probe> probes = new ArrayList<>();
    private final Consumer<ProbeResult> listener;
    private final RequestHandoff handoff;

    InFlight(Consumer<ProbeResult> listener, RequestHandoff handoff) {
        this.listener = listener;
        this.handoff = handoff;
    }

    /** The probe was sent: wait for its answer or its deadline. */
    void add(Probe p) {
        probes.add(p);
    }

    int size() {
        return probes.size();
    }

    @Override
    public Iterator<Probe> iterator() {
        return probes.iterator();
    }

    /**
     * Reports the miss of every probe whose deadline has passed (it keeps listening for a late reply), and
     * forgets those whose horizon has passed too.
     */
    void expire(long now) {
        for (Probe p : probes) {
            if (!p.done && !p.timedOut && now - p.deadline >= 0) {
                p.timedOut = true;
                deliver(p, new ProbeResult(p.request.id(), false, Duration.ofNanos(Math.max(0, now - p.startedAt)),
                        "timeout"));
            }
            if (!p.done && now - p.horizon >= 0) {
                p.done = true;
                closeSocket(p);
            }
        }
    }

    void removeDone() {
        probes.removeIf(p -> p.done);
    }

    /** Milliseconds until the nearest deadline, rounded up so we never wake just before it; -1 for none. */
    int pollTimeout(long now) {
        long nearest = Long.MAX_VALUE;
        for (Probe p : probes) nearest = Math.min(nearest, (p.timedOut ? p.horizon : p.deadline) - now);
        if (nearest == Long.MAX_VALUE) return -1;
        if (nearest <= 0) return 0;
        return (int) Math.min(Integer.MAX_VALUE, (nearest + 999_999) / 1_000_000);
    }

    /**
     * The single exit of every answered or failed probe: closes its socket and delivers its result. After a
     * timeout only a reply is news (a late one); a late error changes nothing that the miss did not say.
     */
    void finish(Probe p, boolean reachable, String detail, long nanos) {
        if (p.done) return;
        p.done = true;
        closeSocket(p);
        Duration d = Duration.ofNanos(Math.max(0, nanos));
        if (!p.timedOut) deliver(p, new ProbeResult(p.request.id(), reachable, d, detail));
        else if (reachable) deliver(p, ProbeResult.lateReply(p.request.id(), d));
    }

    private static void closeSocket(Probe p) {
        if (p.fd >= 0) {
            Libc.close(p.fd);
            p.fd = -1;
        }
    }

    private void deliver(Probe p, ProbeResult result) {
        if (handoff.closed()) return;
        try {
            listener.accept(result.withRxPackets(RxCounter.read(p.request.device())));
        } catch (RuntimeException e) {
            Logger.warn(e, "probe listener failed");
        }
    }

    /** At the end of the I/O thread: closes the probes' own sockets; they get no result. */
    void closeAll() {
        for (Probe p : probes) if (p.fd >= 0) Libc.close(p.fd);
        probes.clear();
    }
}
