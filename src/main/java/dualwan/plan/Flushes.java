package dualwan.plan;

import dualwan.config.Config;
import dualwan.config.ConntrackConfig;
import dualwan.config.FlowFilter;
import dualwan.config.PolicyConfig;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Which conntrack entries to delete after traffic moved off an uplink, as {@code conntrack} argument lists.
 * <ul>
 *   <li>Traffic of no policy, and the router's own: entries with connection mark 0 whose reply goes to the old
 *       uplink's address — exactly the flows NATed to it (or sent from it).</li>
 *   <li>A failover policy's traffic: the same, but with the policy's connection mark.</li>
 *   <li>A balanced policy's flows pinned to the old uplink: their connection mark names policy and uplink, so
 *       NAT or not, they are found, and flows pinned to other uplinks are not touched.</li>
 * </ul>
 * Pure; the daemon runs the commands once per switch, after the new routes and marks are in place.
 */
public final class Flushes {

    /**
     * Traffic left an uplink, or an uplink's address changed under every flow NATed to it.
     *
     * @param policy      the policy whose traffic moved, or empty for the traffic that matches no policy
     * @param uplink      the uplink it left
     * @param address     that uplink's address when the traffic left it (the last one known)
     * @param addressGone the address itself is gone: every flow NATed to it is dead, whatever its mark
     */
    public record Moved(Optional<String> policy, String uplink, Optional<Inet4Address> address, boolean addressGone) {

        public Moved(Optional<String> policy, String uplink, Optional<Inet4Address> address) {
            this(policy, uplink, address, false);
        }

        public static Moved addressChanged(String uplink, Inet4Address old) {
            return new Moved(Optional.empty(), uplink, Optional.of(old), true);
        }

        public String describe() {
            return addressGone ? uplink + "'s old address " + address.map(Inet4Address::getHostAddress).orElse("")
                    : policy.map(p -> "policy " + p).orElse("traffic") + " off " + uplink;
        }
    }

    private Flushes() {
    }

    /** Argument lists for {@code conntrack}; empty when nothing is to be deleted. */
    public static List<List<String>> commands(Config config, List<Moved> moved) {
        ConntrackConfig c = config.conntrack();
        if (moved.isEmpty() || c.flush() == ConntrackConfig.Flush.NONE) {
            return List.of();
        }
        if (c.flush() == ConntrackConfig.Flush.ALL) {
            return c.filter().isEmpty() ? List.of(List.of("-F")) : withFilters(List.of("-D"), c.filter());
        }
        LinkedHashSet<List<String>> out = new LinkedHashSet<>(); // two moves naming the same entries flush once
        for (Moved m : moved) {
            selector(config, m).ifPresent(sel -> out.addAll(withFilters(sel, c.filter())));
        }
        return List.copyOf(out);
    }

    private static Optional<List<String>> selector(Config config, Moved m) {
        if (m.addressGone()) {
            return m.address().map(a -> List.of("-D", "--reply-dst", a.getHostAddress()));
        }
        Optional<PolicyConfig> policy = m.policy().flatMap(p -> config.policies().stream()
                .filter(x -> x.name().equals(p)).findFirst());
        if (policy.isPresent() && policy.get().balanced()) {
            return Optional.of(List.of("-D", "--mark", ConnMarks.hex(ConnMarks.pinned(config, policy.get().name(), m.uplink()))));
        }
        int mark = policy.map(p -> ConnMarks.policy(config, p.name())).orElse(0);
        return m.address().map(a -> List.of("-D", "--reply-dst", a.getHostAddress(), "--mark", ConnMarks.hex(mark)));
    }

    /** One command per flow filter (protocol, original destination port), or the selector alone without filters. */
    static List<List<String>> withFilters(List<String> selector, List<FlowFilter> filters) {
        if (filters.isEmpty()) {
            return List.of(selector);
        }
        List<List<String>> out = new ArrayList<>();
        for (FlowFilter f : filters) {
            List<String> argv = new ArrayList<>(selector);
            argv.add("-p");
            argv.add(f.protocol().label());
            f.port().ifPresent(p -> {
                argv.add("--dport");
                argv.add(Integer.toString(p));
            });
            out.add(List.copyOf(argv));
        }
        return out;
    }
}
