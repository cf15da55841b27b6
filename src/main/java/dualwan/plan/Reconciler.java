package dualwan.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code ip} commands that take the kernel from what it has to what the plan wants — nothing when they
 * already agree, so applying a plan twice, or again after a restart, changes nothing and duplicates nothing.
 * Every rule priority in the owned block and every owned table is ours: anything else found there goes.
 */
public final class Reconciler {

    private Reconciler() {
    }

    /**
     * @param actualRules  every rule the kernel has (others outside the block are ignored)
     * @param actualTables contents of the tables named in the plan
     * @return argv lists, each to run as {@code ip ARGS}, in order
     */
    public static List<List<String>> commands(RoutingPlan plan, List<RuleSpec> actualRules,
                                              Map<Integer, List<RouteSpec>> actualTables) {
        List<List<String>> out = new ArrayList<>();
        // Routes first: a rule pointing at a table should find its routes already there.
        for (var e : new TreeMap<>(plan.tables()).entrySet()) {
            int table = e.getKey();
            List<RouteSpec> want = e.getValue();
            List<RouteSpec> have = actualTables.getOrDefault(table, List.of());
            for (RouteSpec r : want) {
                if (!have.contains(r)) {
                    out.add(r.args("replace", table));
                }
            }
            for (RouteSpec r : have) {
                if (want.stream().noneMatch(r::sameSlot)) {
                    out.add(r.args("del", table));
                }
            }
        }
        Map<Integer, List<RuleSpec>> haveByPriority = new TreeMap<>();
        for (RuleSpec r : actualRules) {
            if (r.priority() >= plan.firstPriority() && r.priority() <= plan.lastPriority()) {
                haveByPriority.computeIfAbsent(r.priority(), p -> new ArrayList<>()).add(r);
            }
        }
        TreeSet<Integer> priorities = new TreeSet<>(haveByPriority.keySet());
        plan.rules().forEach(r -> priorities.add(r.priority()));
        for (int p : priorities) {
            List<RuleSpec> want = plan.rules().stream().filter(r -> r.priority() == p).toList();
            List<RuleSpec> have = haveByPriority.getOrDefault(p, List.of());
            if (have.equals(want)) {
                continue;
            }
            // Deleting by priority removes one rule at a time; clear the slot, then add what belongs there.
            for (int i = 0; i < have.size(); i++) {
                out.add(List.of("rule", "del", "priority", Integer.toString(p)));
            }
            want.forEach(r -> out.add(r.addArgs()));
        }
        return out;
    }
}
