package dualwan.app;

import dualwan.config.Config;
import dualwan.config.RoutingConfig;
import dualwan.config.WanConfig;
import dualwan.linux.Kernel;
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

    /** Reads the kernel, removes dualwan's part, prints what it did. 0 done (or nothing to do), 1 failed. */
    static int run(Config config, Kernel kernel, PrintStream out, PrintStream err) throws IOException {
        Set<Integer> tables = tables(config);
        Removal removal = plan(config.routing(), tables, kernel.rules(), kernel.tables(tables),
                kernel.nftTable().isPresent());
        if (removal.nothing()) {
            out.println("cleanup: nothing of dualwan's in the kernel");
            return 0;
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
        return failures == 0 ? 0 : 1;
    }
}
