package dualwan.app;

import dualwan.model.SwitchEvent;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.config.Config;
import dualwan.config.PolicyConfig;
import dualwan.decide.Decision;
import dualwan.decide.PolicyDecision;
import dualwan.model.Mode;
import dualwan.health.HealthSnapshot;
import dualwan.health.TargetHealth;
import dualwan.health.UplinkHealth;
import dualwan.plan.Planner.UplinkAddressing;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The daemon's state as JSON, replaced atomically (write a temporary file beside it, then rename), so a
 * reader never sees half a file. Keep it on tmpfs (/run): it changes often.
 */
public final class StateFile {

    private final Path path;

    public StateFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public static Map<String, Object> render(HealthSnapshot health, Decision decision, Mode mode,
                                             Optional<SwitchEvent> lastSwitch, int switches,
                                             Map<String, UplinkAddressing> addressing) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("active", decision.active().orElse(null));
        root.put("mode", mode.toString());
        root.put("reason", decision.reason());
        root.put("active_since", decision.since().toString());
        root.put("switches", switches);
        root.put("last_switch", lastSwitch.map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", s.from().orElse(null));
            m.put("to", s.to().orElse(null));
            m.put("at", s.at().toString());
            m.put("reason", s.reason());
            return m;
        }).orElse(null));
        Map<String, Object> wans = new LinkedHashMap<>();
        health.uplinks().forEach((name, u) -> wans.put(name, uplink(u, addressing.get(name))));
        root.put("wans", wans);
        root.put("updated", health.at().toString());
        return root;
    }

    /** Each policy: its kind, the uplinks it may use, and where its traffic goes now. */
    public static Map<String, Object> policies(Config config, Map<String, PolicyDecision> decisions) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (PolicyConfig p : config.policies()) {
            PolicyDecision d = decisions.get(p.name());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", p.balanced() ? "balance" : "failover");
            if (p.balanced()) {
                m.put("weights", p.weights());
            } else {
                m.put("order", p.order());
            }
            m.put("active", d == null ? null : p.balanced() ? String.join(",", d.uplinks()) : d.active().orElse(null));
            m.put("uplinks", d == null ? List.of() : d.uplinks());
            m.put("reason", d == null ? null : d.reason());
            m.put("since", d == null ? null : d.since().toString());
            out.put(p.name(), m);
        }
        return out;
    }

    private static Map<String, Object> uplink(UplinkHealth u, UplinkAddressing a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", u.verdict().label());
        m.put("reason", u.reason());
        m.put("since", u.since().toString());
        m.put("carrier", u.carrier());
        m.put("address", a == null ? null : a.address().map(Inet4Address::getHostAddress).orElse(null));
        m.put("gateway", u.gateway().map(Inet4Address::getHostAddress).orElse(null));
        m.put("gateway_state", u.gatewayHealth().map(h -> h.verdict().label()).orElse(null));
        m.put("confirming", u.confirming());
        Map<String, Object> hosts = new LinkedHashMap<>();
        u.hosts().forEach((ip, h) -> hosts.put(ip.getHostAddress(), host(h)));
        m.put("hosts", hosts);
        return m;
    }

    private static Map<String, Object> host(TargetHealth h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", h.verdict().label());
        m.put("rtt_ms", h.rttMicros() < 0 ? null : h.rttMicros() / 1000.0);
        m.put("loss_pct", Math.round(h.lossPercent() * 10) / 10.0);
        return m;
    }

    private static final Set<PosixFilePermission> GROUP_READABLE = PosixFilePermissions.fromString("rw-r-----");

    public void write(Map<String, Object> state) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".state", ".tmp");
        try {
            // rw-r-----: the service's group (dualwan) may read it ("dualwan status"), nobody else. Set after
            // creation: the unit's UMask=0077 would mask the group bits of a mode given at creation.
            Files.setPosixFilePermissions(tmp, GROUP_READABLE);
            Files.writeString(tmp, JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(state) + "\n");
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The previous run's state, if readable: used to keep an operator's forced mode across a restart. */
    public Optional<Map<String, Object>> read() {
        try {
            return Files.isReadable(path) ? Optional.of(JSON.std.mapFrom(Files.readString(path))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
