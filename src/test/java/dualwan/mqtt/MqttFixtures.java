package dualwan.mqtt;

import dualwan.TestConfigs;
import dualwan.TestStates;
import dualwan.config.Config;
import dualwan.config.FileSetting;
import dualwan.config.MqttConfig;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.ModeControl;
import dualwan.model.ModeResult;
import dualwan.health.HealthSnapshot;
import dualwan.health.TargetHealth;
import dualwan.health.UplinkHealth;
import dualwan.model.Verdict;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Configs and states for the MQTT tests. */
final class MqttFixtures {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private MqttFixtures() {
    }

    static MqttConfig mqtt(String broker, String prefix) {
        return new MqttConfig(URI.create(broker), "dualwan-test", Optional.empty(), Optional.empty(), Optional.empty(),
                prefix, "homeassistant", Duration.ofSeconds(30));
    }

    static MqttConfig mqtt(String broker, String prefix, String clientId, Duration keepAlive, Optional<String> user,
                           Optional<Path> passwordFile, Optional<Path> caFile) {
        return new MqttConfig(URI.create(broker), clientId, user, passwordFile.map(p -> new FileSetting(p, 1)),
                caFile.map(p -> new FileSetting(p, 1)), prefix, "homeassistant", keepAlive);
    }

    /** The lab's two uplinks (isp1, isp2; three hosts each), a state file of its own, and this MQTT section. */
    static Config config(Path stateFile, MqttConfig mqtt) {
        Config lab = TestConfigs.twoWans(Duration.ofSeconds(30));
        return new Config(Path.of("test.yaml"), lab.wans(), lab.failback(), lab.lan(), lab.routing(), stateFile,
                lab.conntrack(), lab.policies(), Optional.empty(), Optional.empty(), Optional.of(mqtt), Optional.empty());
    }

    /** A state as the daemon would hand it to listeners: every host up with 12.5 ms and 5 % loss. */
    static DaemonState status(Optional<String> active, Mode mode, Map<String, Verdict> verdicts) {
        Map<String, UplinkHealth> uplinks = new LinkedHashMap<>();
        int n = 1;
        for (var e : verdicts.entrySet()) {
            boolean up = e.getValue() == Verdict.UP;
            TargetHealth host = new TargetHealth(e.getValue(), up ? 0 : 8, up ? 5 : 0, 1, 20, 12_500, T0);
            uplinks.put(e.getKey(), new UplinkHealth(e.getKey(), e.getValue(), up ? "ok" : "0 of 1 hosts answer", T0,
                    true, Optional.of(TestConfigs.ip("100.64." + n + ".1")), Optional.empty(),
                    Map.of(TestConfigs.ip("192.0.2." + n), host), false));
            n++;
        }
        return TestStates.of(TestConfigs.twoWans(), new HealthSnapshot(T0, uplinks), active, mode);
    }

    static DaemonState status(String active, Mode mode) {
        Map<String, Verdict> bothUp = new LinkedHashMap<>();
        bothUp.put("isp1", Verdict.UP);
        bothUp.put("isp2", Verdict.UP);
        return status(Optional.of(active), mode, bothUp);
    }

    /** A daemon that accepts every mode: a forced uplink becomes active, auto leaves none chosen. */
    static ModeControl acceptingEveryMode(String reason) {
        return m -> CompletableFuture.completedFuture(new ModeResult(m, m.forced(), reason));
    }
}
