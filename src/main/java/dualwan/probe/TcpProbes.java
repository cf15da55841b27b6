package dualwan.probe;

import java.lang.foreign.ValueLayout;

import static dualwan.probe.Libc.*;

/**
 * TCP probes: a nonblocking connect on the probe's own socket. A refusal is a host that answered, so it counts
 * as reachable. I/O thread only.
 */
final class TcpProbes {
    private final ProbeSockets sockets;
    private final InFlight inFlight;

    TcpProbes(ProbeSockets sockets, InFlight inFlight) {
        this.sockets = sockets;
        this.inFlight = inFlight;
    }

    void connect(Probe p, int port, int nameLength) {
        int fd = sockets.openPinned(p.family(), SOCK_STREAM, 0, p.request.mark(), nameLength);
        if (fd < 0) {
            inFlight.finish(p, false, errnoName(fd), 0);
            return;
        }
        p.fd = fd;
        // Linger 0: close() resets instead of leaving a FIN_WAIT/TIME_WAIT socket per probe.
        sockets.intOpt.set(ValueLayout.JAVA_INT, 0, 1);
        sockets.intOpt.set(ValueLayout.JAVA_INT, 4, 0);
        Libc.setsockopt(fd, SOL_SOCKET, SO_LINGER, sockets.intOpt, 8);
        int length = sockets.address(p, port);
        p.sentAt = System.nanoTime();
        int r = Libc.connect(fd, sockets.sockaddr, length);
        if (r == -EINPROGRESS) {
            inFlight.add(p);
        } else {
            outcome(p, r == 0 ? 0 : -r, System.nanoTime());
        }
    }

    /** The probe's socket polled writable: the connect ended one way or the other. */
    void ready(Probe p, long now) {
        int err = Libc.getsockoptInt(p.fd, SOL_SOCKET, SO_ERROR, sockets.intOpt);
        outcome(p, err < 0 ? -err : err, now);
    }

    private void outcome(Probe p, int errno, long now) {
        if (errno == 0) inFlight.finish(p, true, "ok", now - p.sentAt);
        else if (errno == ECONNREFUSED) inFlight.finish(p, true, "refused (host answered)", now - p.sentAt);
        else inFlight.finish(p, false, errnoName(errno), now - p.startedAt);
    }
}
