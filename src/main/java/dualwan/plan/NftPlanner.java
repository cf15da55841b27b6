package dualwan.plan;

import dualwan.config.Config;
import dualwan.config.PolicyConfig;
import dualwan.config.WanConfig;
import dualwan.decide.PolicyDecision;
import dualwan.plan.Planner.UplinkAddressing;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one nftables table dualwan owns, {@code inet dualwan}, as an {@code nft -f} script that replaces it in
 * one transaction ({@code add table; delete table; table {...}}), so there is never a moment without NAT and
 * a restart never leaves two. Pure: the same inputs give the same text, so an unchanged plan is not applied.
 * <pre>
 *   prerouting (mangle): new LAN connections get a connection mark by policy (first match wins); every LAN
 *                        packet then gets the routing mark of its policy's uplink: a failover policy's flows
 *                        follow the policy's current uplink, a balanced flow stays on the uplink it was given
 *   postrouting (srcnat): per uplink masquerade, snat to its current address, or nothing
 * </pre>
 */
public final class NftPlanner {

    public static final String FAMILY = "inet";
    public static final String TABLE = "dualwan";
    private static final String PLAN_TAG = "dualwan plan ";

    private NftPlanner() {
    }

    public static String ruleset(Config config, Map<String, UplinkAddressing> addressing,
                                 Map<String, PolicyDecision> policies) {
        return build(config, addressing, policies, false, Map.of(), false);
    }

    /**
     * The table for both families. Without {@code lan.ipv6} it is exactly the IPv4 one (whose {@code masquerade}
     * in an inet table applies to any IPv6 that leaves too, as before); with it, IPv4's NAT is limited to IPv4 and
     * {@link NftPlanner6} adds the IPv6 part. (The three-argument form stays the IPv4 table whatever the config
     * says, until the engine plans IPv6 and calls this one.)
     *
     * @param uplinks6       each uplink's IPv6 facts (for prefix translation)
     * @param lanUnreachable6 the LAN's IPv6 default is unreachable ({@link Planner6#lanUnreachable})
     */
    public static String ruleset(Config config, Map<String, UplinkAddressing> addressing,
                                 Map<String, PolicyDecision> policies, Map<String, Planner6.Uplink6> uplinks6,
                                 boolean lanUnreachable6) {
        return build(config, addressing, policies, config.lan().ipv6().isPresent(), uplinks6, lanUnreachable6);
    }

    private static String build(Config config, Map<String, UplinkAddressing> addressing,
                                Map<String, PolicyDecision> policies, boolean ipv6,
                                Map<String, Planner6.Uplink6> uplinks6, boolean lanUnreachable6) {
        String masquerade = ipv6 ? " meta nfproto ipv4 masquerade\n" : " masquerade\n";
        StringBuilder b = new StringBuilder();
        if (!config.policies().isEmpty()) {
            policyChains(b, config, policies);
        }
        if (ipv6 && lanUnreachable6) {
            b.append(NftPlanner6.unreachableChain(config));
        }
        b.append("\tchain postrouting {\n");
        b.append("\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        for (WanConfig w : config.wans()) {
            Optional<Inet4Address> address = Optional.ofNullable(addressing.get(w.name())).flatMap(UplinkAddressing::address);
            switch (w.nat()) {
                case MASQUERADE -> b.append("\t\toifname ").append(quoted(w.iface())).append(masquerade);
                case SNAT -> address.ifPresent(a -> b.append("\t\toifname ").append(quoted(w.iface()))
                        .append(" snat ip to ").append(a.getHostAddress()).append('\n'));
                case NONE -> { }
            }
        }
        if (ipv6) {
            NftPlanner6.postrouting(config, uplinks6).forEach(l -> b.append("\t\t").append(l).append('\n'));
        }
        b.append("\t}\n");
        String body = b.toString();
        return "# dualwan's own table: replaced as a whole by the daemon, so do not edit it by hand\n"
                + "add table " + FAMILY + " " + TABLE + "\n"
                + "delete table " + FAMILY + " " + TABLE + "\n"
                + "table " + FAMILY + " " + TABLE + " {\n"
                + "\tcomment \"" + PLAN_TAG + digest(body) + "\"\n"
                + body
                + "}\n";
    }

    /**
     * The plan a table was made from, read from its comment: after a restart the daemon compares it with its
     * own plan and leaves an identical table alone (replacing it would reset the balancing counters and the
     * sticky sources for nothing).
     */
    public static Optional<String> planId(String text) {
        int i = text.indexOf(PLAN_TAG);
        int end = i < 0 ? -1 : text.indexOf('"', i);
        return end < 0 ? Optional.empty() : Optional.of(text.substring(i + PLAN_TAG.length(), end));
    }

    /** A short SHA-256 of any text: the plan id of a script, the fingerprint of a listed table. */
    public static String digest(String body) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    private static void policyChains(StringBuilder b, Config config, Map<String, PolicyDecision> policies) {
        List<String> restore = new ArrayList<>();
        List<String> classify = new ArrayList<>();
        boolean anyPinned = false;
        for (PolicyConfig p : config.policies()) {
            int mark = ConnMarks.policy(config, p.name());
            String match = match(p.match());
            List<String> uplinks = Optional.ofNullable(policies.get(p.name())).map(PolicyDecision::uplinks).orElse(List.of());
            if (!p.balanced()) {
                classify.add(match + "ct mark set " + ConnMarks.hex(mark) + " return comment " + quoted(p.name()));
                uplinks.stream().findFirst().flatMap(config::wan).ifPresent(w -> restore.add("ct mark "
                        + ConnMarks.hex(mark) + " meta mark set " + ConnMarks.hex(w.mark())
                        + " comment " + quoted(p.name() + " via " + w.name())));
                continue;
            }
            anyPinned = true;
            String set = "ct mark set " + spread(config, p, uplinks);
            if (p.sticky().isPresent() && !uplinks.isEmpty()) {
                String map = "@sticky_" + (mark >> 8);
                String remember = " update " + map + " { ip saddr : ct mark }";
                classify.add(match + "ip saddr " + map + " ct mark set ip saddr map " + map + remember
                        + " return comment " + quoted(p.name() + " (same uplink as before)"));
                set += remember;
            }
            classify.add(match + set + " return comment " + quoted(p.name()));
        }
        for (PolicyConfig p : config.policies()) {
            p.sticky().ifPresent(t -> b.append("\tmap sticky_").append(ConnMarks.policy(config, p.name()) >> 8)
                    .append(" {\n\t\ttype ipv4_addr : mark\n\t\tflags dynamic,timeout\n\t\ttimeout ")
                    .append(t.toSeconds()).append("s\n\t}\n"));
        }
        b.append("\tchain prerouting {\n");
        b.append("\t\ttype filter hook prerouting priority mangle; policy accept;\n");
        b.append("\t\tiifname { ").append(config.wans().stream().map(w -> quoted(w.iface())).collect(Collectors.joining(", ")))
                .append(" } return comment \"only LAN traffic\"\n");
        b.append("\t\tfib daddr type local return comment \"not to the router itself\"\n");
        // Unreplied UDP stays "new" packet after packet: classify only once, while the flow has no mark yet.
        b.append("\t\tct state new ct mark 0 jump classify\n");
        restore.forEach(r -> b.append("\t\t").append(r).append('\n'));
        if (anyPinned) {
            String byUplink = config.wans().stream().map(w -> config.wanNumber(w.name()) + " : "
                    + ConnMarks.hex(w.mark())).collect(Collectors.joining(", "));
            b.append("\t\tct mark & ").append(ConnMarks.hex(ConnMarks.UPLINK_BITS)).append(" != 0 meta mark set ct mark & ")
                    .append(ConnMarks.hex(ConnMarks.UPLINK_BITS)).append(" map { ").append(byUplink)
                    .append(" } comment \"a balanced flow stays on its uplink\"\n");
        }
        b.append("\t}\n");
        b.append("\tchain classify {\n");
        classify.forEach(c -> b.append("\t\t").append(c).append('\n'));
        b.append("\t}\n");
    }

    /** New connections over the members by weight: a counter, so 300 connections at 2:1 give exactly 200:100. */
    private static String spread(Config config, PolicyConfig p, List<String> members) {
        if (members.isEmpty()) {
            return ConnMarks.hex(ConnMarks.policy(config, p.name())); // nothing healthy yet: tagged, not pinned
        }
        if (members.size() == 1) {
            return ConnMarks.hex(ConnMarks.pinned(config, p.name(), members.getFirst()));
        }
        int total = 0;
        List<String> entries = new ArrayList<>();
        for (String u : members) {
            int weight = p.weights().getOrDefault(u, 1); // a forced uplink outside the policy counts once
            entries.add((weight == 1 ? Integer.toString(total) : total + "-" + (total + weight - 1)) + " : "
                    + ConnMarks.hex(ConnMarks.pinned(config, p.name(), u)));
            total += weight;
        }
        return "numgen inc mod " + total + " map { " + String.join(", ", entries) + " }";
    }

    private static String match(PolicyConfig.Match m) {
        StringBuilder s = new StringBuilder();
        if (!m.inputs().isEmpty()) {
            s.append("iifname ").append(set(m.inputs().stream().map(NftPlanner::quoted).toList())).append(' ');
        }
        if (!m.sources().isEmpty()) {
            s.append("ip saddr ").append(set(m.sources().stream().map(Object::toString).toList())).append(' ');
        }
        if (!m.destinations().isEmpty()) {
            s.append("ip daddr ").append(set(m.destinations().stream().map(Object::toString).toList())).append(' ');
        }
        m.protocol().ifPresent(p -> {
            if (m.ports().isEmpty()) {
                s.append("meta l4proto ").append(p.label()).append(' ');
            } else {
                s.append(p.label()).append(" dport ").append(set(m.ports().stream().map(Object::toString).toList())).append(' ');
            }
        });
        return s.toString();
    }

    private static String set(List<String> items) {
        return items.size() == 1 ? items.getFirst() : "{ " + String.join(", ", items) + " }";
    }

    /** Names are checked by the loader ([A-Za-z0-9_.-]); quoting keeps nft from reading them as keywords. */
    static String quoted(String name) {
        return '"' + name + '"';
    }
}
