package dualwan.app;

import dualwan.engine.Input;
import dualwan.config.Config;
import dualwan.config.RoutingConfig;
import dualwan.config.WanConfig;
import dualwan.linux.KernelEvent;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Which re-read a kernel event calls for. Events about interfaces, tables and rules dualwan does not use are
 * ignored: a flapping LAN port or a busy IPv6 router costs nothing. Pure; called on the monitor's thread.
 */
final class EventFilter {

    static final int LINKS = Input.Needs.LINKS;
    static final int ADDRESSING = Input.Needs.ADDRESSING;
    static final int REPAIR = Input.Needs.REPAIR;
    static final int ALL = Input.Needs.ALL;

    private final Set<String> uplinkIfaces = new HashSet<>();
    private final Set<String> ownedTables = new HashSet<>();
    private final int firstPriority;
    private final int lastPriority;

    /** Uplinks have IPv6: their IPv6 addresses, RA defaults and dualwan's IPv6 routes matter too. */
    private final boolean ipv6;

    EventFilter(Config config) {
        ipv6 = config.wans().stream().anyMatch(w -> w.ipv6().isPresent());
        for (WanConfig w : config.wans()) {
            uplinkIfaces.add(w.iface());
            ownedTables.add(Integer.toString(w.table()));
        }
        ownedTables.add(Integer.toString(config.routing().lanTable()));
        firstPriority = config.routing().rulePriority();
        lastPriority = firstPriority + RoutingConfig.RULE_BLOCK - 1;
    }

    /** A bit set of {@link Input.Needs}; 0 to ignore the event. */
    int needs(KernelEvent e) {
        return switch (e.kind()) {
            case LINK -> ours(e.iface()) ? LINKS : 0;
            case ADDRESS -> (e.ipv4() || ipv6) && ours(e.iface()) ? ADDRESSING : 0;
            case ROUTE -> {
                if (!e.ipv4() && !ipv6) {
                    yield 0;
                }
                if (e.table().filter(ownedTables::contains).isPresent()) {
                    yield REPAIR;
                }
                // The DHCP client's default route in main is where an auto gateway comes from (for IPv6: the RA's).
                boolean mainDefault = e.table().equals(Optional.of("main")) && e.toDefault();
                yield mainDefault && (e.iface().isEmpty() || ours(e.iface())) ? ADDRESSING : 0;
            }
            case RULE -> e.priority().isPresent() && e.priority().getAsInt() >= firstPriority
                    && e.priority().getAsInt() <= lastPriority ? REPAIR : 0;
            case OTHER -> ALL;
        };
    }

    private boolean ours(Optional<String> iface) {
        return iface.filter(uplinkIfaces::contains).isPresent();
    }
}
