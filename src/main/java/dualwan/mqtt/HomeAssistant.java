package dualwan.mqtt;

import dualwan.config.Config;
import dualwan.config.MqttConfig;
import dualwan.config.WanConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Home Assistant's device-based discovery: one retained message on {@code <discovery-prefix>/device/<id>/config}
 * that creates the device and all its entities. Every entity is unavailable while {@code P/availability} says
 * anything but {@code online}: {@code offline} after a clean stop, {@code lost} (the will) after a crash. Home
 * Assistant compares the availability payload with {@code payload_available} and {@code payload_not_available}
 * and ignores any other, so the template maps {@code lost} to {@code offline} first.
 *
 * <p>An uplink that was removed from the config keeps its entities in Home Assistant until the device's config
 * names each of its components with only its platform ({@code {"p": "sensor"}}): Home Assistant then removes it.
 *
 * <p>IPv6 shows only with IPv6 in the config: a connectivity sensor "NAME IPv6" per uplink with IPv6 (reading
 * {@code P/wan/NAME/state6}) and "Active IPv6 uplink" ({@code active6} of {@code P/state}).
 */
final class HomeAssistant {

    private HomeAssistant() {
    }

    /** Renders any availability payload but {@code online} as {@code offline}. */
    static final String AVAILABILITY_TEMPLATE = "{{ 'online' if value == 'online' else 'offline' }}";

    /** The platform of each component an uplink has, by the component's key suffix. */
    static final Map<String, String> UPLINK_COMPONENTS = Map.of("connectivity", "binary_sensor", "latency", "sensor",
            "loss", "sensor", "probe_traffic", "sensor");
    /** The same for the components of an uplink's IPv6 (only an uplink with IPv6 has them). */
    static final Map<String, String> UPLINK6_COMPONENTS = Map.of("ipv6_connectivity", "binary_sensor");
    /** Up, down, or unknown (None) from a {@code P/wan/NAME/state} or {@code state6} payload. */
    static final String CONNECTIVITY_TEMPLATE =
            "{% if value_json.state == 'up' %}ON{% elif value_json.state == 'down' %}OFF{% else %}None{% endif %}";

    static Map<String, Object> discovery(Config config, MqttConfig mqtt, Topics topics, String version) {
        return discovery(config, mqtt, topics, version, List.of(), List.of());
    }

    /**
     * The device's config; {@code removed}: uplinks of an earlier config whose entities Home Assistant must drop;
     * {@code removed6}: uplinks whose IPv6 entities it must drop (the uplink or only its IPv6 left the config).
     */
    static Map<String, Object> discovery(Config config, MqttConfig mqtt, Topics topics, String version,
                                         Collection<String> removed, Collection<String> removed6) {
        String id = mqtt.deviceId();
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("identifiers", List.of(id));
        device.put("name", mqtt.clientId());
        device.put("manufacturer", "dualwan");
        device.put("model", "dual-uplink failover");
        device.put("sw_version", version);
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put("name", "dualwan");
        origin.put("sw_version", version);

        Map<String, Object> cmps = new LinkedHashMap<>();
        List<String> options = new ArrayList<>(List.of("auto"));
        for (WanConfig w : config.wans()) {
            String wan = w.name();
            options.add(wan);
            String state = topics.uplink(wan);
            Map<String, Object> link = component("binary_sensor", id + "_" + wan + "_connectivity", wan, state,
                    CONNECTIVITY_TEMPLATE);
            link.put("device_class", "connectivity");
            link.put("json_attributes_topic", state);
            cmps.put(wan + "_connectivity", link);
            Map<String, Object> latency = component("sensor", id + "_" + wan + "_latency", wan + " latency", state,
                    "{{ value_json.latency_ms }}");
            latency.put("unit_of_measurement", "ms");
            latency.put("device_class", "duration");
            latency.put("state_class", "measurement");
            latency.put("suggested_display_precision", 1);
            cmps.put(wan + "_latency", latency);
            Map<String, Object> loss = component("sensor", id + "_" + wan + "_loss", wan + " loss", state,
                    "{{ value_json.loss_pct }}");
            loss.put("unit_of_measurement", "%");
            loss.put("state_class", "measurement");
            loss.put("icon", "mdi:lan-disconnect");
            cmps.put(wan + "_loss", loss);
            // What probing this uplink costs per month at its schedule now (a metered uplink's data plan).
            Map<String, Object> cost = component("sensor", id + "_" + wan + "_probe_traffic", wan + " probe traffic",
                    state, "{{ value_json.probe_mb_per_30d }}");
            cost.put("unit_of_measurement", "MB");
            cost.put("device_class", "data_size");
            cost.put("state_class", "measurement");
            cost.put("icon", "mdi:counter");
            cmps.put(wan + "_probe_traffic", cost);
            if (w.ipv6().isPresent()) {
                String state6 = topics.uplink6(wan);
                Map<String, Object> link6 = component("binary_sensor", id + "_" + wan + "_ipv6_connectivity",
                        wan + " IPv6", state6, CONNECTIVITY_TEMPLATE);
                link6.put("device_class", "connectivity");
                link6.put("json_attributes_topic", state6);
                cmps.put(wan + "_ipv6_connectivity", link6);
            }
        }
        boolean ipv6 = config.wans().stream().anyMatch(w -> w.ipv6().isPresent());
        Map<String, Object> active = component("sensor", id + "_active", "Active uplink", topics.state(),
                "{{ value_json.active }}");
        active.put("icon", "mdi:wan");
        cmps.put("active", active);
        if (ipv6) {
            Map<String, Object> active6 = component("sensor", id + "_active6", "Active IPv6 uplink", topics.state(),
                    "{{ value_json.active6 }}");
            active6.put("icon", "mdi:wan");
            cmps.put("active6", active6);
        }
        Map<String, Object> mode = component("select", id + "_mode", "Mode", topics.state(), "{{ value_json.mode }}");
        mode.put("command_topic", topics.modeCommand());
        mode.put("options", options);
        mode.put("icon", "mdi:swap-horizontal");
        cmps.put("mode", mode);
        Map<String, Object> button = new LinkedHashMap<>();
        button.put("p", "button");
        button.put("unique_id", id + "_failover");
        button.put("name", "Fail over now");
        button.put("command_topic", topics.failoverCommand());
        button.put("payload_press", Commands.PRESS);
        button.put("icon", "mdi:swap-horizontal-bold");
        cmps.put("failover", button);
        Map<String, Object> switches = component("sensor", id + "_switches", "Switches", topics.state(),
                "{{ value_json.switches }}");
        switches.put("state_class", "total_increasing"); // counts from 0 again after a restart
        switches.put("icon", "mdi:counter");
        cmps.put("switches", switches);

        for (String wan : removed) {
            UPLINK_COMPONENTS.keySet().stream().sorted()
                    .forEach(key -> cmps.put(wan + "_" + key, Map.of("p", UPLINK_COMPONENTS.get(key))));
        }
        for (String wan : removed6) {
            UPLINK6_COMPONENTS.keySet().stream().sorted()
                    .forEach(key -> cmps.put(wan + "_" + key, Map.of("p", UPLINK6_COMPONENTS.get(key))));
        }
        if (!removed6.isEmpty() && !ipv6) { // IPv6 left the config altogether
            cmps.put("active6", Map.of("p", "sensor"));
        }

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dev", device);
        root.put("o", origin);
        root.put("cmps", cmps);
        root.put("availability_topic", topics.availability());
        root.put("payload_available", MqttReporter.ONLINE);
        root.put("payload_not_available", MqttReporter.OFFLINE);
        root.put("availability_template", AVAILABILITY_TEMPLATE);
        root.put("qos", 1);
        return root;
    }

    private static Map<String, Object> component(String platform, String uniqueId, String name, String stateTopic,
                                                 String valueTemplate) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("p", platform);
        c.put("unique_id", uniqueId);
        c.put("name", name);
        c.put("state_topic", stateTopic);
        c.put("value_template", valueTemplate);
        return c;
    }
}
