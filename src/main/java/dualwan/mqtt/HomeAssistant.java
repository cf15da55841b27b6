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
 */
final class HomeAssistant {

    private HomeAssistant() {
    }

    /** Renders any availability payload but {@code online} as {@code offline}. */
    static final String AVAILABILITY_TEMPLATE = "{{ 'online' if value == 'online' else 'offline' }}";

    /** The platform of each component an uplink has, by the component's key suffix. */
    static final Map<String, String> UPLINK_COMPONENTS = Map.of("connectivity", "binary_sensor", "latency", "sensor",
            "loss", "sensor", "probe_traffic", "sensor");

    static Map<String, Object> discovery(Config config, MqttConfig mqtt, Topics topics, String version) {
        return discovery(config, mqtt, topics, version, List.of());
    }

    /** The device's config; {@code removed}: uplinks of an earlier config whose entities Home Assistant must drop. */
    static Map<String, Object> discovery(Config config, MqttConfig mqtt, Topics topics, String version,
                                         Collection<String> removed) {
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
                    "{% if value_json.state == 'up' %}ON{% elif value_json.state == 'down' %}OFF{% else %}None{% endif %}");
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
        }
        Map<String, Object> active = component("sensor", id + "_active", "Active uplink", topics.state(),
                "{{ value_json.active }}");
        active.put("icon", "mdi:wan");
        cmps.put("active", active);
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
