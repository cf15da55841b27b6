package dualwan.linux;

import dualwan.config.Ipv6;
import dualwan.config.Prefix6;
import dualwan.plan.Route6Spec;
import dualwan.plan.Rule6Spec;

import java.io.IOException;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link IpJson} for {@code ip -6 -json}: rules, routes by table, global addresses and main's IPv6 defaults.
 * The same strictness: output that is not what iproute2 prints is an {@link IOException} naming the field.
 */
public final class IpJson6 {

    private static final long FULL_MASK = JsonFields.U32_MAX;

    private IpJson6() {
    }

    /** The rules of {@code ip -6 -json rule show}; a priority above {@link Integer#MAX_VALUE} is left out. */
    public static List<Rule6Spec> rules(String json) throws IOException {
        List<Rule6Spec> out = new ArrayList<>();
        List<Map<String, Object>> objects = IpJson.objects(json, "ip -6 -json rule show");
        for (int i = 0; i < objects.size(); i++) {
            JsonFields f = new JsonFields(objects.get(i), "ip -6 -json rule show: rule " + (i + 1));
            long priority = f.number("priority", 0, JsonFields.U32_MAX).orElse(0L);
            if (priority <= Integer.MAX_VALUE) {
                out.add(rule(f, (int) priority));
            }
        }
        return out;
    }

    private static Rule6Spec rule(JsonFields f, int priority) throws IOException {
        String src = f.string("src").orElse("all");
        Optional<Inet6Address> address = "all".equals(src) ? Optional.empty() : Ipv6.tryParse(src);
        // ip prints srclen only when it is not 128.
        long length = f.number("srclen", 0, 255).orElse(128L);
        Optional<Prefix6> from = Optional.empty();
        boolean badSource = !"all".equals(src) && address.isEmpty();
        if (address.isPresent()) {
            try {
                from = Optional.of(new Prefix6(address.get(), (int) length));
            } catch (IllegalArgumentException e) { // host bits set or a length over 128: not a rule we write
                badSource = true;
            }
        }
        Optional<Integer> mark = f.string("fwmark").isPresent() ? Optional.of((int) IpJson.mark(f, "fwmark")) : Optional.empty();
        boolean fullMask = !f.has("fwmask") || IpJson.mark(f, "fwmask") == FULL_MASK;
        Optional<String> table = IpJson.table(f, "table");
        Optional<Long> suppressLength = f.number("suppress_prefixlen", Integer.MIN_VALUE, Integer.MAX_VALUE);
        boolean suppress = suppressLength.equals(Optional.of(0L));
        boolean unknownKey = f.map().keySet().stream()
                .anyMatch(k -> !IpJson.RULE_KEYS_WE_WRITE.contains(k) && !IpJson.RULE_LABELS.contains(k));
        boolean foreign = unknownKey || badSource || !fullMask || table.isEmpty()
                || (suppressLength.isPresent() && !suppress);
        return new Rule6Spec(priority, mark, foreign ? Optional.empty() : from, suppress, table.orElse(""), foreign);
    }

    /**
     * Routes of {@code ip -6 -json route show table all}, by table. An unreachable (or blackhole, prohibit) route
     * reads back with {@code dev lo}, which no one wrote: it is dropped so the route equals its spec.
     */
    public static Map<String, List<Route6Spec>> routesByTable(String json) throws IOException {
        Map<String, List<Route6Spec>> byTable = new LinkedHashMap<>();
        List<Map<String, Object>> objects = IpJson.objects(json, "ip -6 -json route show");
        for (int i = 0; i < objects.size(); i++) {
            JsonFields f = new JsonFields(objects.get(i), "ip -6 -json route show: route " + (i + 1));
            String table = IpJson.table(f, "table").orElse("main");
            String dst = f.string("dst").orElseThrow(() -> f.invalid("dst", "the destination (\"default\", a prefix)"));
            String type = IpJson.routeType(f);
            Optional<String> dev = f.string("dev");
            if (!type.equals("unicast") && dev.equals(Optional.of("lo"))) {
                dev = Optional.empty();
            }
            Optional<Inet6Address> gateway = f.string("gateway").flatMap(Ipv6::tryParse);
            if (f.string("gateway").isPresent() && gateway.isEmpty()) {
                throw f.invalid("gateway", "an IPv6 address");
            }
            byTable.computeIfAbsent(table, t -> new ArrayList<>()).add(new Route6Spec(type, dst, gateway, dev,
                    f.number("metric", 0, JsonFields.U32_MAX).orElse(0L)));
        }
        return byTable;
    }

    /**
     * Each interface's global IPv6 addresses ({@code ip -6 -json addr show}), the preferred ones first; tentative
     * (duplicate address detection still running) and deprecated ones are left out, as the kernel would not pick
     * them as a source.
     */
    public static Map<String, List<Inet6Address>> globalAddresses(String json) throws IOException {
        Map<String, List<Inet6Address>> out = new LinkedHashMap<>();
        List<Map<String, Object>> links = IpJson.objects(json, "ip -6 -json addr show");
        for (int i = 0; i < links.size(); i++) {
            JsonFields link = new JsonFields(links.get(i), "ip -6 -json addr show: link " + (i + 1));
            Optional<String> name = link.string("ifname");
            if (name.isEmpty()) {
                continue;
            }
            List<Inet6Address> addresses = new ArrayList<>();
            List<Map<String, Object>> infos = link.objects("addr_info");
            for (int j = 0; j < infos.size(); j++) {
                JsonFields a = new JsonFields(infos.get(j), link.where() + ": address " + (j + 1));
                if (!a.string("family").equals(Optional.of("inet6")) || !a.string("scope").equals(Optional.of("global"))
                        || a.has("tentative") || a.has("deprecated") || a.has("dadfailed")) {
                    continue;
                }
                Optional<Inet6Address> local = a.string("local").flatMap(Ipv6::tryParse);
                if (local.isPresent() && !addresses.contains(local.get())) {
                    addresses.add(local.get());
                }
            }
            out.put(name.get(), addresses);
        }
        return out;
    }

    /** Per device, the gateway of its lowest-metric IPv6 default ({@code ip -6 -j route show table main default}). */
    public static Map<String, Inet6Address> defaultGateways(String json) throws IOException {
        Map<String, Route6Spec> best = new LinkedHashMap<>();
        for (List<Route6Spec> routes : routesByTable(json).values()) {
            for (Route6Spec r : routes) {
                if (r.gateway().isPresent() && r.dev().isPresent() && "default".equals(r.dst())) {
                    best.merge(r.dev().get(), r, (a, b) -> b.metric() < a.metric() ? b : a);
                }
            }
        }
        Map<String, Inet6Address> out = new LinkedHashMap<>();
        best.forEach((dev, r) -> out.put(dev, r.gateway().get()));
        return out;
    }
}
