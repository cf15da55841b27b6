package dualwan.model;

/** How a host is probed. Config syntax: {@code icmp}, {@code dns}, {@code tcp:PORT}. */
public sealed interface ProbeMethod {

    /** ICMP echo request; the reply must match our identifier and sequence. */
    record Icmp() implements ProbeMethod {
        @Override public String toString() { return "icmp"; }
    }

    /** A DNS query (UDP port 53); any well-formed answer with our query id counts, even NXDOMAIN or REFUSED. */
    record Dns() implements ProbeMethod {
        @Override public String toString() { return "dns"; }
    }

    /** A TCP connect; an accepted connection or a RST (the host answered) counts. */
    record Tcp(int port) implements ProbeMethod {
        @Override public String toString() { return "tcp:" + port; }
    }

    ProbeMethod ICMP = new Icmp();
    ProbeMethod DNS = new Dns();
}
