package dualwan.mqtt;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.app.Status;
import dualwan.app.SwitchEvent;
import dualwan.health.TargetHealth;
import dualwan.health.UplinkHealth;
import dualwan.health.Verdict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The JSON payloads published besides the state itself. */
final class Payloads {

    private static final JSON WITH_NULLS = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private Payloads() {
    }

    /**
     * One uplink: its part of the state file, plus {@code active}, {@code latency_ms} (mean smoothed RTT of the
     * hosts that are up, or the gateway's when it has no hosts; null when nothing answers) and {@code loss_pct}
     * (mean loss over its hosts, or the gateway's, over the last {@link TargetHealth#WINDOW} probes).
     */
    static Map<String, Object> uplink(Status status, String wan) {
        Map<String, Object> fromState = new LinkedHashMap<>();
        if (status.json().get("wans") instanceof Map<?, ?> wans && wans.get(wan) instanceof Map<?, ?> w) {
            w.forEach((k, v) -> fromState.put(String.valueOf(k), v));
        }
        Map<String, Object> m = new LinkedHashMap<>(); // the figures first: what a person looks for
        m.put("state", fromState.get("state"));
        m.put("active", status.decision().active().filter(wan::equals).isPresent());
        Optional<UplinkHealth> u = status.health().uplink(wan);
        List<TargetHealth> hosts = u.map(h -> List.copyOf(h.hosts().values())).orElse(List.of());
        List<TargetHealth> measured = hosts.isEmpty() ? u.flatMap(UplinkHealth::gatewayHealth).stream().toList() : hosts;
        m.put("latency_ms", measured.stream().filter(t -> t.verdict() == Verdict.UP && t.rttMicros() >= 0)
                .mapToLong(TargetHealth::rttMicros).average().stream().map(us -> Math.round(us / 100.0) / 10.0)
                .boxed().findFirst().orElse(null));
        m.put("loss_pct", measured.stream().filter(t -> t.samples() > 0).mapToDouble(TargetHealth::lossPercent)
                .average().stream().map(p -> Math.round(p * 10) / 10.0).boxed().findFirst().orElse(null));
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

    /** JSON with null fields written out (the state file leaves them out): templates can rely on every field. */
    static byte[] json(Object tree) {
        try {
            return WITH_NULLS.asBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render JSON", e); // only for values JSON cannot hold: a bug
        }
    }
}
