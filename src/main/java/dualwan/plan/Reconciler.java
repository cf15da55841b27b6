package dualwan.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code ip} commands that take the kernel from what it has to what the plan wants — nothing when they
 * already agree, so applying a plan twice, or again after a restart, changes nothing and duplicates nothing.
 * Every rule priority in the owned block and every owned table is ours: anything else found there goes. A rule
 * slot that changes gets its new rule before it loses the old one.
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
            List<RuleSpec> want = List.copyOf(new LinkedHashSet<>(
                    plan.rules().stream().filter(r -> r.priority() == p).toList()));
            out.addAll(slot(p, want, haveByPriority.getOrDefault(p, List.of())));
        }
        return out;
    }

    /**
     * The commands that take one rule slot (priority) from {@code have} (in the kernel's order: oldest first) to
     * {@code want}, with the wanted rule in place all along: new rules are added before the rules they replace
     * are deleted, each of ours deleted by its full spec. Two kernel rules make this careful:
     * <ul>
     *   <li>{@code ip rule del priority P} deletes the slot's oldest rule, whatever it is. A foreign rule (one
     *       with selectors we do not write, so cannot name) can only be deleted that way, so those deletes run
     *       first, while the slot's order is still the one we read, and take every rule up to the last foreign
     *       one with them (own ones among them are added again after).</li>
     *   <li>A rule request leaves out selectors it does not name: {@code del ... lookup 200} also matches an
     *       older {@code from X lookup 200}, and {@code add ... lookup 200} next to that one fails with EEXIST,
     *       as does adding a rule that is already there. When that would hit the wrong rule, the slot is
     *       cleared and filled again instead (only possible when someone else put rules of our shapes there).</li>
     * </ul>
     */
    private static List<List<String>> slot(int priority, List<RuleSpec> want, List<RuleSpec> have) {
        List<String> bareDelete = List.of("rule", "del", "priority", Integer.toString(priority));
        int lastForeign = -1;
        for (int i = 0; i < have.size(); i++) {
            if (have.get(i).foreign()) {
                lastForeign = i;
            }
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i <= lastForeign; i++) {
            out.add(bareDelete);
        }
        List<RuleSpec> slot = new ArrayList<>(have.subList(lastForeign + 1, have.size()));
        List<RuleSpec> surplus = new ArrayList<>(slot);
        List<RuleSpec> missing = new ArrayList<>();
        for (RuleSpec w : want) {
            if (!surplus.remove(w)) {
                missing.add(w);
            }
        }
        List<List<String>> changes = new ArrayList<>();
        boolean exact = true;
        for (RuleSpec w : missing) {
            exact &= slot.stream().noneMatch(r -> addCollides(w, r));
            slot.add(w); // the kernel puts a new rule behind the older ones of its priority
            changes.add(w.addArgs());
        }
        for (RuleSpec d : surplus) {
            int hit = firstDeleted(d, slot);
            exact &= hit >= 0 && slot.get(hit).equals(d);
            if (hit >= 0) {
                slot.remove(hit);
            }
            changes.add(d.delArgs());
        }
        if (exact) {
            out.addAll(changes);
            return out;
        }
        List<List<String>> cleared = new ArrayList<>();
        for (int i = 0; i < have.size(); i++) {
            cleared.add(bareDelete);
        }
        want.forEach(w -> cleared.add(w.addArgs()));
        return cleared;
    }

    /**
     * The kernel refuses {@code add} of {@code request} (EEXIST) when a rule of its priority and table has its
     * mark and suppressor exactly and, if it names a source, that source.
     */
    private static boolean addCollides(RuleSpec request, RuleSpec r) {
        return r.priority() == request.priority() && r.table().equals(request.table())
                && r.fwmark().equals(request.fwmark()) && r.suppressDefault() == request.suppressDefault()
                && (request.from().isEmpty() || r.from().equals(request.from()));
    }

    /** Which rule of the slot {@code del} of {@code request} removes: the first with every selector it names. */
    private static int firstDeleted(RuleSpec request, List<RuleSpec> slot) {
        for (int i = 0; i < slot.size(); i++) {
            RuleSpec r = slot.get(i);
            if (r.priority() == request.priority() && r.table().equals(request.table())
                    && (request.fwmark().isEmpty() || r.fwmark().equals(request.fwmark()))
                    && (request.from().isEmpty() || r.from().equals(request.from()))
                    && (!request.suppressDefault() || r.suppressDefault())) {
                return i;
            }
        }
        return -1;
    }
}
