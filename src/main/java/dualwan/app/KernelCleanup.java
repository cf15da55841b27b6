package dualwan.app;

import dualwan.config.Config;
import dualwan.config.RoutingConfig;
import dualwan.config.WanConfig;
import dualwan.linux.Kernel;
import dualwan.linux.LinuxKernel;
import dualwan.plan.Planner6;
import dualwan.plan.Route6Spec;
import dualwan.plan.Rule6Spec;
import dualwan.plan.NftPlanner;
import dualwan.plan.RouteSpec;
import dualwan.plan.RuleSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code dualwan cleanup}: takes out of the kernel everything dualwan puts there, so that the LAN follows the
 * main table again. That is the rule block ({@code rule-priority} … +{@link RoutingConfig#RULE_BLOCK}−1), the
 * routes of the uplinks' tables and of the LAN table, and the nftables table {@code inet dualwan}. Nothing
 * else is touched. Idempotent: a clean kernel gets no command at all. The package's prerm runs it on removal.
 */
final class KernelCleanup {

    static final String DELETE_TABLE = "delete table " + NftPlanner.FAMILY + " " + NftPlanner.TABLE + "\n";

    private KernelCleanup() {
    }

    /** What to remove: {@code ip} argument lists, and whether the nftables table goes. */
    record Removal(List<List<String>> ip, boolean nftTable, int rules, int routes) {
        boolean nothing() {
            return ip.isEmpty() && !nftTable;
        }
    }

    /** The tables dualwan writes: each uplink's, then the LAN's. */
    static Set<Integer> tables(Config config) {
        Set<Integer> ids = new LinkedHashSet<>();
        config.wans().stream().map(WanConfig::table).forEach(ids::add);
        ids.add(config.routing().lanTable());
        return ids;
    }

    /** Pure: the commands that remove dualwan's part of what the kernel holds. */
    static Removal plan(RoutingConfig routing, Set<Integer> tables, List<RuleSpec> rules,
                        Map<Integer, List<RouteSpec>> routes, boolean nftTablePresent) {
        int first = routing.rulePriority();
        int last = first + RoutingConfig.RULE_BLOCK - 1;
        List<List<String>> ip = new ArrayList<>();
        int ruleCount = 0;
        for (RuleSpec r : rules) {
            if (r.priority() >= first && r.priority() <= last) {
                // One delete per rule listed: "ip rule del priority N" removes one rule of that priority.
                ip.add(List.of("rule", "del", "priority", Integer.toString(r.priority())));
                ruleCount++;
            }
        }
        int routeCount = 0;
        for (int t : tables) {
            int n = routes.getOrDefault(t, List.of()).size();
            if (n > 0) {
                ip.add(List.of("route", "flush", "table", Integer.toString(t)));
                routeCount += n;
            }
        }
        return new Removal(List.copyOf(ip), nftTablePresent, ruleCount, routeCount);
    }

    /**
     * Pure, for IPv6 (a config with IPv6 uplinks): {@code ip -6 rule del priority P} per IPv6 rule in the block
     * and {@code ip -6 route del ROUTE table T} per IPv6 route of the same tables.
     */
    static Removal plan6(RoutingConfig routing, Set<Integer> tables, List<Rule6Spec> rules,
                         Map<Integer, List<Route6Spec>> routes) {
        int first = routing.rulePriority();
        int last = first + RoutingConfig.RULE_BLOCK - 1;
        List<List<String>> ip = new ArrayList<>();
        int ruleCount = 0;
        for (Rule6Spec r : rules) {
            if (r.priority() >= first && r.priority() <= last) {
                ip.add(List.of("-6", "rule", "del", "priority", Integer.toString(r.priority())));
                ruleCount++;
            }
        }
        int routeCount = 0;
        for (int t : tables) {
            // Each route by its spec: "ip -6 route flush table T" leaves unreachable routes in place.
            for (Route6Spec r : routes.getOrDefault(t, List.of())) {
                ip.add(r.args("del", t));
                routeCount++;
            }
        }
        return new Removal(List.copyOf(ip), false, ruleCount, routeCount);
    }

    /** The IPv6 part, when the config has IPv6 and the kernel is the real one: 0 done or nothing, 1 failed. */
    private static int runIpv6(Config config, Kernel kernel, Set<Integer> tables, PrintStream out, PrintStream err)
            throws IOException {
        if (!(kernel instanceof LinuxKernel linux) || !Planner6.configured(config)) {
            return 0;
        }
        Removal removal = plan6(config.routing(), tables, linux.rules6(), linux.tables6(tables));
        int failures = 0;
        for (List<String> args : removal.ip()) {
            Optional<String> error = kernel.ip(args);
            if (error.isPresent()) {
                err.println("cleanup: ip " + String.join(" ", args) + ": " + error.get());
                failures++;
            }
        }
        if (!removal.nothing()) {
            out.println("cleanup: removed " + removal.rules() + " IPv6 rule(s) and " + removal.routes()
                    + " IPv6 route(s) of the same priorities and tables");
        }
        return failures == 0 ? 0 : 1;
    }

    /** Reads the kernel, removes dualwan's part, prints what it did. 0 done (or nothing to do), 1 failed. */
    static int run(Config config, Kernel kernel, PrintStream out, PrintStream err) throws IOException {
        Set<Integer> tables = tables(config);
        int ipv6 = runIpv6(config, kernel, tables, out, err);
        Removal removal = plan(config.routing(), tables, kernel.rules(), kernel.tables(tables),
                kernel.nftTable().isPresent());
        if (removal.nothing()) {
            out.println("cleanup: nothing of dualwan's in the kernel");
            return ipv6;
        }
        int failures = 0;
        for (List<String> args : removal.ip()) {
            Optional<String> error = kernel.ip(args);
            if (error.isPresent()) {
                err.println("cleanup: ip " + String.join(" ", args) + ": " + error.get());
                failures++;
            }
        }
        if (removal.nftTable()) {
            Optional<String> error = kernel.nft(DELETE_TABLE);
            if (error.isPresent()) {
                err.println("cleanup: " + error.get());
                failures++;
            }
        }
        int first = config.routing().rulePriority();
        out.println("cleanup: removed " + removal.rules() + " rule(s) of priorities " + first + "-"
                + (first + RoutingConfig.RULE_BLOCK - 1) + ", " + removal.routes() + " route(s) of tables "
                + tables.stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("")
                + (removal.nftTable() ? ", and table " + NftPlanner.FAMILY + " " + NftPlanner.TABLE : ""));
        return failures == 0 && ipv6 == 0 ? 0 : 1;
    }
}
