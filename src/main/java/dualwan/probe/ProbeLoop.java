package dualwan.probe;

import dualwan.model.ProbeMethod;
import dualwan.model.ProbeResult;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

import org.tinylog.Logger;

import static dualwan.probe.Libc.*;

/**
 * The prober's I/O thread: launches queued probes, polls the wake-up eventfd and every probe socket, hands
 * readable sockets to their method's code and times probes out. Native memory lives in an arena confined to
 * this thread; every socket is closed when the loop ends, whether by close() or by an error.
 */
final class ProbeLoop {
    private static final int LAUNCH_BATCH = 32;

    private final RequestHandoff handoff;
    private final InFlight inFlight;
    // Created on the I/O thread by run(), in its arena.
    private Arena arena;
    private ProbeSockets sockets;
    private IcmpProbes icmp;
    private DnsProbes dns;
    private TcpProbes tcp;
    private MemorySegment pollFds;
    /** What each pollFds entry is: null for the eventfd, an {@link IcmpSocket}, or a {@link Probe}. */
    private Object[] pollOwners = new Object[16];

    ProbeLoop(RequestHandoff handoff, Consumer<ProbeResult> listener) {
        this.handoff = handoff;
        this.inFlight = new InFlight(listener, handoff);
    }

    void run() {
        try (Arena a = Arena.ofConfined()) {
            arena = a;
            sockets = new ProbeSockets(a);
            icmp = new IcmpProbes(sockets, inFlight);
            dns = new DnsProbes(sockets, inFlight);
            tcp = new TcpProbes(sockets, inFlight);
            pollFds = a.allocate(POLLFD_SIZE * pollOwners.length, 8);
            loop();
        } catch (Throwable t) {
            Logger.error(t, "prober I/O thread failed");
        } finally {
            inFlight.closeAll();
            if (icmp != null) icmp.closeAll();
            // The loop may also end on an error: refuse further work, then wait out any writer.
            handoff.release();
        }
    }

    private void loop() {
        while (!handoff.closed()) {
            // Launch in bounded batches so replies to a burst are read before the socket buffer overflows.
            Probe next = null;
            for (int i = 0; i < LAUNCH_BATCH && (next = handoff.poll()) != null; i++) launch(next);
            boolean backlog = next != null && !handoff.isEmpty();
            long now = System.nanoTime();
            inFlight.expire(now);
            inFlight.removeDone();

            int n = buildPollSet();
            int r = Libc.poll(pollFds, n, backlog ? 0 : inFlight.pollTimeout(now));
            if (handoff.closed()) return;
            if (r < 0) {
                if (r != -EINTR) {
                    Logger.warn("poll failed: {}", errnoName(r));
                    sleepQuietly(); // never spin on a persistent error
                }
                continue;
            }
            now = System.nanoTime();
            for (int i = 0; i < n && r > 0; i++) {
                short ev = revents(pollFds, i);
                if (ev == 0) continue;
                r--;
                Object owner = pollOwners[i];
                if (owner == null) {
                    handoff.woken(sockets.intOpt);
                } else if (owner instanceof IcmpSocket s) {
                    icmp.read(s, ev, now);
                } else if (owner instanceof Probe p && !p.done) {
                    if (p.request.method() instanceof ProbeMethod.Tcp) tcp.ready(p, now);
                    else dns.read(p, now);
                }
            }
            inFlight.removeDone();
        }
    }

    private int buildPollSet() {
        int needed = 1 + icmp.open().size() + inFlight.size();
        if (needed > pollOwners.length) {
            int cap = Math.max(needed, pollOwners.length * 2);
            pollOwners = new Object[cap];
            pollFds = arena.allocate(POLLFD_SIZE * cap, 8); // rare; old block is freed with the arena
        }
        int n = 0;
        pollOwners[n] = null;
        setPollFd(pollFds, n++, handoff.wakeFd(), POLLIN);
        for (IcmpSocket s : icmp.open()) {
            pollOwners[n] = s;
            setPollFd(pollFds, n++, s.fd, POLLIN);
        }
        for (Probe p : inFlight) {
            if (p.fd < 0) continue;
            pollOwners[n] = p;
            setPollFd(pollFds, n++, p.fd, p.request.method() instanceof ProbeMethod.Tcp ? POLLOUT : POLLIN);
        }
        for (int i = n; i < pollOwners.length && pollOwners[i] != null; i++) pollOwners[i] = null;
        return n;
    }

    private void launch(Probe p) {
        long late = System.nanoTime() - p.deadline;
        if (late >= 0) { // waited out its whole timeout in the queue (a huge burst): don't send it now
            inFlight.finish(p, false, "timeout", late + p.request.timeout().toNanos());
            return;
        }
        int nameLength = sockets.deviceOption(p.request.device());
        if (nameLength < 0) {
            inFlight.finish(p, false, "invalid device name", 0);
            return;
        }
        if (p.linkLocal && !scopeToDevice(p)) return;
        switch (p.request.method()) {
            case ProbeMethod.Icmp _ -> icmp.send(p, nameLength);
            case ProbeMethod.Dns _ -> dns.send(p, nameLength);
            case ProbeMethod.Tcp t -> tcp.connect(p, t.port(), nameLength);
        }
    }

    /**
     * A link-local target is scoped to the probe's device (its index goes into sockaddr_in6): the address
     * alone names no host. Returns false after finishing the probe as a miss when that cannot be.
     */
    private boolean scopeToDevice(Probe p) {
        int index = sockets.deviceIndex();
        if (index < 0) {
            inFlight.finish(p, false, errnoName(index), 0);
            return false;
        }
        if (p.requestedScope != 0 && p.requestedScope != index) {
            inFlight.finish(p, false, "link-local scope " + p.requestedScope + " is not " + p.request.device()
                    + " (index " + index + ")", 0);
            return false;
        }
        p.scope = index;
        return true;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
