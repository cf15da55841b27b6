package dualwan.probe;

import dualwan.model.ProbeRequest;

/** One request on its way through the prober; created by the caller, then used by the I/O thread only. */
final class Probe {
    final ProbeRequest request;
    final long startedAt;
    final long deadline;
    /** Until then a reply still counts, as a late one (see {@link ProbeRequest#LATE_HORIZON}). */
    final long horizon;
    /** The IPv4 target, first octet highest (as {@link IcmpPacket} and {@link Libc#setSockaddrIn} use it). */
    final int target;
    long sentAt;
    int fd = -1;            // DNS and TCP: the probe's own socket
    IcmpSocket icmp;        // ICMP: the shared raw socket and our sequence number on it
    int seq;
    /** ICMP: the random payload a genuine reply echoes. */
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
        this.target = (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }
}
