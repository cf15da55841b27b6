package dualwan.config;

import java.util.List;

/** @param interfaces LAN-side interfaces (informational for now; NAT and policies use them later) */
public record LanConfig(List<String> interfaces) {

    public LanConfig {
        interfaces = List.copyOf(interfaces);
    }
}
