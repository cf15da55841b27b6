package dualwan.mqtt;

import dualwan.model.DaemonState;
import dualwan.model.StateJson;
import dualwan.model.SwitchEvent;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The JSON payloads published besides the state itself. */
final class Payloads {

    private Payloads() {
    }

    /** One uplink: {@code active}, then its part of the state (state, latency_ms, loss_pct and the rest). */
    static Map<String, Object> uplink(DaemonState status, String wan) {
        Map<String, Object> m = new LinkedHashMap<>(); // the figures first: what a person looks for
        Map<String, Object> fromState = status.wan(wan).map(StateJson::uplink).orElse(Map.of());
        m.put("state", fromState.get("state"));
        m.put("active", status.active().filter(wan::equals).isPresent());
        m.put("latency_ms", fromState.get("latency_ms"));
        m.put("loss_pct", fromState.get("loss_pct"));
        fromState.forEach(m::putIfAbsent);
        return m;
    }

    /**
     * One uplink's IPv6, for an uplink with IPv6: {@code active} (it carries the LAN's IPv6), then its IPv6 part
     * of the state in the IPv4 payload's layout (null fields while the state has no IPv6 verdict for it yet).
     */
    static Map<String, Object> uplink6(DaemonState status, String wan) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> fromState = status.ipv6().flatMap(six -> Optional.ofNullable(six.wans().get(wan)))
                .map(StateJson::uplink).orElse(Map.of());
        m.put("state", fromState.get("state"));
        m.put("active", status.ipv6().flatMap(DaemonState.Ipv6::active).filter(wan::equals).isPresent());
        m.put("latency_ms", fromState.get("latency_ms"));
        m.put("loss_pct", fromState.get("loss_pct"));
        fromState.forEach(m::putIfAbsent);
        return m;
    }

    /** One switch: {@code from}, {@code to} (null for none), {@code reason} and {@code time}. */
    static Map<String, Object> event(SwitchEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", e.from().orElse(null));
        m.put("to", e.to().orElse(null));
        m.put("reason", e.reason());
        m.put("time", e.at().toString());
        return m;
    }

    /** JSON with null fields written out, as in the state file: templates can rely on every field. */
    static byte[] json(Object tree) {
        return StateJson.compact(tree).getBytes(StandardCharsets.UTF_8);
    }
}
