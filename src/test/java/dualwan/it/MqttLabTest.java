package dualwan.it;

import static dualwan.it.Daemon.active;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dualwan run} with an mqtt section, in the lab, against a Mosquitto on the router namespace's loopback:
 * a real failover shows as an event and in the retained state, and a clean stop says offline.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class MqttLabTest extends DaemonLabTest {

    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    @Test
    void aRealFailoverIsReportedAndAStopSaysOffline(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO), "mosquitto is not installed");
        Path conf = Files.writeString(tmp.resolve("mosquitto.conf"), "listener 1883 127.0.0.1\nallow_anonymous true\n"
                + "persistence false\nuser " + System.getProperty("user.name") + "\n");
        Process broker = lab.spawn("rtr", List.of(MOSQUITTO.toString(), "-c", conf.toString()), tmp.resolve("mosquitto.log"));
        Path watchLog = tmp.resolve("watch.log");
        Process watch = null;
        try {
            daemon = Daemon.configure(lab, tmp, "3s", yaml -> yaml
                    + "mqtt:\n  broker: tcp://127.0.0.1:1883\n  topic-prefix: dualwan/lab\n  keep-alive: 5s\n").start();
            daemon.awaitAllUp();
            watch = lab.spawn("rtr", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab), "dualwan.labtools.MqttWatch",
                    "--broker", "tcp://127.0.0.1:1883", "--topic", "dualwan/lab/#", "--seconds", "60"), watchLog);
            awaitLine(watchLog, "dualwan/lab/availability [retained] online");
            awaitLine(watchLog, "dualwan/lab/wan/isp1/state [retained] {\"state\":\"up\"");
            Map<String, Object> mqtt = section(daemon.stateNow());
            assertEquals(true, mqtt.get("connected"), mqtt::toString);

            lab.cut(1);
            daemon.awaitState("active isp2 after the cut", Duration.ofSeconds(10), s -> "isp2".equals(active(s)));
            awaitLine(watchLog, "dualwan/lab/event {\"from\":\"isp1\",\"to\":\"isp2\",\"reason\":\"failover: isp1");
            awaitLine(watchLog, "\"active\":\"isp2\"");

            daemon.close(); // SIGTERM: a clean stop publishes offline itself (no will is sent then)
            awaitLine(watchLog, "dualwan/lab/availability offline");
            Thread.sleep(500);
            assertFalse(Files.readString(watchLog).contains("dualwan/lab/availability lost"),
                    "a clean stop is offline, never the will's lost:\n" + ItLabs.read(watchLog));
        } finally {
            if (watch != null) {
                watch.destroyForcibly();
            }
            broker.destroyForcibly();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> state) {
        return (Map<String, Object>) state.get("mqtt");
    }

    /** Waits (at most 15 s) until the watcher printed a line containing {@code text}. */
    private static void awaitLine(Path log, String text) throws Exception {
        for (int i = 0; i < 150; i++) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the watcher never printed '" + text + "':\n" + ItLabs.read(log));
    }
}
