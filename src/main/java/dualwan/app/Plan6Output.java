package dualwan.app;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.linux.Discovery6;
import dualwan.linux.Kernel;
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

/**
 * The IPv6 part of {@code dualwan plan}: the IPv6 facts read from the kernel, and the engine's IPv6 plan with
 * every uplink healthy (the same steady-state run that plans IPv4), as the {@code ip -6} commands that would
 * reach it from the kernel's current state. Nothing for a config without IPv6.
 */
final class Plan6Output {

    private Plan6Output() {
    }

    /** The kernel's IPv6 facts for the engine's run; every IPv6 uplink missing when they cannot be read. */
    static Map<String, Uplink6> facts(Config config, Kernel kernel, PrintStream out) {
        if (!Planner6.configured(config)) {
            return Map.of();
        }
        try {
            return Discovery6.readAll(kernel, config);
        } catch (IOException e) {
            out.println("# cannot read the kernel's IPv6 addressing (" + e.getMessage() + ")");
            Map<String, Uplink6> missing = new LinkedHashMap<>();
            for (WanConfig w : config.wans()) {
                if (w.ipv6().isPresent()) {
                    missing.put(w.name(), Uplink6.missing(w));
                }
            }
            return missing;
        }
    }

    static void print(Config config, Kernel kernel, Map<String, Uplink6> facts, RoutingPlan6 plan, PrintStream out) {
        if (!Planner6.configured(config)) {
            return;
        }
        out.println("# IPv6, judged apart from IPv4: the plan with every uplink's IPv6 healthy");
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
        if (config.lan().ipv6().isPresent()) {
            out.println("# while no uplink has working IPv6 but IPv4 works, the LAN's IPv6 default is unreachable and"
                    + " the table gets this chain:");
            out.print(NftPlanner6.unreachableChain(config));
        }
    }
}
