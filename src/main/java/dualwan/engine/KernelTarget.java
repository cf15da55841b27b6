package dualwan.engine;

import dualwan.plan.RoutingPlan;
import dualwan.plan.RoutingPlan6;

import java.util.List;

/**
 * The kernel state the engine wants, for the kernel worker: routes and rules, dualwan's nftables table, and
 * the conntrack deletions to run once both are in place. A newer target replaces an older one that was not
 * applied yet; its flushes are kept and run with the newer one's, so none is lost and none runs twice.
 *
 * @param generation counts targets; the worker reports the newest it applied
 * @param plan       rules and tables
 * @param plan6      IPv6 rules and tables (empty without IPv6 in the config: nothing read or written)
 * @param nft        the table as one {@code nft -f} script
 * @param flushes    {@code conntrack} argument lists, run once after the routes and the table were applied
 * @param flushWhat  what the flushes are for, in words for the log
 */
public record KernelTarget(long generation, RoutingPlan plan, RoutingPlan6 plan6, String nft,
                           List<List<String>> flushes, String flushWhat) {

    public KernelTarget {
        flushes = List.copyOf(flushes);
    }

    /** IPv4 only. */
    public KernelTarget(long generation, RoutingPlan plan, String nft, List<List<String>> flushes, String flushWhat) {
        this(generation, plan, RoutingPlan6.none(plan.firstPriority(), plan.lastPriority()), nft, flushes, flushWhat);
    }
}
