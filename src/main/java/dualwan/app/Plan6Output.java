package dualwan.app;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.linux.Discovery6;
import dualwan.linux.LinuxKernel;
import dualwan.plan.NftPlanner6;
import dualwan.plan.Planner6;
import dualwan.plan.Planner6.Uplink6;
import dualwan.plan.Reconciler;
import dualwan.plan.RoutingPlan6;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The IPv6 part of {@code dualwan plan}. The engine does not judge IPv6 yet, so the IPv6 uplink is chosen here
 * the way the engine chooses for IPv4 with every uplink healthy: the best priority among the uplinks with IPv6
 * whose interface exists — and the output says so.
 */
final class Plan6Output {

    private Plan6Output() {
    }

    static void print(Config config, LinuxKernel kernel, PrintStream out) {
        if (!Planner6.configured(config)) {
            return;
        }
        Map<String, Uplink6> facts;
        try {
            facts = Discovery6.readAll(kernel, config);
        } catch (IOException e) {
            out.println("# cannot read the kernel's IPv6 addressing (" + e.getMessage() + ")");
            facts = new LinkedHashMap<>();
            for (WanConfig w : config.wans()) {
                if (w.ipv6().isPresent()) {
                    facts.put(w.name(), Uplink6.missing(w));
                }
            }
        }
        Map<String, Uplink6> known = facts;
        Optional<String> active6 = config.wans().stream()
                .filter(w -> w.ipv6().isPresent() && known.containsKey(w.name()) && known.get(w.name()).present())
                .min((a, b) -> Integer.compare(a.priority(), b.priority())).map(WanConfig::name)
                .or(() -> Planner6.bestByPriority(config));
        RoutingPlan6 plan = Planner6.plan(config, facts, active6, true);
        out.println("# IPv6 (in progress: the engine does not judge IPv6 yet): the plan with every uplink healthy, the"
                + " LAN's IPv6 on " + active6.orElse("none") + " by the same priority order as IPv4");
        facts.forEach((name, u) -> out.println("#   " + name + ": " + (u.present() ? "addresses " + u.addresses()
                .stream().map(dualwan.config.Ipv6::text).toList() + ", gateway6 " + u.gateway().map(dualwan.config.Ipv6::text)
                .orElse("not found") + ", delegated prefix " + u.delegated().map(Object::toString).orElse("none")
                : "no interface")));
        plan.notes().forEach(n -> out.println("# " + n));
        List<List<String>> commands;
        try {
            commands = Reconciler.commands6(plan, kernel.rules6(), kernel.tables6(plan.tables().keySet()));
            out.println("# IPv6 commands to reach it from the kernel's current state:");
        } catch (IOException e) {
            commands = Reconciler.commands6(plan, List.of(), Map.of());
            out.println("# cannot read the kernel's IPv6 rules (" + e.getMessage() + "); the full IPv6 plan from nothing:");
        }
        commands.forEach(c -> out.println("ip " + String.join(" ", c)));
        if (commands.isEmpty()) {
            out.println("# nothing: the kernel's IPv6 rules and routes already match");
        }
        List<String> nat = NftPlanner6.postrouting(config, facts);
        if (config.lan().ipv6().isPresent()) {
            out.println("# the nftables table's IPv6 part (postrouting; IPv4's masquerade lines then read 'meta nfproto"
                    + " ipv4 masquerade'):");
            nat.forEach(l -> out.println("\t\t" + l));
            if (nat.isEmpty()) {
                out.println("# (none: every IPv6 uplink has nat6: none)");
            }
            out.println("# and while no uplink has working IPv6 but IPv4 works, this chain:");
            out.print(NftPlanner6.unreachableChain(config));
        }
    }
}
