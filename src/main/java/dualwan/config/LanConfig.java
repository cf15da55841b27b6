package dualwan.config;

import java.util.List;
import java.util.Optional;

/**
 * @param interfaces LAN-side interfaces (informational for now; NAT and policies use them later)
 * @param ipv6       the LAN's IPv6 prefix; empty: IPv6 is left alone
 */
public record LanConfig(List<String> interfaces, Optional<LanIpv6Config> ipv6) {

    public LanConfig {
        interfaces = List.copyOf(interfaces);
    }

    /** Without IPv6. */
    public LanConfig(List<String> interfaces) {
        this(interfaces, Optional.empty());
    }
}
