package dualwan.linux;

import dualwan.config.Ipv4;
import dualwan.plan.RouteSpec;
import dualwan.plan.RuleSpec;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses what {@code ip -json} prints into the project's own types. Pure; tested with captured output and
 * fuzzed ({@code IpJsonFuzzTest}). Output that is not what iproute2 prints (not JSON, a field of another type,
 * a number out of range) is an {@link IOException} naming the field, never an unchecked exception.
 *
 * <p>Rule and route listings may be plain or numeric ({@code ip -N}): tables, and route types, come either as
 * names or as numbers.
 */
public final class IpJson {

    /** The keys of the rules dualwan writes: a rule with any other selector or action is someone else's. */
    static final Set<String> RULE_KEYS_WE_WRITE =
            Set.of("priority", "src", "srclen", "fwmark", "fwmask", "table", "suppress_prefixlen");
    /**
     * Keys that label a rule without changing what it matches or does: {@code protocol} (who added it; printed
     * when it is not 0, and always with {@code -d}) and {@code deleted} (in {@code ip -json monitor}).
     */
    static final Set<String> RULE_LABELS = Set.of("protocol", "deleted");
    /** The kernel's route types (RTN_*), as {@code ip -N} prints them. */
    private static final List<String> ROUTE_TYPES = List.of("unspec", "unicast", "local", "broadcast", "anycast",
            "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve");
    private static final long FULL_MASK = JsonFields.U32_MAX;

    private IpJson() {
    }

    /**
     * The rules of {@code ip -json rule show}. Rule priorities are unsigned 32-bit; a rule above
     * {@link Integer#MAX_VALUE} is left out of the list: {@link RuleSpec#priority()} is an int, and no such rule
     * can be in the block dualwan owns (config keeps {@code routing.rule-priority} below the main rule, 32766).
     */
    public static List<RuleSpec> rules(String json) throws IOException {
        List<RuleSpec> out = new ArrayList<>();
        List<Map<String, Object>> objects = objects(json, "ip -json rule show");
        for (int i = 0; i < objects.size(); i++) {
            JsonFields f = new JsonFields(objects.get(i), "ip -json rule show: rule " + (i + 1));
            long priority = f.number("priority", 0, JsonFields.U32_MAX).orElse(0L);
            RuleSpec rule = rule(f, priority);
            if (priority <= Integer.MAX_VALUE) {
                out.add(rule);
            }
        }
        return out;
    }

    private static RuleSpec rule(JsonFields f, long priority) throws IOException {
        String src = f.string("src").orElse("all");
        Optional<Inet4Address> from = "all".equals(src) ? Optional.empty() : parse(src);
        boolean hostOrAll = "all".equals(src) || from.isPresent();
        // ip prints srclen only when it is not the host length; 32 would mean the same rule.
        boolean wholeSource = f.number("srclen", 0, 255).map(l -> l == 32 && from.isPresent()).orElse(true);
        Optional<Integer> mark = f.string("fwmark").isPresent() ? Optional.of((int) mark(f, "fwmark")) : Optional.empty();
        // A full mask is printed by no iproute2 we know, but means the same as none.
        boolean fullMask = !f.has("fwmask") || mark(f, "fwmask") == FULL_MASK;
        Optional<String> table = table(f, "table");
        Optional<Long> suppressLength = f.number("suppress_prefixlen", Integer.MIN_VALUE, Integer.MAX_VALUE);
        boolean suppress = suppressLength.equals(Optional.of(0L));
        boolean unknownKey = f.map().keySet().stream()
                .anyMatch(k -> !RULE_KEYS_WE_WRITE.contains(k) && !RULE_LABELS.contains(k));
        // Any selector we never write (iif, a prefix, a partial mask, another suppress length…), or an action
        // other than a lookup, makes it someone else's rule.
        boolean foreign = unknownKey || !hostOrAll || !wholeSource || !fullMask || table.isEmpty()
                || (suppressLength.isPresent() && !suppress);
        return new RuleSpec((int) Math.min(priority, Integer.MAX_VALUE), mark, from, suppress, table.orElse(""),
                foreign);
    }

    /** A table as ip prints it: a name from rt_tables or a number, never empty. */
    static Optional<String> table(JsonFields f, String key) throws IOException {
        Optional<String> table = f.string(key);
        if (table.isPresent() && table.get().isBlank()) {
            throw f.invalid(key, "a table name or number");
        }
        return table.map(IpJson::tableName);
    }

    /** An unsigned 32-bit mark as ip prints it ({@code "0x65"}), or decimal. */
    static long mark(JsonFields f, String key) throws IOException {
        String text = f.string(key).orElseThrow(() -> f.invalid(key, "a mark such as \"0x65\""));
        return parseMark(text).orElseThrow(() -> f.invalid(key, "a mark such as \"0x65\""));
    }

    public static List<RouteSpec> routes(String json) throws IOException {
        return routesByTable(json).values().stream().flatMap(List::stream).toList();
    }

    /** Routes of {@code ip -json route show table all}, by table (as ip names it: "main", "101", …). */
    public static Map<String, List<RouteSpec>> routesByTable(String json) throws IOException {
        Map<String, List<RouteSpec>> byTable = new LinkedHashMap<>();
        List<Map<String, Object>> objects = objects(json, "ip -json route show");
        for (int i = 0; i < objects.size(); i++) {
            JsonFields f = new JsonFields(objects.get(i), "ip -json route show: route " + (i + 1));
            String table = table(f, "table").orElse("main");
            String dst = f.string("dst").orElseThrow(() -> f.invalid("dst", "the destination (\"default\", a prefix)"));
            RouteSpec route = new RouteSpec(routeType(f), dst, f.string("gateway").flatMap(IpJson::parse),
                    f.string("dev"), f.number("metric", 0, JsonFields.U32_MAX).orElse(0L),
                    f.strings("flags").contains("onlink"));
            byTable.computeIfAbsent(table, t -> new ArrayList<>()).add(route);
        }
        return byTable;
    }

    static String routeType(JsonFields f) throws IOException {
        String type = f.string("type").orElse("unicast");
        if (!type.isEmpty() && type.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n = type.length() <= 2 ? Integer.parseInt(type) : Integer.MAX_VALUE;
            if (n >= ROUTE_TYPES.size()) {
                throw f.invalid("type", "a route type (unicast, unreachable, … or 0 to " + (ROUTE_TYPES.size() - 1) + ")");
            }
            return ROUTE_TYPES.get(n);
        }
        return type;
    }

    /** Each interface's first global IPv4 address and, on a point-to-point link, its peer ({@code ip -j addr show}). */
    public static Map<String, Inet4Address[]> addressesAndPeers(String json) throws IOException {
        Map<String, Inet4Address[]> out = new LinkedHashMap<>();
        List<Map<String, Object>> links = objects(json, "ip -json addr show");
        for (int i = 0; i < links.size(); i++) {
            JsonFields link = new JsonFields(links.get(i), "ip -json addr show: link " + (i + 1));
            Optional<String> name = link.string("ifname");
            if (name.isPresent()) {
                Optional<Inet4Address[]> a = addressAndPeer(link);
                if (a.isPresent()) {
                    out.put(name.get(), a.get());
                }
            }
        }
        return out;
    }

    /** The first global IPv4 address and, on a point-to-point link, its peer, of one interface's listing. */
    public static Optional<Inet4Address[]> addressAndPeer(String json) throws IOException {
        List<Map<String, Object>> links = objects(json, "ip -json addr show");
        for (int i = 0; i < links.size(); i++) {
            Optional<Inet4Address[]> a = addressAndPeer(new JsonFields(links.get(i), "ip -json addr show: link " + (i + 1)));
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }

    private static Optional<Inet4Address[]> addressAndPeer(JsonFields link) throws IOException {
        List<Map<String, Object>> infos = link.objects("addr_info");
        for (int i = 0; i < infos.size(); i++) {
            JsonFields a = new JsonFields(infos.get(i), link.where() + ": address " + (i + 1));
            if (!a.string("family").equals(Optional.of("inet")) || a.string("scope").equals(Optional.of("host"))) {
                continue;
            }
            Optional<Inet4Address> local = a.string("local").flatMap(IpJson::parse);
            Optional<Inet4Address> peer = a.string("address").flatMap(IpJson::parse)
                    .filter(p -> !local.equals(Optional.of(p)));
            if (local.isPresent()) {
                return Optional.of(new Inet4Address[]{local.get(), peer.orElse(null)});
            }
        }
        return Optional.empty();
    }

    /** Per device, the gateway of its lowest-metric default route ({@code ip -j route show table main default}). */
    public static Map<String, Inet4Address> defaultGateways(String json) throws IOException {
        Map<String, RouteSpec> best = new LinkedHashMap<>();
        for (RouteSpec r : routes(json)) {
            if (r.gateway().isPresent() && r.dev().isPresent() && "default".equals(r.dst())) {
                best.merge(r.dev().get(), r, (a, b) -> b.metric() < a.metric() ? b : a);
            }
        }
        Map<String, Inet4Address> out = new LinkedHashMap<>();
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

    /** An unsigned 32-bit mark, {@code 0x65} or {@code 101}; a {@code /mask} suffix is ignored. */
    static Optional<Long> parseMark(String text) {
        String t = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        boolean hex = t.startsWith("0x") || t.startsWith("0X");
        String digits = hex ? t.substring(2) : t;
        if (digits.isEmpty() || digits.length() > (hex ? 8 : 10)
                || !digits.chars().allMatch(c -> hex ? Character.digit(c, 16) >= 0 && c < 0x80 : c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        long v = Long.parseLong(digits, hex ? 16 : 10);
        return v <= JsonFields.U32_MAX ? Optional.of(v) : Optional.empty();
    }

    /** A dotted quad from ip's output; see {@link Ipv4}. */
    public static Optional<Inet4Address> parse(String dotted) {
        return Ipv4.tryParse(dotted);
    }

    /** The objects of a JSON list, as every {@code ip -json} listing is; an empty output is an empty list. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(String json, String listing) throws IOException {
        if (json.isBlank()) {
            return List.of();
        }
        Object root;
        try {
            root = JSON.std.anyFrom(json);
        } catch (IOException e) {
            throw new IOException(listing + ": not JSON: " + firstLine(e.getMessage()), e);
        }
        if (!(root instanceof List<?> list)) {
            throw new IOException(listing + ": expected a JSON list, found " + JsonFields.describe(root));
        }
        List<Map<String, Object>> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new IOException(listing + ": element " + (i + 1) + " is " + JsonFields.describe(list.get(i))
                        + ", expected an object");
            }
            out.add((Map<String, Object>) m);
        }
        return out;
    }

    private static String firstLine(String message) {
        String m = message == null ? "" : message;
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
