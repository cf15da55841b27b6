package dualwan.plan;

import java.util.List;
import java.util.Map;

/**
 * The kernel state dualwan wants: its rules (each at its own priority inside the owned block) and the
 * full contents of the tables it owns. A table absent from {@code tables} is left as it is.
 */
public record RoutingPlan(int firstPriority, int lastPriority, List<RuleSpec> rules, Map<Integer, List<RouteSpec>> tables) {

    public RoutingPlan {
        rules = List.copyOf(rules);
        tables = Map.copyOf(tables);
    }
}
