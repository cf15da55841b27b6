package dualwan.health;

/**
 * An address family. Each uplink is judged once per family it has: IPv4 by its IPv4 gateway and hosts, IPv6 by
 * its IPv6 gateway and hosts, each with the same {@code check.*} settings, so one family can fail while the other
 * works.
 */
public enum Family {
    IPV4(20), IPV6(40);

    /** The IP header's bytes (what a probe costs on the wire differs by it). */
    final int ipHeader;

    Family(int ipHeader) {
        this.ipHeader = ipHeader;
    }
}
