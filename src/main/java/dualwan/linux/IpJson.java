package dualwan.linux;

import dualwan.plan.RuleSpec;
import dualwan.plan.RouteSpec;

import com.fasterxml.jackson.jr.ob.JSON;

import dualwan.config.Ipv4;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parses what {@code ip -json} prints into the project's own types. Pure; tested with captured output. */
public final class IpJson {

    private static final Set<String> RULE_KEYS = Set.of("priority", "src", "fwmark", "table", "suppress_prefixlen");

    private IpJson() {
    }

    public static List<RuleSpec> rules(String json) throws IOException {
        List<RuleSpec> out = new ArrayList<>();
        for (Map<String, Object> m : objects(json)) {
            int priority = ((Number) m.getOrDefault("priority", 0)).intValue();
            String src = (String) m.getOrDefault("src", "all");
            Optional<Integer> mark = Optional.ofNullable((String) m.get("fwmark")).map(IpJson::parseMark);
            Optional<Inet4Address> from = "all".equals(src) ? Optional.empty() : parse(src);
            Object suppressLength = m.get("suppress_prefixlen");
            boolean suppress = Integer.valueOf(0).equals(suppressLength);
            // Any selector we never write (iif, a prefix, another suppress length…) makes it someone else's rule.
            boolean foreign = !RULE_KEYS.containsAll(m.keySet()) || (!"all".equals(src) && from.isEmpty())
                    || (suppressLength != null && !suppress);
            out.add(new RuleSpec(priority, mark, from, suppress, tableName(String.valueOf(m.get("table"))), foreign));
        }
        return out;
    }

    public static List<RouteSpec> routes(String json) throws IOException {
        return routesByTable(json).values().stream().flatMap(List::stream).toList();
    }

    /** Routes of {@code ip -json route show table all}, by table (as ip names it: "main", "101", …). */
    public static Map<String, List<RouteSpec>> routesByTable(String json) throws IOException {
        Map<String, List<RouteSpec>> byTable = new java.util.LinkedHashMap<>();
        for (Map<String, Object> m : objects(json)) {
            List<RouteSpec> out = byTable.computeIfAbsent(tableName(String.valueOf(m.getOrDefault("table", "main"))),
                    t -> new ArrayList<>());
            @SuppressWarnings("unchecked")
            List<Object> flags = (List<Object>) m.getOrDefault("flags", List.of());
            out.add(new RouteSpec((String) m.getOrDefault("type", "unicast"), (String) m.get("dst"),
                    Optional.ofNullable((String) m.get("gateway")).flatMap(IpJson::parse),
                    Optional.ofNullable((String) m.get("dev")),
                    ((Number) m.getOrDefault("metric", 0)).longValue(), flags.contains("onlink")));
        }
        return byTable;
    }

    /** Each interface's first global IPv4 address and, on a point-to-point link, its peer ({@code ip -j addr show}). */
    public static Map<String, Inet4Address[]> addressesAndPeers(String json) throws IOException {
        Map<String, Inet4Address[]> out = new java.util.LinkedHashMap<>();
        for (Map<String, Object> link : objects(json)) {
            if (link.get("ifname") instanceof String name) {
                addressAndPeer(List.of(link)).ifPresent(a -> out.put(name, a));
            }
        }
        return out;
    }

    /** The first global IPv4 address and, on a point-to-point link, its peer, of one interface's listing. */
    public static Optional<Inet4Address[]> addressAndPeer(String json) throws IOException {
        return addressAndPeer(objects(json));
    }

    private static Optional<Inet4Address[]> addressAndPeer(List<Map<String, Object>> links) {
        for (Map<String, Object> link : links) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> infos = (List<Map<String, Object>>) link.getOrDefault("addr_info", List.of());
            for (Map<String, Object> a : infos) {
                if (!"inet".equals(a.get("family")) || "host".equals(a.get("scope"))) {
                    continue;
                }
                Optional<Inet4Address> local = Optional.ofNullable((String) a.get("local")).flatMap(IpJson::parse);
                Optional<Inet4Address> peer = Optional.ofNullable((String) a.get("address")).flatMap(IpJson::parse)
                        .filter(p -> !local.equals(Optional.of(p)));
                if (local.isPresent()) {
                    return Optional.of(new Inet4Address[]{local.get(), peer.orElse(null)});
                }
            }
        }
        return Optional.empty();
    }

    /** Per device, the gateway of its lowest-metric default route ({@code ip -j route show table main default}). */
    public static Map<String, Inet4Address> defaultGateways(String json) throws IOException {
        Map<String, RouteSpec> best = new java.util.LinkedHashMap<>();
        for (RouteSpec r : routes(json)) {
            if (r.gateway().isPresent() && r.dev().isPresent() && "default".equals(r.dst())) {
                best.merge(r.dev().get(), r, (a, b) -> b.metric() < a.metric() ? b : a);
            }
        }
        Map<String, Inet4Address> out = new java.util.LinkedHashMap<>();
        best.forEach((dev, r) -> out.put(dev, r.gateway().get()));
        return out;
    }

    /** The gateway of the lowest-metric default route in the listing ({@code ip -j route show default dev IF}). */
    public static Optional<Inet4Address> defaultGateway(String json) throws IOException {
        return routes(json).stream().filter(r -> r.gateway().isPresent() && "default".equals(r.dst()))
                .min((a, b) -> Long.compare(a.metric(), b.metric())).flatMap(RouteSpec::gateway);
    }

    static String tableName(String table) {
        return switch (table) {
            case "254" -> "main";
            case "255" -> "local";
            case "253" -> "default";
            default -> table;
        };
    }

    static int parseMark(String text) {
        String t = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        return t.startsWith("0x") ? (int) Long.parseLong(t.substring(2), 16) : (int) Long.parseLong(t);
    }

    /** A dotted quad from ip's output; see {@link Ipv4}. */
    public static Optional<Inet4Address> parse(String dotted) {
        return Ipv4.tryParse(dotted);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(String json) throws IOException {
        if (json.isBlank()) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : JSON.std.listFrom(json)) {
            if (o instanceof Map<?, ?> m) {
                out.add((Map<String, Object>) m);
            }
        }
        return out;
    }
}
