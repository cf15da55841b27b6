package dualwan.probe;

import dualwan.model.ProbeRequest;

import java.net.Inet6Address;

/** One request on its way through the prober; created by the caller, then used by the I/O thread only. */
final class Probe {
    final ProbeRequest request;
    final long startedAt;
    final long deadline;
    /** Until then a reply still counts, as a late one (see {@link ProbeRequest#LATE_HORIZON}). */
    final long horizon;
    /** The target is IPv6: {@link #target6High}/{@link #target6Low} hold it, otherwise {@link #target} does. */
    final boolean v6;
    /** The IPv4 target, first octet highest (as {@link IcmpPacket} and {@link Libc#setSockaddrIn} use it). */
    final int target;
    /** The IPv6 target, network order, as two big-endian halves (as {@link Icmp6Packet} reads them). */
    final long target6High, target6Low;
    /** fe80::/10: the address means something only on one link, the probe's own device (see {@link #scope}). */
    final boolean linkLocal;
    /** The scope id the request's address carries (0 for none); it must be the probe's device's. */
    final int requestedScope;
    /** IPv6 only: the interface index sent with the address, set at launch (0 for a global address). */
    int scope;
    long sentAt;
    int fd = -1;            // DNS and TCP: the probe's own socket
    IcmpSocket icmp;        // ICMP: the shared raw socket and our sequence number on it
    int seq;
    /** ICMP and ICMPv6: the echo's random payload, which a genuine reply (or an error's quote) must carry back. */
    long payload;
    int dnsId;
    boolean done;
    /** Its miss was reported at the deadline; it keeps listening (socket, ident and seq) until the horizon. */
    boolean timedOut;

    Probe(ProbeRequest request, long now) {
        this.request = request;
        this.startedAt = now;
        this.deadline = now + Math.max(0, request.timeout().toNanos());
        this.horizon = Math.max(deadline, now + ProbeRequest.LATE_HORIZON.toNanos());
        byte[] a = request.target().getAddress();
        this.v6 = a.length == 16;
        if (v6) {
            this.target = 0;
            this.target6High = bigEndianLong(a, 0);
            this.target6Low = bigEndianLong(a, 8);
            this.linkLocal = (a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80;
            this.requestedScope = ((Inet6Address) request.target()).getScopeId();
        } else {
            this.target = (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
            this.target6High = 0;
            this.target6Low = 0;
            this.linkLocal = false;
            this.requestedScope = 0;
        }
    }

    /** Address family for socket(2). */
    int family() {
        return v6 ? Libc.AF_INET6 : Libc.AF_INET;
    }

    private static long bigEndianLong(byte[] a, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) v = v << 8 | (a[i] & 0xff);
        return v;
    }
}
