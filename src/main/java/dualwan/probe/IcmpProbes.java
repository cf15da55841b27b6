package dualwan.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.security.SecureRandom;

import static dualwan.probe.Libc.*;

/**
 * Pings: one shared raw socket per (device, mark), echo requests told apart by identifier and sequence
 * number. I/O thread only.
 *
 * <p>A raw socket sees every ICMP packet its device receives, so a reply counts only if it is the one that
 * probe's request asked for: on the socket it was sent from (pinned to the uplink's device), from the probed
 * address, with the socket's identifier and the probe's sequence number and 8-byte payload. The identifier,
 * sequence number and payload are drawn from a {@link SecureRandom}, never counted, so a forger that has not
 * seen the request cannot predict them, and a replayed reply to an older probe matches nothing in flight.
 */
final class IcmpProbes {
    /** ICMP types the raw socket should not even wake us for: all except echo reply, unreachable, ttl. */
    private static final int ICMP_FILTER_MASK =
            ~((1 << IcmpPacket.ECHO_REPLY) | (1 << IcmpPacket.DEST_UNREACHABLE) | (1 << IcmpPacket.TIME_EXCEEDED));

    private final ProbeSockets sockets;
    private final InFlight inFlight;
    private final List<IcmpSocket> open = new ArrayList<>();
    private final IcmpPacket.Parsed parsed = new IcmpPacket.Parsed();
    private final SecureRandom random = new SecureRandom();

    IcmpProbes(ProbeSockets sockets, InFlight inFlight) {
        this.sockets = sockets;
        this.inFlight = inFlight;
    }

    /** The open raw sockets, to poll. */
    List<IcmpSocket> open() {
        return open;
    }

    /** Sends an echo request on the uplink's raw socket, opening it first if needed. */
    void send(Probe p, int nameLength) {
        IcmpSocket s = null;
        for (IcmpSocket c : open) {
            if (c.mark == p.request.mark() && c.device.equals(p.request.device())) s = c;
        }
        if (s == null) {
            int fd = sockets.openPinned(SOCK_RAW, IPPROTO_ICMP, p.request.mark(), nameLength);
            if (fd < 0) {
                inFlight.finish(p, false, errnoName(fd), 0);
                return;
            }
            sockets.intOpt.set(ValueLayout.JAVA_INT, 0, ICMP_FILTER_MASK);
            Libc.setsockopt(fd, SOL_RAW, ICMP_FILTER, sockets.intOpt, 4); // optional: only saves wakeups
            s = new IcmpSocket(p.request.device(), p.request.mark(), fd, freeIdent());
            open.add(s);
        }
        p.icmp = s;
        p.seq = freeSeq(random, inFlight, s);
        p.payload = random.nextLong();
        setSockaddrIn(sockets.sockaddr, p.target, 0);
        IcmpPacket.writeEchoRequest(sockets.sendBuf, s.ident, p.seq, p.payload);
        p.sentAt = System.nanoTime();
        long r = Libc.sendto(s.fd, sockets.sendBuf, IcmpPacket.ECHO_LENGTH, sockets.sockaddr);
        if (r < 0) {
            inFlight.finish(p, false, errnoName((int) r), System.nanoTime() - p.startedAt);
            if (r == -ENODEV || r == -ENXIO) drop(s, (int) r);
            return;
        }
        inFlight.add(p);
    }

    /** A random identifier not used by another of our raw sockets (they all see each other's replies). */
    private int freeIdent() {
        while (true) {
            int id = random.nextInt(0x10000);
            boolean used = false;
            for (IcmpSocket s : open) used |= s.ident == id;
            if (!used) return id;
        }
    }

    /** A random sequence number no probe still listening on {@code s} has (up to its late-reply horizon). */
    static int freeSeq(SecureRandom random, Iterable<Probe> inFlight, IcmpSocket s) {
        while (true) {
            int seq = random.nextInt(0x10000);
            boolean used = false;
            for (Probe p : inFlight) used |= !p.done && p.icmp == s && p.seq == seq;
            if (!used) return seq;
        }
    }

    /** The socket polled readable ({@code ev}): matches replies and errors to the probes waiting on it. */
    void read(IcmpSocket s, short ev, long now) {
        if ((ev & POLLNVAL) != 0) {
            drop(s, -ENODEV);
            return;
        }
        MemorySegment recvBuf = sockets.recvBuf;
        for (int i = 0; i < 64; i++) { // bounded: other traffic must not starve the loop
            long n = Libc.recv(s.fd, recvBuf);
            if (n == -EAGAIN) return;
            if (n < 0) {
                if (n == -ENODEV || n == -ENXIO) drop(s, (int) n);
                return; // a pending socket error is consumed by this recv; nothing else to do
            }
            if (!IcmpPacket.parse(recvBuf, (int) n, s.ident, parsed)) continue;
            Probe p = answered(inFlight, s, parsed);
            if (p == null) continue; // stray, replayed or forged
            if (parsed.type == IcmpPacket.ECHO_REPLY) inFlight.finish(p, true, "ok", now - p.sentAt);
            else inFlight.finish(p, false, IcmpPacket.describeError(parsed.type, parsed.code), now - p.startedAt);
        }
    }

    /**
     * The probe still listening on socket {@code s} that {@code parsed} (already checked for the socket's
     * identifier) answers, or null: same sequence number and host, and for an echo reply the whole payload.
     */
    static Probe answered(Iterable<Probe> inFlight, IcmpSocket s, IcmpPacket.Parsed parsed) {
        for (Probe p : inFlight) {
            if (p.done || p.icmp != s || p.seq != parsed.seq || p.target != parsed.target) continue;
            // A genuine reply echoes the whole payload. An error may quote only the first 8 bytes of our request
            // (RFC 792); if it quotes more (Linux does), the payload must be ours too.
            boolean echoReply = parsed.type == IcmpPacket.ECHO_REPLY;
            if ((echoReply || parsed.hasPayload) && (!parsed.hasPayload || parsed.payload != p.payload)) continue;
            return p;
        }
        return null;
    }

    /** The socket is dead (interface gone): close it, fail its probes; the next probe reopens one. */
    private void drop(IcmpSocket s, int errno) {
        open.remove(s);
        Libc.close(s.fd);
        long now = System.nanoTime();
        for (Probe p : inFlight) {
            if (!p.done && p.icmp == s) inFlight.finish(p, false, errnoName(errno), now - p.startedAt);
        }
    }

    /** At the end of the I/O thread. */
    void closeAll() {
        for (IcmpSocket s : open) Libc.close(s.fd);
        open.clear();
    }
}
