package dualwan.config;

import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;

/**
 * One uplink.
 *
 * @param name      unique, [A-Za-z0-9_-]{1,32}
 * @param iface     Linux interface name (1–15 chars of [A-Za-z0-9_.-])
 * @param gateway   a fixed gateway, or empty for {@code auto} (discovered from the kernel)
 * @param priority  lower wins, like MikroTik's distance
 * @param check     how the uplink is judged
 * @param table     routing table holding this uplink's default route (pins probes and replies)
 * @param mark      firewall mark carried by this uplink's probes and by LAN flows a policy sends here;
 *                  {@code ip rule fwmark} sends them to {@code table}
 * @param nat       how LAN traffic leaving this uplink is translated
 * @param dns       DNS servers of this uplink, or empty for {@code auto} (learned from its DHCP/PPP client)
 * @param metered   a data plan: probed sparingly while it carries no traffic
 * @param ipv6      IPv6 on this uplink; empty: none (no IPv6 hosts and no {@code gateway6})
 */
public record WanConfig(String name, String iface, Optional<Inet4Address> gateway, int priority,
                        CheckConfig check, int table, int mark, Nat nat, Optional<List<Inet4Address>> dns,
                        boolean metered, Optional<Wan6Config> ipv6) {

    public WanConfig {
        dns = dns.map(List::copyOf);
    }

    /** Without IPv6. */
    public WanConfig(String name, String iface, Optional<Inet4Address> gateway, int priority, CheckConfig check,
                     int table, int mark, Nat nat, Optional<List<Inet4Address>> dns, boolean metered) {
        this(name, iface, gateway, priority, check, table, mark, nat, dns, metered, Optional.empty());
    }

    /** Not metered. */
    public WanConfig(String name, String iface, Optional<Inet4Address> gateway, int priority, CheckConfig check,
                     int table, int mark, Nat nat, Optional<List<Inet4Address>> dns) {
        this(name, iface, gateway, priority, check, table, mark, nat, dns, false);
    }
}
