package dualwan.mqtt;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.config.Config;
import dualwan.model.Mode;
import dualwan.model.StateJson;
import dualwan.model.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The discovery payload: its entities, ids and topics, and that its templates read fields we publish. */
class HomeAssistantTest {

    private static final String P = "dualwan/pi";
    private final Config config = MqttFixtures.config(Path.of("/x/state.json"), MqttFixtures.mqtt("tcp://127.0.0.1:1883", P));
    private final Topics topics = Topics.of(config.mqtt().orElseThrow());

    @SuppressWarnings("unchecked")
    private Map<String, Object> discovery() throws Exception {
        // Through JSON and back: exactly what Home Assistant receives.
        byte[] bytes = Payloads.json(HomeAssistant.discovery(config, config.mqtt().orElseThrow(), topics, "1.2.3"));
        return JSON.std.mapFrom(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void oneDeviceWithItsOriginAvailabilityAndEveryEntity() throws Exception {
        Map<String, Object> d = discovery();
        assertEquals("homeassistant/device/dualwan-test/config", topics.discovery());
        assertEquals(Map.of("identifiers", List.of("dualwan-test"), "name", "dualwan-test", "manufacturer", "dualwan",
                "model", "dual-uplink failover", "sw_version", "1.2.3"), d.get("dev"));
        assertEquals(Map.of("name", "dualwan", "sw_version", "1.2.3"), d.get("o"));
        assertEquals(P + "/availability", d.get("availability_topic"));
        assertEquals("online", d.get("payload_available"));
        assertEquals("offline", d.get("payload_not_available"));
        assertEquals("{{ 'online' if value == 'online' else 'offline' }}", d.get("availability_template"),
                "the will's lost is unavailable too (HomeAssistantEdgesTest renders it)");

        Map<String, Object> cmps = map(d.get("cmps"));
        assertEquals(Set.of("isp1_connectivity", "isp1_latency", "isp1_loss", "isp1_probe_traffic",
                "isp2_connectivity", "isp2_latency", "isp2_loss", "isp2_probe_traffic", "active", "mode", "failover",
                "switches"), cmps.keySet());
        for (String wan : List.of("isp1", "isp2")) {
            Map<String, Object> link = map(cmps.get(wan + "_connectivity"));
            assertEquals("binary_sensor", link.get("p"));
            assertEquals("connectivity", link.get("device_class"));
            assertEquals(P + "/wan/" + wan + "/state", link.get("state_topic"));
            Map<String, Object> latency = map(cmps.get(wan + "_latency"));
            assertEquals("sensor", latency.get("p"));
            assertEquals("ms", latency.get("unit_of_measurement"));
            assertEquals("measurement", latency.get("state_class"));
            Map<String, Object> traffic = map(cmps.get(wan + "_probe_traffic"));
            assertEquals("{{ value_json.probe_mb_per_30d }}", traffic.get("value_template"));
            assertEquals("MB", traffic.get("unit_of_measurement"));
            Map<String, Object> loss = map(cmps.get(wan + "_loss"));
            assertEquals("%", loss.get("unit_of_measurement"));
        }
        Map<String, Object> mode = map(cmps.get("mode"));
        assertEquals("select", mode.get("p"));
        assertEquals(List.of("auto", "isp1", "isp2"), mode.get("options"));
        assertEquals(P + "/mode/set", mode.get("command_topic"));
        assertEquals(P + "/state", mode.get("state_topic"));
        Map<String, Object> button = map(cmps.get("failover"));
        assertEquals("button", button.get("p"));
        assertEquals(P + "/failover/set", button.get("command_topic"));
        assertEquals("PRESS", button.get("payload_press"));
        assertEquals("sensor", map(cmps.get("active")).get("p"));
        assertEquals("total_increasing", map(cmps.get("switches")).get("state_class"));
    }

    @Test
    void uniqueIdsAreDistinctAndStartWithTheDeviceId() throws Exception {
        Set<Object> ids = new HashSet<>();
        for (Object c : map(discovery().get("cmps")).values()) {
            String id = (String) map(c).get("unique_id");
            assertTrue(id.startsWith("dualwan-test_"), id);
            assertTrue(id.matches("[A-Za-z0-9_-]+"), id);
            assertTrue(ids.add(id), "duplicate " + id);
        }
        assertEquals(12, ids.size());
    }

    /** A payload as a subscriber parses it. */
    private static Map<String, Object> published(Map<String, Object> payload) throws Exception {
        return JSON.std.mapFrom(new String(Payloads.json(payload), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void everyTemplateReadsAFieldThatItsStateTopicCarries() throws Exception {
        // Nothing active and isp2 down: the fields without a value must still be there, as null.
        var verdicts = new java.util.LinkedHashMap<String, Verdict>();
        verdicts.put("isp1", Verdict.UP);
        verdicts.put("isp2", Verdict.DOWN);
        var status = MqttFixtures.status(Optional.empty(), Mode.AUTO, verdicts);
        Map<String, Map<String, Object>> payloads = Map.of(
                topics.state(), published(StateJson.tree(status)),
                topics.uplink("isp1"), published(Payloads.uplink(status, "isp1")),
                topics.uplink("isp2"), published(Payloads.uplink(status, "isp2")));
        assertEquals(null, payloads.get(topics.uplink("isp2")).get("latency_ms"));
        assertEquals(null, payloads.get(topics.state()).get("active"));
        assertEquals(13, templateFieldsPublished(discovery(), payloads));

        // With IPv6 on isp1 (down there, so nothing carries IPv6): its IPv6 sensor and Active IPv6 uplink too.
        Config dual = dualwan.DualStack.withIpv6(config, "isp1");
        var status6 = dualwan.DualStack.unreachable(status, MqttFixtures.T0);
        Map<String, Map<String, Object>> payloads6 = new java.util.HashMap<>(payloads);
        payloads6.put(topics.state(), published(StateJson.tree(status6)));
        payloads6.put(topics.uplink6("isp1"), published(Payloads.uplink6(status6, "isp1")));
        Map<String, Object> discovery6 = JSON.std.mapFrom(new String(Payloads.json(HomeAssistant.discovery(dual,
                dual.mqtt().orElseThrow(), topics, "1.2.3")), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(16, templateFieldsPublished(discovery6, payloads6), "two in the IPv6 sensor, one in active6");
    }

    /** Checks that every field each component's template reads is in its state topic's payload; how many. */
    private static int templateFieldsPublished(Map<String, Object> discovery,
                                               Map<String, Map<String, Object>> payloads) {
        Pattern field = Pattern.compile("value_json\\.([a-z0-9_]+)");
        int checked = 0;
        for (Object c : map(discovery.get("cmps")).values()) {
            Map<String, Object> component = map(c);
            Object template = component.get("value_template");
            if (template == null) {
                assertEquals("button", component.get("p"), "only the button has no state");
                continue;
            }
            Map<String, Object> payload = payloads.get((String) component.get("state_topic"));
            assertTrue(payload != null, component.get("unique_id") + " reads an unpublished topic");
            Matcher m = field.matcher((String) template);
            assertTrue(m.find(), template::toString);
            do {
                assertTrue(payload.containsKey(m.group(1)), component.get("unique_id") + " reads " + m.group(1)
                        + ", which its state topic lacks");
                checked++;
            } while (m.find());
        }
        return checked;
    }

    @Test
    void withIpv6EachIpv6UplinkHasAConnectivitySensorAndTheActiveIpv6UplinkOneAndTheirFieldsArePublished()
            throws Exception {
        Config dual = dualwan.DualStack.withIpv6(config, "isp1");
        Map<String, Object> d = JSON.std.mapFrom(new String(Payloads.json(HomeAssistant.discovery(dual,
                dual.mqtt().orElseThrow(), topics, "1.2.3")), java.nio.charset.StandardCharsets.UTF_8));
        Map<String, Object> cmps = map(d.get("cmps"));
        assertEquals(Set.of("isp1_connectivity", "isp1_latency", "isp1_loss", "isp1_probe_traffic",
                "isp1_ipv6_connectivity", "isp2_connectivity", "isp2_latency", "isp2_loss", "isp2_probe_traffic",
                "active", "active6", "mode", "failover", "switches"), cmps.keySet(), "isp2 has no IPv6: no IPv6 entity");
        Map<String, Object> link6 = map(cmps.get("isp1_ipv6_connectivity"));
        assertEquals("binary_sensor", link6.get("p"));
        assertEquals("connectivity", link6.get("device_class"));
        assertEquals("isp1 IPv6", link6.get("name"));
        assertEquals("dualwan-test_isp1_ipv6_connectivity", link6.get("unique_id"));
        assertEquals(P + "/wan/isp1/state6", link6.get("state_topic"));
        assertEquals(P + "/wan/isp1/state6", link6.get("json_attributes_topic"));
        assertEquals(map(cmps.get("isp1_connectivity")).get("value_template"), link6.get("value_template"));
        Map<String, Object> active6 = map(cmps.get("active6"));
        assertEquals("sensor", active6.get("p"));
        assertEquals("Active IPv6 uplink", active6.get("name"));
        assertEquals(P + "/state", active6.get("state_topic"));
        assertEquals("{{ value_json.active6 }}", active6.get("value_template"));

        var status = dualwan.DualStack.unreachable(MqttFixtures.status("isp1", Mode.AUTO), MqttFixtures.T0);
        Map<String, Object> state = published(StateJson.tree(status));
        Map<String, Object> six = published(Payloads.uplink6(status, "isp1"));
        assertTrue(state.containsKey("active6") && state.get("active6") == null, "null, not missing: " + state);
        assertEquals("down", six.get("state"));
        assertTrue(six.containsKey("latency_ms") && six.get("latency_ms") == null, six::toString);
        assertEquals(null, Payloads.uplink6(MqttFixtures.status("isp1", Mode.AUTO), "isp1").get("state"),
                "a state without IPv6 yet: the fields are there, empty");
    }
}
