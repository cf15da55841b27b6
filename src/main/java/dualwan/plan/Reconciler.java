package dualwan.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;

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
        routes(plan.tables(), actualTables, RouteSpec::sameSlot, RouteSpec::args, out);
        rules(plan.firstPriority(), plan.lastPriority(), plan.rules(), actualRules, out);
        return out;
    }

    /**
     * The same for IPv6: argv lists each to run as {@code ip ARGS}, every one starting with {@code -6}.
     *
     * @param actualRules  every rule of {@code ip -6 rule show}
     * @param actualTables IPv6 contents of the tables named in the plan
     */
    public static List<List<String>> commands6(RoutingPlan6 plan, List<Rule6Spec> actualRules,
                                               Map<Integer, List<Route6Spec>> actualTables) {
        List<List<String>> out = new ArrayList<>();
        routes(plan.tables(), actualTables, Route6Spec::sameSlot, Route6Spec::args, out);
        rules(plan.firstPriority(), plan.lastPriority(), plan.rules(), actualRules, out);
        return out;
    }

    private interface RouteArgs<T> {
        List<String> args(T route, String verb, int table);
    }

    private static <T> void routes(Map<Integer, List<T>> plan, Map<Integer, List<T>> actual,
                                   BiPredicate<T, T> sameSlot, RouteArgs<T> args, List<List<String>> out) {
        for (var e : new TreeMap<>(plan).entrySet()) {
            int table = e.getKey();
            List<T> want = e.getValue();
            List<T> have = actual.getOrDefault(table, List.of());
            for (T r : want) {
                if (!have.contains(r)) {
                    out.add(args.args(r, "replace", table));
                }
            }
            for (T r : have) {
                if (want.stream().noneMatch(w -> sameSlot.test(r, w))) {
                    out.add(args.args(r, "del", table));
                }
            }
        }
    }

    private static <R extends OwnedRule> void rules(int first, int last, List<R> planned, List<R> actualRules,
                                                    List<List<String>> out) {
        Map<Integer, List<R>> haveByPriority = new TreeMap<>();
        for (R r : actualRules) {
            if (r.priority() >= first && r.priority() <= last) {
                haveByPriority.computeIfAbsent(r.priority(), p -> new ArrayList<>()).add(r);
            }
        }
        TreeSet<Integer> priorities = new TreeSet<>(haveByPriority.keySet());
        planned.forEach(r -> priorities.add(r.priority()));
        for (int p : priorities) {
            List<R> want = List.copyOf(new LinkedHashSet<>(planned.stream().filter(r -> r.priority() == p).toList()));
            List<R> have = haveByPriority.getOrDefault(p, List.of());
            List<String> bareDelete = (want.isEmpty() ? have : want).getFirst().bareDelete();
            out.addAll(slot(bareDelete, want, have));
        }
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
    private static <R extends OwnedRule> List<List<String>> slot(List<String> bareDelete, List<R> want, List<R> have) {
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
        List<R> slot = new ArrayList<>(have.subList(lastForeign + 1, have.size()));
        List<R> surplus = new ArrayList<>(slot);
        List<R> missing = new ArrayList<>();
        for (R w : want) {
            if (!surplus.remove(w)) {
                missing.add(w);
            }
        }
        List<List<String>> changes = new ArrayList<>();
        boolean exact = true;
        for (R w : missing) {
            exact &= slot.stream().noneMatch(r -> addCollides(w, r));
            slot.add(w); // the kernel puts a new rule behind the older ones of its priority
            changes.add(w.addArgs());
        }
        for (R d : surplus) {
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
    private static boolean addCollides(OwnedRule request, OwnedRule r) {
        return r.priority() == request.priority() && r.table().equals(request.table())
                && r.fwmark().equals(request.fwmark()) && r.suppressDefault() == request.suppressDefault()
                && (request.source().isEmpty() || r.source().equals(request.source()));
    }

    /** Which rule of the slot {@code del} of {@code request} removes: the first with every selector it names. */
    private static int firstDeleted(OwnedRule request, List<? extends OwnedRule> slot) {
        for (int i = 0; i < slot.size(); i++) {
            OwnedRule r = slot.get(i);
            if (r.priority() == request.priority() && r.table().equals(request.table())
                    && (request.fwmark().isEmpty() || r.fwmark().equals(request.fwmark()))
                    && (request.source().isEmpty() || r.source().equals(request.source()))
                    && (!request.suppressDefault() || r.suppressDefault())) {
                return i;
            }
        }
        return -1;
    }
}
