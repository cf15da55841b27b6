package dualwan.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.security.SecureRandom;

import static dualwan.probe.Libc.*;

/**
 * Pings: one shared raw socket per (family, device, mark), echo requests told apart by identifier and sequence
 * number. I/O thread only.
 *
 * <p>A raw socket sees every ICMP(v6) packet its device receives, so a reply counts only if it is the one that
 * probe's request asked for: on the socket it was sent from (pinned to the uplink's device), from the probed
 * address (for a link-local one: on the probe's own link), with the socket's identifier and the probe's sequence
 * number and 8-byte payload. The identifier, sequence number and payload are drawn from a {@link SecureRandom},
 * never counted, so a forger that has not seen the request cannot predict them, and a replayed reply to an older
 * probe matches nothing in flight. IPv4 and IPv6 follow the same rules ({@link #answered}, {@link #answered6}).
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
    private final SecureRandom random = new SecureRandom();

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
        p.seq = freeSeq(random, inFlight, s);
        p.payload = random.nextLong();
        int addressLength = sockets.address(p, 0);
        int length;
        if (p.v6) {
            Icmp6Packet.writeEchoRequest(sockets.sendBuf, s.ident, p.seq, p.payload);
            length = Icmp6Packet.ECHO_LENGTH;
        } else {
            IcmpPacket.writeEchoRequest(sockets.sendBuf, s.ident, p.seq, p.payload);
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
        Probe p = answered(inFlight, s, parsed);
        if (p == null) return; // stray, replayed or forged
        if (parsed.type == IcmpPacket.ECHO_REPLY) inFlight.finish(p, true, "ok", now - p.sentAt);
        else inFlight.finish(p, false, IcmpPacket.describeError(parsed.type, parsed.code), now - p.startedAt);
    }

    private void match6(IcmpSocket s, int length, long now) {
        MemorySegment from = sockets.fromAddr;
        if (sockets.fromLength.get(ValueLayout.JAVA_INT, 0) < SOCKADDR_IN6_SIZE
                || from.get(ValueLayout.JAVA_SHORT, 0) != AF_INET6) return;
        long high = from.get(NET_LONG, 8), low = from.get(NET_LONG, 16);
        int scope = from.get(ValueLayout.JAVA_INT, 24);
        if (!Icmp6Packet.parse(sockets.recvBuf, length, s.ident, high, low, parsed6)) return;
        Probe p = answered6(inFlight, s, parsed6, scope);
        if (p == null) return; // stray, replayed, forged or from another link
        if (parsed6.type == Icmp6Packet.ECHO_REPLY) inFlight.finish(p, true, "ok", now - p.sentAt);
        else inFlight.finish(p, false, Icmp6Packet.describeError(parsed6.type, parsed6.code), now - p.startedAt);
    }

    /**
     * The IPv6 probe still listening on socket {@code s} that {@code parsed} (already checked for the socket's
     * identifier) answers, or null: same sequence number, host and whole payload (an ICMPv6 error quotes all of
     * our request, RFC 4443); an echo reply to a link-local target only from the probe's own link
     * ({@code fromScope}, the sender's scope id), since both uplinks' routers may be the same fe80:: address.
     */
    static Probe answered6(Iterable<Probe> inFlight, IcmpSocket s, Icmp6Packet.Parsed parsed, int fromScope) {
        for (Probe p : inFlight) {
            if (p.done || p.icmp != s || p.seq != parsed.seq || p.payload != parsed.payload
                    || p.target6High != parsed.targetHigh || p.target6Low != parsed.targetLow) continue;
            boolean reply = parsed.type == Icmp6Packet.ECHO_REPLY;
            if (reply && p.linkLocal && fromScope != p.scope) continue;
            return p;
        }
        return null;
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
