package dualwan.linux;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.plan.RouteSpec;
import dualwan.plan.RuleSpec;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ip -json} output in, the project's types or a clear {@link IOException} out: never another exception.
 * Seeds: what iproute2 6.1 printed in a scratch namespace ({@code scripts/fuzz-seeds}), under
 * {@code src/test/resources/dualwan/linux/IpJsonFuzzTestInputs/<method>}; README "Fuzzing" for a longer run.
 */
class IpJsonFuzzTest {

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"\"priority\":", "\"src\":", "\"srclen\":", "\"fwmark\":", "\"fwmask\":", "\"table\":",
            "\"suppress_prefixlen\":", "\"protocol\":", "\"iif\":", "\"not\":null", "\"0xffffffff\"", "4294967295"})
    void rules(byte[] input) {
        String json = new String(input, StandardCharsets.UTF_8);
        List<RuleSpec> rules;
        try {
            rules = IpJson.rules(json);
        } catch (IOException e) {
            documented(e, "ip -json rule show");
            return;
        }
        for (RuleSpec r : rules) {
            assertTrue(r.priority() >= 0, r::toString);
            if (!r.foreign()) {
                // A rule that looks like ours is one we could have written: it reads back as itself.
                assertEquals(List.of(r), reparse(written(r)), "our own rule must not look foreign");
            }
        }
        // A label (protocol) never changes whose rule it is; a selector dualwan never writes makes it foreign.
        List<Map<String, Object>> objects = objectsOrNull(json);
        if (objects != null) {
            List<RuleSpec> labelled = rulesOrNull(with(objects, "protocol", "static"));
            if (labelled != null) { // null: a value jackson-jr wrote back is not JSON (a float beyond double)
                assertEquals(rules, labelled, "a protocol label changed a rule");
            }
            List<RuleSpec> selected = rulesOrNull(with(objects, "iif", "wan1"));
            if (selected != null) {
                selected.forEach(r -> assertTrue(r.foreign(), r::toString));
            }
        }
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"\"type\":", "\"dst\":", "\"gateway\":", "\"dev\":", "\"metric\":", "\"flags\":[",
            "\"onlink\"", "\"table\":", "\"nexthops\":[", "\"default\"", "\"unreachable\"", "4294967295"})
    void routes(byte[] input) {
        Map<String, List<RouteSpec>> byTable;
        try {
            byTable = IpJson.routesByTable(new String(input, StandardCharsets.UTF_8));
        } catch (IOException e) {
            documented(e, "ip -json route show");
            return;
        }
        byTable.forEach((table, routes) -> {
            assertFalse(table.isEmpty());
            for (RouteSpec r : routes) {
                assertNotNull(r.type());
                assertNotNull(r.dst());
                assertTrue(r.metric() >= 0 && r.metric() <= JsonFields.U32_MAX, r::toString);
            }
        });
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"\"ifname\":", "\"addr_info\":[", "\"family\":\"inet\"", "\"local\":", "\"address\":",
            "\"scope\":\"host\"", "\"scope\":\"global\"", "\"prefixlen\":"})
    void addresses(byte[] input) {
        String json = new String(input, StandardCharsets.UTF_8);
        try {
            Map<String, Inet4Address[]> all = IpJson.addressesAndPeers(json);
            all.values().forEach(a -> {
                assertEquals(2, a.length);
                assertNotNull(a[0], "an interface is listed only with its address");
                assertFalse(a[0].equals(a[1]), "a peer is never the local address");
            });
            Optional<Inet4Address[]> first = IpJson.addressAndPeer(json);
            assertTrue(first.isPresent() || all.isEmpty(), "one interface's reading sees what the full one does");
        } catch (IOException e) {
            documented(e, "ip -json addr show");
        }
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"\"dst\":\"default\"", "\"gateway\":", "\"dev\":", "\"metric\":", "\"flags\":[]"})
    void defaultGateways(byte[] input) {
        String json = new String(input, StandardCharsets.UTF_8);
        try {
            Map<String, Inet4Address> perDevice = IpJson.defaultGateways(json);
            Optional<Inet4Address> best = IpJson.defaultGateway(json);
            assertTrue(best.isPresent() || perDevice.isEmpty(), "a device's default is also a default");
            List<RouteSpec> routes = IpJson.routes(json);
            perDevice.forEach((dev, gw) -> assertTrue(routes.stream().anyMatch(r -> "default".equals(r.dst())
                    && r.dev().equals(Optional.of(dev)) && r.gateway().equals(Optional.of(gw)))));
        } catch (IOException e) {
            documented(e, "ip -json route show");
        }
    }

    /** The one exception the parser may throw, with a message that says which listing (and field) is wrong. */
    static void documented(IOException e, String listing) {
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().startsWith(listing + ": "), e::getMessage);
    }

    private static List<RuleSpec> rulesOrNull(String json) {
        try {
            return IpJson.rules(json);
        } catch (IOException e) {
            return null;
        }
    }

    private static List<RuleSpec> reparse(String json) {
        try {
            return IpJson.rules(json);
        } catch (IOException e) {
            throw new AssertionError("ip's own shape of the rule did not parse: " + json, e);
        }
    }

    /** The JSON iproute2 prints for a rule dualwan adds with {@link RuleSpec#addArgs()}. */
    private static String written(RuleSpec r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("priority", r.priority());
        m.put("src", r.from().map(Inet4Address::getHostAddress).orElse("all"));
        r.fwmark().ifPresent(mark -> m.put("fwmark", "0x" + Integer.toHexString(mark)));
        m.put("table", r.table());
        if (r.suppressDefault()) {
            m.put("suppress_prefixlen", 0);
        }
        return json(List.of(m));
    }

    private static String with(List<Map<String, Object>> objects, String key, String value) {
        return json(objects.stream().map(o -> {
            Map<String, Object> copy = new LinkedHashMap<>(o);
            copy.put(key, value);
            return (Object) copy;
        }).toList());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objectsOrNull(String json) {
        try {
            Object root = JSON.std.anyFrom(json);
            return root instanceof List<?> l && l.stream().allMatch(o -> o instanceof Map<?, ?>)
                    ? (List<Map<String, Object>>) l : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Null values stay: {@code "not": null} is how ip prints a negated rule. */
    private static final JSON WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private static String json(Object value) {
        try {
            return WRITER.asString(value);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
