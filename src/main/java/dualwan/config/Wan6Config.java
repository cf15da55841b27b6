package dualwan.config;

import java.net.Inet6Address;
import java.util.Optional;

/**
 * IPv6 on one uplink; an uplink without it ({@code WanConfig.ipv6()} empty) is never judged or chosen for IPv6.
 *
 * @param gateway       a fixed gateway (often link-local, its scope the uplink's interface), or empty for
 *                      {@code auto}: the main table's IPv6 default through the interface (from router adverts)
 * @param nat           how the LAN's IPv6 traffic leaving here is translated (used only with {@code lan.ipv6})
 * @param prefix        a static delegated prefix ({@code prefix6: PREFIX})
 * @param prefixLearned the delegated prefix is learned from the DHCPv6 client's hook file
 *                      ({@code prefix6: learned}, in {@code lan.ipv6.learned-dir})
 */
public record Wan6Config(Optional<Inet6Address> gateway, Nat6 nat, Optional<Prefix6> prefix, boolean prefixLearned) {

    /** The default for an uplink with IPv6 hosts and no IPv6 keys: gateway auto, masquerade, no prefix. */
    public static Wan6Config auto() {
        return new Wan6Config(Optional.empty(), Nat6.MASQUERADE, Optional.empty(), false);
    }
}
