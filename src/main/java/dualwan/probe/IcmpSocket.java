package dualwan.probe;

/** A raw ICMP socket pinned to one (device, mark); kept open and shared by that uplink's pings. */
final class IcmpSocket {
    final String device;
    final int mark;
    final int fd;
    /** Random, distinct among our raw sockets; each probe on it gets its own random sequence number. */
    final int ident;

    IcmpSocket(String device, int mark, int fd, int ident) {
        this.device = device;
        this.mark = mark;
        this.fd = fd;
        this.ident = ident;
    }
}
