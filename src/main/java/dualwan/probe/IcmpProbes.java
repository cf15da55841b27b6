package dualwan.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dualwan.probe.Libc.*;

/**
 * Pings: one shared raw socket per (family, device, mark), echo requests told apart by identifier and sequence
 * number (and for ICMPv6 by an unpredictable payload too). I/O thread only.
 */
final class IcmpProbes {
    /** ICMP types the raw socket should not even wake us for: all except echo reply, unreachable, ttl. */
    private static final int ICMP_FILTER_MASK =
            ~((1 << IcmpPacket.ECHO_REPLY) | (1 << IcmpPacket.DEST_UNREACHABLE) | (1 << IcmpPacket.TIME_EXCEEDED));
    /** ICMPv6 types that pass the filter; neighbour discovery and the rest are blocked. */
    private static final int[] ICMP6_PASS = {Icmp6Packet.ECHO_REPLY, Icmp6Packet.DEST_UNREACHABLE,
            Icmp6Packet.TIME_EXCEEDED};

    private final ProbeSockets sockets;
    private final InFlight inFlight;
    private final List<IcmpSocket> open = new ArrayList<>();
    private final IcmpPacket.Parsed parsed = new IcmpPacket.Parsed();
    private final Icmp6Packet.Parsed parsed6 = new Icmp6Packet.Parsed();
    private int nextIdent = ThreadLocalRandom.current().nextInt(0x10000);

    IcmpProbes(ProbeSockets sockets, InFlight inFlight) {
        this.sockets = sockets;
        this.inFlight = inFlight;
    }

    /** The open raw sockets, to poll. */
    List<IcmpSocket> open() {
        return open;
    }

    /** Sends an echo request on the uplink's raw socket of the target's family, opening it first if needed. */
    void send(Probe p, int nameLength) {
        IcmpSocket s = null;
        for (IcmpSocket c : open) {
            if (c.v6 == p.v6 && c.mark == p.request.mark() && c.device.equals(p.request.device())) s = c;
        }
        if (s == null) {
            int fd = sockets.openPinned(p.family(), SOCK_RAW, p.v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
                    p.request.mark(), nameLength);
            if (fd < 0) {
                inFlight.finish(p, false, errnoName(fd), 0);
                return;
            }
            filter(fd, p.v6); // optional: only saves wakeups
            s = new IcmpSocket(p.v6, p.request.device(), p.request.mark(), fd, freeIdent());
            open.add(s);
        }
        p.icmp = s;
        p.seq = s.nextSeq;
        s.nextSeq = (s.nextSeq + 1) & 0xffff;
        int addressLength = sockets.address(p, 0);
        int length;
        if (p.v6) {
            p.payload = ThreadLocalRandom.current().nextLong();
            Icmp6Packet.writeEchoRequest(sockets.sendBuf, s.ident, p.seq, p.payload);
            length = Icmp6Packet.ECHO_LENGTH;
        } else {
            IcmpPacket.writeEchoRequest(sockets.sendBuf, s.ident, p.seq, System.nanoTime());
            length = IcmpPacket.ECHO_LENGTH;
        }
        p.sentAt = System.nanoTime();
        long r = Libc.sendto(s.fd, sockets.sendBuf, length, sockets.sockaddr, addressLength);
        if (r < 0) {
            inFlight.finish(p, false, errnoName((int) r), System.nanoTime() - p.startedAt);
            if (r == -ENODEV || r == -ENXIO) drop(s, (int) r);
            return;
        }
        inFlight.add(p);
    }

    private void filter(int fd, boolean v6) {
        MemorySegment opt = sockets.intOpt;
        if (!v6) {
            opt.set(ValueLayout.JAVA_INT, 0, ICMP_FILTER_MASK);
            Libc.setsockopt(fd, SOL_RAW, ICMP_FILTER, opt, 4);
            return;
        }
        opt.asSlice(0, ICMP6_FILTER_SIZE).fill((byte) 0xff); // block all ...
        for (int type : ICMP6_PASS) { // ... but these
            long word = (type >>> 5) * 4L;
            opt.set(ValueLayout.JAVA_INT, word, opt.get(ValueLayout.JAVA_INT, word) & ~(1 << (type & 31)));
        }
        Libc.setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, opt, ICMP6_FILTER_SIZE);
    }

    /** An identifier not used by another of our raw sockets (they all see each other's replies). */
    private int freeIdent() {
        while (true) {
            int id = nextIdent;
            nextIdent = (nextIdent + 1) & 0xffff;
            boolean used = false;
            for (IcmpSocket s : open) used |= s.ident == id;
            if (!used) return id;
        }
    }

    /** The socket polled readable ({@code ev}): matches replies and errors to the probes waiting on it. */
    void read(IcmpSocket s, short ev, long now) {
        if ((ev & POLLNVAL) != 0) {
            drop(s, -ENODEV);
            return;
        }
        for (int i = 0; i < 64; i++) { // bounded: other traffic must not starve the loop
            long n = s.v6 ? Libc.recvFrom(s.fd, sockets.recvBuf, sockets.fromAddr, sockets.fromLength)
                    : Libc.recv(s.fd, sockets.recvBuf);
            if (n == -EAGAIN) return;
            if (n < 0) {
                if (n == -ENODEV || n == -ENXIO) drop(s, (int) n);
                return; // a pending socket error is consumed by this recv; nothing else to do
            }
            if (s.v6) match6(s, (int) n, now);
            else match4(s, (int) n, now);
        }
    }

    private void match4(IcmpSocket s, int length, long now) {
        if (!IcmpPacket.parse(sockets.recvBuf, length, s.ident, parsed)) return;
        for (Probe p : inFlight) {
            if (p.done || p.icmp != s || p.seq != parsed.seq || p.target != parsed.target) continue;
            if (parsed.type == IcmpPacket.ECHO_REPLY) inFlight.finish(p, true, "ok", now - p.sentAt);
            else inFlight.finish(p, false, IcmpPacket.describeError(parsed.type, parsed.code), now - p.startedAt);
            return;
        }
    }

    /**
     * A reply counts only from the probed address itself (for a link-local one: on the probe's own link) with
     * our ident, sequence and payload; an error only if it quotes exactly that request.
     */
    private void match6(IcmpSocket s, int length, long now) {
        MemorySegment from = sockets.fromAddr;
        if (sockets.fromLength.get(ValueLayout.JAVA_INT, 0) < SOCKADDR_IN6_SIZE
                || from.get(ValueLayout.JAVA_SHORT, 0) != AF_INET6) return;
        long high = from.get(NET_LONG, 8), low = from.get(NET_LONG, 16);
        int scope = from.get(ValueLayout.JAVA_INT, 24);
        if (!Icmp6Packet.parse(sockets.recvBuf, length, s.ident, high, low, parsed6)) return;
        boolean reply = parsed6.type == Icmp6Packet.ECHO_REPLY;
        for (Probe p : inFlight) {
            if (p.done || p.icmp != s || p.seq != parsed6.seq || p.payload != parsed6.payload
                    || p.target6High != parsed6.targetHigh || p.target6Low != parsed6.targetLow) continue;
            if (reply && p.linkLocal && scope != p.scope) return; // the same fe80:: address on another link
            if (reply) inFlight.finish(p, true, "ok", now - p.sentAt);
            else inFlight.finish(p, false, Icmp6Packet.describeError(parsed6.type, parsed6.code), now - p.startedAt);
            return;
        }
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
