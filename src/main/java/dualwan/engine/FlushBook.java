package dualwan.engine;

import dualwan.config.Config;
import dualwan.config.Prefix6;
import dualwan.plan.Flushes;
import dualwan.plan.Flushes6;
import dualwan.plan.NftPlanner6;
import dualwan.plan.Planner6.Uplink6;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which traffic moved off an uplink since the last kernel target: each switch (the LAN's, a policy's) and each
 * renumbered uplink is written down once here, and taken once into the next target's flushes. IPv6 is kept
 * apart: an IPv6 switch flushes only IPv6 entries ({@link Flushes6}), an IPv4 one only IPv4 entries.
 */
final class FlushBook {

    private final Config config;
    private final List<Flushes.Moved> moved = new ArrayList<>();
    /** The last address each uplink had: a flush needs it even after the interface went away. */
    private final Map<String, Inet4Address> lastAddress = new HashMap<>();

    private final List<Flushes6.Moved6> moved6 = new ArrayList<>();
    /** Each IPv6 uplink's last address (what masquerade NATs to) and where prefix translation put the LAN. */
    private final Map<String, Inet6Address> lastAddress6 = new HashMap<>();
    private final Map<String, Prefix6> lastTranslated = new HashMap<>();

    FlushBook(Config config) {
        this.config = config;
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

    /** The LAN's IPv6 left an uplink: its IPv6 flows must be flushed. */
    void left6(String uplink) {
        moved6.add(new Flushes6.Moved6(uplink, Optional.ofNullable(lastAddress6.get(uplink)),
                Optional.ofNullable(lastTranslated.get(uplink))));
    }

    /**
     * An uplink's IPv6 as just read. A new address strands the flows masqueraded to the old one; a new delegated
     * prefix strands every flow translated into the old one: flush those (a vanished one is kept, as for IPv4).
     */
    void addressing6(String uplink, Uplink6 u) {
        Optional<Inet6Address> address = u.addresses().stream().findFirst();
        Optional<Prefix6> translated = config.lan().ipv6().flatMap(l -> NftPlanner6.translated(l.prefix(), u));
        Inet6Address oldAddress = address.map(a -> lastAddress6.put(uplink, a)).orElse(null);
        Prefix6 oldTranslated = translated.map(p -> lastTranslated.put(uplink, p)).orElse(null);
        boolean newAddress = oldAddress != null && !oldAddress.equals(address.get());
        boolean newPrefix = oldTranslated != null && !oldTranslated.equals(translated.get());
        if (newAddress || newPrefix) {
            moved6.add(new Flushes6.Moved6(uplink, newAddress ? Optional.of(oldAddress) : Optional.empty(),
                    newPrefix ? Optional.of(oldTranslated) : Optional.empty(), true));
        }
    }

    boolean isEmpty() {
        return moved.isEmpty() && moved6.isEmpty();
    }

    /** The conntrack argument lists for everything written down, and what they are for; clears the book. */
    Taken take() {
        List<List<String>> commands = new ArrayList<>(Flushes.commands(config, moved));
        commands.addAll(Flushes6.commands(config, moved6));
        List<String> whats = new ArrayList<>(moved.stream().map(Flushes.Moved::describe).distinct().toList());
        whats.addAll(moved6.stream().map(Flushes6.Moved6::describe).distinct().toList());
        String what = String.join(", ", whats);
        moved.clear();
        moved6.clear();
        return new Taken(commands, what);
    }

    record Taken(List<List<String>> commands, String what) {
    }
}
