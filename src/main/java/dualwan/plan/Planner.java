package dualwan.plan;

import dualwan.config.Config;
import dualwan.config.WanConfig;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the decision into the kernel state we want — MikroTik's recursive routes, the Linux way:
 * <pre>
 *   P      lookup main suppress_prefixlength 0   LAN and connected routes from main, never main's default
 *   P+1+i  fwmark M_i lookup T_i                 probes of uplink i, and LAN flows a policy sends there, use
 *                                                only uplink i's table (after main: marked LAN traffic to the
 *                                                LAN itself still takes main's routes)
 *   P+20+i from ADDR_i lookup T_i                replies and the router's own traffic from uplink i's address
 *   P+30   lookup LAN                            the chosen default for everything else
 *   T_i:   default via GW_i dev IF_i onlink; unreachable default metric MAX (never fall through)
 *   LAN:   default via GW_active dev IF_active onlink
 * </pre>
 * The main table stays the DHCP client's; we only add rules in front of it.
 */
public final class Planner {

    /**
     * What the kernel told us about one uplink.
     *
     * @param present the interface exists
     * @param address its IPv4 address, if any
     * @param gateway the configured gateway, or the discovered one for {@code auto}
     */
    public record UplinkAddressing(boolean present, Optional<Inet4Address> address, Optional<Inet4Address> gateway) {

        /** What an uplink whose interface does not exist has: nothing to ask the kernel about. */
        public static UplinkAddressing missing(WanConfig wan) {
            return new UplinkAddressing(false, Optional.empty(), wan.gateway());
        }
    }

    private Planner() {
    }

    public static RoutingPlan plan(Config config, Map<String, UplinkAddressing> uplinks, Optional<String> active) {
        int base = config.routing().rulePriority();
        List<RuleSpec> rules = new ArrayList<>();
        Map<Integer, List<RouteSpec>> tables = new HashMap<>();
        List<WanConfig> wans = config.wans();
        for (int i = 0; i < wans.size(); i++) {
            WanConfig w = wans.get(i);
            UplinkAddressing a = uplinks.getOrDefault(w.name(), new UplinkAddressing(false, Optional.empty(), Optional.empty()));
            rules.add(RuleSpec.fwmark(base + 1 + i, w.mark(), w.table()));
            int slot = i;
            a.address().ifPresent(addr -> rules.add(RuleSpec.from(base + 20 + slot, addr, w.table())));
            List<RouteSpec> routes = new ArrayList<>();
            if (a.present() && a.gateway().isPresent()) {
                routes.add(RouteSpec.defaultVia(a.gateway().get(), w.iface()));
            }
            routes.add(RouteSpec.unreachableDefault());
            tables.put(w.table(), routes);
        }
        rules.add(RuleSpec.mainWithoutDefault(base));
        rules.add(RuleSpec.lookup(base + 30, config.routing().lanTable()));
        active.flatMap(config::wan).ifPresent(w -> {
            UplinkAddressing a = uplinks.get(w.name());
            if (a != null && a.present() && a.gateway().isPresent()) {
                tables.put(config.routing().lanTable(), List.of(RouteSpec.defaultVia(a.gateway().get(), w.iface())));
            }
            // Otherwise the LAN table is left as it is: a stale route beats no route.
        });
        rules.sort((x, y) -> Integer.compare(x.priority(), y.priority()));
        return new RoutingPlan(base, base + dualwan.config.RoutingConfig.RULE_BLOCK - 1, rules, tables);
    }
}
