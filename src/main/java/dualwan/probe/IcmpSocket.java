package dualwan.probe;

/** A raw ICMP or ICMPv6 socket pinned to one (device, mark); kept open and shared by that uplink's pings. */
final class IcmpSocket {
    final boolean v6;
    final String device;
    final int mark;
    final int fd;
    /** Random, distinct among our raw sockets; each probe on it gets its own random sequence number. */
    final int ident;

    IcmpSocket(boolean v6, String device, int mark, int fd, int ident) {
        this.v6 = v6;
        this.device = device;
        this.mark = mark;
        this.fd = fd;
        this.ident = ident;
    }
}
