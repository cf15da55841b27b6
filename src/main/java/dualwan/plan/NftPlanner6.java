package dualwan.plan;

import dualwan.config.Config;
import dualwan.config.LanIpv6Config;
import dualwan.config.Prefix6;
import dualwan.config.WanConfig;
import dualwan.plan.Planner6.Uplink6;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The IPv6 part of dualwan's one {@code table inet dualwan} (see {@link NftPlanner}): only with {@code lan.ipv6}.
 * <pre>
 *   postrouting (srcnat), per uplink:  masquerade  oifname IF ip6 saddr LAN masquerade
 *                                      prefix      oifname IF ip6 saddr LAN snat ip6 prefix to DELEGATED/LANLEN
 *                                                  (netmap: the host part is kept, so each LAN host keeps a
 *                                                  distinct public address; the LAN's /n goes onto the first /n
 *                                                  of the delegated prefix, which must be as long or shorter)
 *                                      none        nothing (a routed prefix)
 *   unreachable6 (prerouting, after the policy marks), only while the LAN's IPv6 default is unreachable:
 *                                      new LAN TCP gets a reset, other LAN IPv6 an ICMPv6 admin-prohibited,
 *                                      when its route lookup (with its mark) finds nothing: the kernel
 *                                      rate-limits its own ICMPv6 errors per host, a reset is never late
 * </pre>
 * A {@code prefix} uplink whose delegated prefix is not known yet (or unusable) is masqueraded meanwhile, so the
 * LAN's IPv6 works through it from the first minute.
 */
public final class NftPlanner6 {

    private NftPlanner6() {
    }

    /** The postrouting lines for the LAN's IPv6, in uplink order; empty without {@code lan.ipv6}. */
    public static List<String> postrouting(Config config, Map<String, Uplink6> uplinks) {
        Optional<LanIpv6Config> lan = config.lan().ipv6();
        List<String> out = new ArrayList<>();
        if (lan.isEmpty()) {
            return out;
        }
        Prefix6 own = lan.get().prefix();
        for (WanConfig w : config.wans()) {
            if (w.ipv6().isEmpty()) {
                continue;
            }
            String match = "oifname " + NftPlanner.quoted(w.iface()) + " ip6 saddr " + own + " ";
            switch (w.ipv6().get().nat()) {
                case MASQUERADE -> out.add(match + "masquerade");
                case PREFIX -> out.add(translated(own, uplinks.get(w.name()))
                        .map(p -> match + "snat ip6 prefix to " + p)
                        .orElse(match + "masquerade comment \"no usable delegated prefix yet\""));
                case NONE -> { }
            }
        }
        return out;
    }

    /** Where {@code prefix} translation puts the LAN prefix on this uplink, if its delegated prefix can take it. */
    public static Optional<Prefix6> translated(Prefix6 lan, Uplink6 uplink) {
        return Optional.ofNullable(uplink).flatMap(Uplink6::delegated).filter(d -> d.length() <= lan.length())
                .map(d -> d.firstSubnet(lan.length()));
    }

    /** The chain that answers LAN IPv6 at once while its default is unreachable. */
    public static String unreachableChain(Config config) {
        String wans = config.wans().stream().map(w -> NftPlanner.quoted(w.iface())).collect(Collectors.joining(", "));
        String match = "meta nfproto ipv6 iifname != { " + wans + " } ip6 daddr != { fe80::/10, ff00::/8 }"
                + " fib daddr type != local fib daddr . mark oif missing ";
        return "\tchain unreachable6 {\n"
                + "\t\ttype filter hook prerouting priority mangle + 10; policy accept;\n"
                + "\t\t" + match + "meta l4proto tcp reject with tcp reset comment \"no uplink has working IPv6\"\n"
                + "\t\t" + match + "reject with icmpv6 admin-prohibited comment \"no uplink has working IPv6\"\n"
                + "\t}\n";
    }
}
