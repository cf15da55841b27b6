package dualwan.plan;

import java.util.List;
import java.util.Map;

/**
 * The IPv6 kernel state dualwan wants: {@link RoutingPlan}'s counterpart. IPv6 rules and routes are a namespace
 * of their own, so the same priorities and table ids serve both families.
 *
 * @param notes what a person reading {@code dualwan plan} should know about the choice (e.g. why the LAN's
 *              IPv6 default is unreachable)
 */
public record RoutingPlan6(int firstPriority, int lastPriority, List<Rule6Spec> rules,
                           Map<Integer, List<Route6Spec>> tables, List<String> notes) {

    public RoutingPlan6 {
        rules = List.copyOf(rules);
        tables = Map.copyOf(tables);
        notes = List.copyOf(notes);
    }

    /** The plan of a config without IPv6. */
    public static RoutingPlan6 none(int firstPriority, int lastPriority) {
        return new RoutingPlan6(firstPriority, lastPriority, List.of(), Map.of(), List.of());
    }

    /** No IPv6 in the config at all: nothing is read or written. */
    public boolean empty() {
        return rules.isEmpty() && tables.isEmpty();
    }
}
