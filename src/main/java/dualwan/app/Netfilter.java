package dualwan.app;

import dualwan.config.Config;
import dualwan.plan.Flushes;
import dualwan.linux.Kernel;
import dualwan.plan.NftPlanner;
import org.tinylog.Logger;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The control loop's side of netfilter: keeps dualwan's nftables table at the plan, and deletes the conntrack
 * entries of traffic that moved off an uplink, once per switch, after the new routes and marks are in place.
 * Used only on the loop's thread.
 */
final class Netfilter {

    private final Config config;
    private final Kernel kernel;
    /** Traffic that left an uplink since the last flush. */
    private final List<Flushes.Moved> moved = new ArrayList<>();
    /** The last address each uplink had: a flush needs it even after the interface went away. */
    private final Map<String, Inet4Address> lastAddress = new HashMap<>();
    private long flushes;
    private long deleted;
    /** The script last applied, and the table as the kernel listed it then (to see changes made by others). */
    private String applied;
    private Optional<String> appliedListing = Optional.empty();

    Netfilter(Config config, Kernel kernel) {
        this.config = config;
        this.kernel = kernel;
    }

    /** Traffic of a policy (or of none) left an uplink: its flows must be flushed. */
    void left(Optional<String> policy, String uplink) {
        moved.add(new Flushes.Moved(policy, uplink, Optional.ofNullable(lastAddress.get(uplink))));
    }

    /** An uplink's address as just read. A new one strands every flow NATed to the old one: flush those. */
    void address(String uplink, Inet4Address address) {
        Inet4Address old = lastAddress.put(uplink, address);
        if (old != null && !old.equals(address)) {
            moved.add(Flushes.Moved.addressChanged(uplink, old));
        }
    }

    boolean isApplied(String script) {
        return script.equals(applied);
    }

    /**
     * Brings the table to {@code script} in one transaction. An identical table (same plan id in its comment,
     * unchanged since we listed it) is left alone, so a restart or a repeated pass changes nothing. False when
     * it could not: the caller tries again soon.
     */
    boolean reconcile(String script) {
        try {
            Optional<String> listed = kernel.nftTable();
            boolean inPlace = listed.isPresent() && listed.flatMap(NftPlanner::planId).equals(NftPlanner.planId(script))
                    && (appliedListing.isEmpty() || appliedListing.equals(listed));
            if (!inPlace) {
                Optional<String> error = kernel.nft(script);
                if (error.isPresent()) {
                    Logger.warn("nftables table not applied: {}", error.get());
                    applied = null;
                    return false;
                }
                Logger.info("nftables table inet dualwan {}", listed.isPresent() ? "replaced" : "created");
                listed = kernel.nftTable();
            }
            applied = script;
            appliedListing = listed;
            return true;
        } catch (IOException e) {
            Logger.warn("nftables: {}", e.getMessage());
            applied = null;
            return false;
        }
    }

    /**
     * Deletes the conntrack entries of the flows that moved, so their next packet is routed and NATed anew.
     * True when something was deleted (the state shows the counts).
     */
    boolean flushMoved() {
        if (moved.isEmpty()) {
            return false;
        }
        List<List<String>> commands = Flushes.commands(config, moved);
        String what = String.join(", ", moved.stream().map(Flushes.Moved::describe).distinct().toList());
        moved.clear();
        if (commands.isEmpty()) {
            Logger.info("conntrack: nothing to flush for {} (flush: {})", what, config.conntrack().flush().label());
            return false;
        }
        flushes++;
        long now = 0;
        for (List<String> c : commands) {
            try {
                int n = kernel.conntrack(c);
                now += Math.max(0, n);
                Logger.info("conntrack {}: {} entries deleted", String.join(" ", c), n < 0 ? "all" : n);
            } catch (IOException e) {
                Logger.warn("conntrack {} failed: {}", String.join(" ", c), e.getMessage());
            }
        }
        deleted += now;
        Logger.info("flushed {} conntrack entries for {}", now, what);
        return true;
    }

    /** The {@code conntrack} section of the state. */
    dualwan.model.DaemonState.Conntrack state() {
        return new dualwan.model.DaemonState.Conntrack(config.conntrack().flush().label(), flushes, deleted);
    }
}
