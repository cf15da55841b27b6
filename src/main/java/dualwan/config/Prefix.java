package dualwan.config;

import java.net.Inet4Address;

/** An IPv4 prefix such as 192.168.1.0/24; the host bits are zero (the loader rejects anything else). */
public record Prefix(Inet4Address address, int length) {

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
