package dualwan.probe;

import java.util.concurrent.ThreadLocalRandom;

/** A raw ICMP socket pinned to one (device, mark); kept open and shared by that uplink's pings. */
final class IcmpSocket {
    final String device;
    final int mark;
    final int fd;
    final int ident;
    int nextSeq;

    IcmpSocket(String device, int mark, int fd, int ident) {
        this.device = device;
        this.mark = mark;
        this.fd = fd;
        this.ident = ident;
        this.nextSeq = ThreadLocalRandom.current().nextInt(0x10000);
    }
}
