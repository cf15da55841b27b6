package dualwan.engine;

import dualwan.config.Config;
import dualwan.plan.Flushes;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which traffic moved off an uplink since the last kernel target: each switch (the LAN's, a policy's) and each
 * renumbered uplink is written down once here, and taken once into the next target's flushes.
 */
final class FlushBook {

    private final Config config;
    private final List<Flushes.Moved> moved = new ArrayList<>();
    /** The last address each uplink had: a flush needs it even after the interface went away. */
    private final Map<String, Inet4Address> lastAddress = new HashMap<>();

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

    boolean isEmpty() {
        return moved.isEmpty();
    }

    /** The conntrack argument lists for everything written down, and what they are for; clears the book. */
    Taken take() {
        List<List<String>> commands = Flushes.commands(config, moved);
        String what = String.join(", ", moved.stream().map(Flushes.Moved::describe).distinct().toList());
        moved.clear();
        return new Taken(commands, what);
    }

    record Taken(List<List<String>> commands, String what) {
    }
}
