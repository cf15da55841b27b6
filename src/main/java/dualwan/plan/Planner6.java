package dualwan.plan;

import dualwan.config.Config;
import dualwan.config.LanIpv6Config;
import dualwan.config.Prefix6;
import dualwan.config.RoutingConfig;
import dualwan.config.WanConfig;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The IPv6 routing plan: {@link Planner}'s rules and tables again, for {@code ip -6}, at the same priorities and
 * in the same table ids (IPv6 rules and routes are a namespace of their own). Pure. With P = rule-priority:
 * <pre>
 *   P      lookup main suppress_prefixlength 0     main's specific IPv6 routes (LAN, link-local, the RA's
 *                                                  on-link prefixes) before anything else, never its default
 *   P+1+i  fwmark M_i lookup T_i                   uplink i's IPv6 probes (and a policy's flows) see only T_i
 *   P+20+i from ADDR_i/128 lookup T_i              replies and the router's own traffic from each global
 *          from DELEGATED_i lookup T_i             address of uplink i, and from its delegated prefix
 *   P+30   lookup LAN                              the LAN's chosen IPv6 default (only with lan.ipv6)
 *   T_i:   default via GW6_i dev IF_i metric 1024; unreachable default metric MAX (never fall through)
 *   LAN:   default via GW6_active6 dev IF_active6, or unreachable default when no uplink has working IPv6
 *          but one has working IPv4 (an immediate error, so Happy Eyeballs takes IPv4 at once)
 * </pre>
 * Main's specific routes need no input of their own: the suppress rule hands them over as they are. Uplinks
 * without IPv6 get nothing; a config without any IPv6 gets an empty plan (nothing read, nothing written).
 */
public final class Planner6 {

    /** Global addresses listed per uplink at most (SLAAC may add temporary ones): one rule each. */
    public static final int MAX_ADDRESSES = 8;

    /**
     * What the kernel and the DHCPv6 hook told us about one uplink's IPv6.
     *
     * @param present   the interface exists
     * @param addresses its global IPv6 addresses (SLAAC or DHCPv6), first the preferred one
     * @param gateway   the configured gateway6, or the main table's IPv6 default through the interface for
     *                  {@code auto}; its device is the uplink's interface (a link-local gateway means nothing
     *                  without it)
     * @param delegated the delegated prefix (static {@code prefix6} or the hook's file), if known
     */
    public record Uplink6(boolean present, List<Inet6Address> addresses, Optional<Inet6Address> gateway,
                          Optional<Prefix6> delegated) {

        public Uplink6 {
            addresses = List.copyOf(addresses);
        }

        public static Uplink6 missing(WanConfig wan) {
            return new Uplink6(false, List.of(), wan.ipv6().flatMap(w -> w.gateway()), wan.ipv6().flatMap(w -> w.prefix()));
        }
    }

    private Planner6() {
    }

    /** True when some uplink has IPv6: only then is there anything to plan, read or write for IPv6. */
    public static boolean configured(Config config) {
        return config.wans().stream().anyMatch(w -> w.ipv6().isPresent());
    }

    /**
     * @param active6    the uplink chosen for the LAN's IPv6, or empty when none has working IPv6
     * @param ipv4Works  some uplink has working IPv4 (active for IPv4): then no IPv6 means {@code unreachable};
     *                   when nothing works at all, the LAN table is left as it is (a stale route beats none)
     */
    public static RoutingPlan6 plan(Config config, Map<String, Uplink6> uplinks, Optional<String> active6,
                                    boolean ipv4Works) {
        int base = config.routing().rulePriority();
        int last = base + RoutingConfig.RULE_BLOCK - 1;
        if (!configured(config)) {
            return new RoutingPlan6(base, last, List.of(), Map.of(), List.of());
        }
        List<Rule6Spec> rules = new ArrayList<>();
        Map<Integer, List<Route6Spec>> tables = new HashMap<>();
        List<String> notes = new ArrayList<>();
        rules.add(Rule6Spec.mainWithoutDefault(base));
        List<WanConfig> wans = config.wans();
        for (int i = 0; i < wans.size(); i++) {
            WanConfig w = wans.get(i);
            if (w.ipv6().isEmpty()) {
                continue;
            }
            Uplink6 u = uplinks.getOrDefault(w.name(), Uplink6.missing(w));
            rules.add(Rule6Spec.fwmark(base + 1 + i, w.mark(), w.table()));
            int slot = base + 20 + i;
            u.addresses().stream().limit(MAX_ADDRESSES)
                    .forEach(a -> rules.add(Rule6Spec.from(slot, new Prefix6(a, 128), w.table())));
            u.delegated().ifPresent(p -> rules.add(Rule6Spec.from(slot, p, w.table())));
            List<Route6Spec> routes = new ArrayList<>();
            if (u.present() && u.gateway().isPresent()) {
                routes.add(Route6Spec.defaultVia(u.gateway().get(), w.iface()));
            }
            routes.add(Route6Spec.unreachableDefault());
            tables.put(w.table(), routes);
        }
        Optional<LanIpv6Config> lan = config.lan().ipv6();
        if (lan.isPresent()) {
            rules.add(Rule6Spec.lookup(base + 30, config.routing().lanTable()));
            Optional<WanConfig> chosen = active6.flatMap(config::wan).filter(w -> w.ipv6().isPresent());
            if (chosen.isPresent()) {
                WanConfig w = chosen.get();
                Uplink6 u = uplinks.getOrDefault(w.name(), Uplink6.missing(w));
                if (u.present() && u.gateway().isPresent()) {
                    tables.put(config.routing().lanTable(), List.of(Route6Spec.defaultVia(u.gateway().get(), w.iface())));
                } else {
                    notes.add(w.name() + " has no IPv6 gateway yet: the LAN's IPv6 default is left as it is");
                }
            } else if (ipv4Works) {
                tables.put(config.routing().lanTable(), List.of(Route6Spec.unreachableLanDefault()));
                notes.add("no uplink has working IPv6 but IPv4 works: the LAN's IPv6 default is unreachable, and"
                        + " new TCP connections get a reset, others an ICMPv6 error, so clients take IPv4 at once");
            } else {
                notes.add("nothing works: the LAN's IPv6 default is left as it is");
            }
        }
        rules.sort((x, y) -> Integer.compare(x.priority(), y.priority()));
        return new RoutingPlan6(base, last, rules, tables, notes);
    }

    /** True when the plan makes the LAN's IPv6 default unreachable (the nft table then answers for it). */
    public static boolean lanUnreachable(Config config, RoutingPlan6 plan) {
        return plan.tables().getOrDefault(config.routing().lanTable(), List.of()).contains(Route6Spec.unreachableLanDefault());
    }

    /**
     * The uplink that IPv6 would use with every uplink healthy: the best priority among those with IPv6, the
     * same order as IPv4 (for {@code dualwan plan}, before the engine judges IPv6 itself).
     */
    public static Optional<String> bestByPriority(Config config) {
        return config.wans().stream().filter(w -> w.ipv6().isPresent())
                .min((a, b) -> Integer.compare(a.priority(), b.priority())).map(WanConfig::name);
    }
}
