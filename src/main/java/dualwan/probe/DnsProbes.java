package dualwan.probe;

import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;

import static dualwan.probe.Libc.*;

/**
 * DNS probes: one query per probe on its own connected UDP socket; any response to it counts. I/O thread only.
 * The kernel delivers to a connected socket only datagrams from the probed address and port 53, arriving on the
 * uplink's device, to the socket's own (randomly chosen) source port; the query id is drawn from a
 * {@link SecureRandom}, so a forger must guess both port and id (RFC 5452).
 */
final class DnsProbes {
    private final SecureRandom random = new SecureRandom();
    private final ProbeSockets sockets;
    private final InFlight inFlight;

    DnsProbes(ProbeSockets sockets, InFlight inFlight) {
        this.sockets = sockets;
        this.inFlight = inFlight;
    }

    void send(Probe p, int nameLength) {
        int fd = sockets.openPinned(p.family(), SOCK_DGRAM, 0, p.request.mark(), nameLength);
        if (fd < 0) {
            inFlight.finish(p, false, errnoName(fd), 0);
            return;
        }
        p.fd = fd; // from here on finish() closes it
        int length = sockets.address(p, DnsPacket.PORT);
        int r = Libc.connect(fd, sockets.sockaddr, length); // connected UDP: ICMP port unreachable comes back as ECONNREFUSED
        if (r < 0) {
            inFlight.finish(p, false, errnoName(r), System.nanoTime() - p.startedAt);
            return;
        }
        p.dnsId = random.nextInt(0x10000);
        DnsPacket.writeQuery(sockets.sendBuf, p.dnsId);
        p.sentAt = System.nanoTime();
        long sent = Libc.sendto(fd, sockets.sendBuf, DnsPacket.QUERY_LENGTH, MemorySegment.NULL, 0);
        if (sent < 0) {
            inFlight.finish(p, false, errnoName((int) sent), System.nanoTime() - p.startedAt);
            return;
        }
        inFlight.add(p);
    }

    /** The probe's socket polled readable. */
    void read(Probe p, long now) {
        for (int i = 0; i < 16; i++) {
            long n = Libc.recv(p.fd, sockets.recvBuf);
            if (n == -EAGAIN) return;
            if (n == -ECONNREFUSED) {
                inFlight.finish(p, false, "refused", now - p.startedAt);
                return;
            }
            if (n < 0) {
                inFlight.finish(p, false, errnoName((int) n), now - p.startedAt);
                return;
            }
            if (DnsPacket.isResponseTo(sockets.recvBuf, (int) n, p.dnsId)) {
                inFlight.finish(p, true, "ok", now - p.sentAt);
                return;
            }
        }
    }
}
