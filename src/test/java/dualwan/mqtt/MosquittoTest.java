package dualwan.mqtt;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.model.Mode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reporter against a real Mosquitto that each test starts on a free loopback port, with a real daemon
 * behind it. Skipped, with a message, where Mosquitto is not installed.
 */
class MosquittoTest {

    private static final String P = "dualwan/test";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @BeforeAll
    static void needsMosquitto() {
        Mosquitto.assumeInstalled();
    }

    private static Map<String, Object> json(TestClient.Received r) throws Exception {
        return JSON.std.mapFrom(r.payload());
    }

    private static boolean field(TestClient.Received r, String key, Object value) {
        try {
            return value.equals(json(r).get(key));
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void discoveryStateAndAvailabilityAreRetainedOnTheBroker() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); MqttRig rig = new MqttRig(dir, broker.uri(), P);
             TestClient watcher = TestClient.connect(broker.uri()).subscribe(P + "/state")) {
            watcher.await(P + "/state", r -> field(r, "active", "isp1"), WAIT);
            // Home Assistant connects later: everything it needs is retained.
            try (TestClient ha = TestClient.connect(broker.uri()).subscribe("homeassistant/#", P + "/#")) {
                TestClient.Received discovery = ha.await("homeassistant/device/dualwan-test/config",
                        TestClient.Received::retained, WAIT);
                Map<String, Object> d = json(discovery);
                Map<String, Object> cmps = (Map<String, Object>) d.get("cmps");
                assertEquals(P + "/availability", d.get("availability_topic"));
                assertEquals(List.of("dualwan-test"), ((Map<String, Object>) d.get("dev")).get("identifiers"));
                assertEquals("connectivity", ((Map<String, Object>) cmps.get("isp2_connectivity")).get("device_class"));
                assertEquals("dualwan-test_isp1_latency", ((Map<String, Object>) cmps.get("isp1_latency")).get("unique_id"));
                assertEquals(List.of("auto", "isp1", "isp2"), ((Map<String, Object>) cmps.get("mode")).get("options"));
                assertEquals("online", ha.await(P + "/availability", TestClient.Received::retained, WAIT).payload());
                Map<String, Object> state = json(ha.await(P + "/state", TestClient.Received::retained, WAIT));
                assertEquals("isp1", state.get("active"));
                assertEquals("auto", state.get("mode"));
                assertEquals(Map.of("isp1", "up", "isp2", "up"), Map.of(
                        "isp1", ((Map<String, Object>) ((Map<String, Object>) state.get("wans")).get("isp1")).get("state"),
                        "isp2", ((Map<String, Object>) ((Map<String, Object>) state.get("wans")).get("isp2")).get("state")));
                assertEquals(true, ((Map<String, Object>) state.get("mqtt")).get("connected"), "its own section");
                Map<String, Object> isp2 = json(ha.await(P + "/wan/isp2/state", TestClient.Received::retained, WAIT));
                assertEquals("up", isp2.get("state"));
                assertEquals(false, isp2.get("active"));
                assertTrue(((Number) isp2.get("latency_ms")).doubleValue() > 0, isp2::toString);
                assertEquals(0.0, ((Number) isp2.get("loss_pct")).doubleValue());
            }
            assertEquals(1, rig.reporter.connections());
        }
    }

    /** Run on a broker as installed (Nagle's algorithm on) and with {@code set_tcp_nodelay true}, for both figures. */
    @ParameterizedTest(name = "broker set_tcp_nodelay {0}")
    @ValueSource(booleans = {false, true})
    void commandsChangeTheModeAndTheStateShowsItWithinASecond(boolean brokerNoDelay) throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir, "allow_anonymous true\nset_tcp_nodelay " + brokerNoDelay + "\n"); MqttRig rig = new MqttRig(dir, broker.uri(), P);
             TestClient ha = TestClient.connect(broker.uri()).subscribe(P + "/state", P + "/event")) {
            ha.await(P + "/state", r -> field(r, "active", "isp1"), WAIT);
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String want = i % 2 == 0 ? "isp2" : "auto";
                ha.forget();
                long sent = System.nanoTime();
                ha.publish(P + "/mode/set", want, false);
                TestClient.Received r = ha.await(P + "/state", x -> field(x, "mode", want), WAIT);
                micros.add(TimeUnit.NANOSECONDS.toMicros(r.nanos() - sent));
                assertEquals("isp2", json(r).get("active"), "forced to isp2; back in auto the failback hold keeps it");
            }
            // The button: the uplink after the active one (isp2) is forced, wrapping around to isp1.
            ha.publish(P + "/failover/set", "PRESS", false);
            ha.await(P + "/state", x -> field(x, "mode", "isp1") && field(x, "active", "isp1"), WAIT);
            assertEquals("isp1", rig.daemon.state().get(5, TimeUnit.SECONDS).get("mode"), "the daemon itself is forced");
            TestClient.Received event = ha.await(P + "/event", x -> field(x, "from", "isp2") && field(x, "to", "isp1"), WAIT);
            assertTrue(!event.retained() && "forced by the operator".equals(json(event).get("reason")), event::payload);
            assertEquals(Mode.force("isp1"), rig.commands.getLast());
            micros.sort(null);
            System.out.printf("mqtt command -> state message: median %.1f ms, max %.1f ms (%d commands, real daemon,"
                    + " loopback mosquitto, set_tcp_nodelay %s)%n", micros.get(micros.size() / 2) / 1000.0,
                    micros.getLast() / 1000.0, micros.size(), brokerNoDelay);
            // Each await above is bounded (10 s); the figures are printed, not asserted against the clock.
        }
    }

    @Test
    void badPayloadsChangeNothingAndARetainedCommandIsRemoved() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); TestClient ha = TestClient.connect(broker.uri())) {
            ha.publish(P + "/mode/set", "isp2", true); // left on the broker before the daemon starts
            try (MqttRig rig = new MqttRig(dir, broker.uri(), P)) {
                ha.subscribe(P + "/state");
                ha.await(P + "/state", r -> field(r, "active", "isp1"), WAIT);
                ha.publish(P + "/mode/set", "isp9", false);
                ha.publish(P + "/mode/set", "{\"mode\":\"isp2\"}", false);
                ha.publish(P + "/mode/set", "isp2".repeat(50), false);
                ha.publish(P + "/mode/set", new byte[]{'i', 's', 'p', '2', (byte) 0xff}, false);
                ha.publish(P + "/failover/set", "press", false);
                ha.publish(P + "/mode/set", "auto", false); // the barrier: handled after all of the above
                for (int i = 0; i < 100 && rig.commands.isEmpty(); i++) {
                    Thread.sleep(50);
                }
                assertEquals(List.of(Mode.AUTO), rig.commands, "only the valid command reached the mode API");
                Map<String, Object> state = rig.daemon.state().get(5, TimeUnit.SECONDS);
                assertEquals("auto", state.get("mode"));
                assertEquals("isp1", state.get("active"));
                assertEquals(0, state.get("switches"));
            }
            // The retained command was removed: a new subscriber gets none, only the marker retained after it.
            ha.publish(P + "/marker", "m", true);
            try (TestClient late = TestClient.connect(broker.uri()).subscribe(P + "/mode/set").subscribe(P + "/marker")) {
                late.await(P + "/marker", TestClient.Received::retained, WAIT);
                assertEquals(List.of(), late.all(P + "/mode/set"));
            }
        }
    }

    @Test
    void brokerAbsentAtStartThenRestartedMidTestFailoverGoesOnAndTheStateIsCurrent() throws Exception {
        Mosquitto broker = Mosquitto.notStarted(dir);
        try (MqttRig rig = new MqttRig(dir, broker.uri(), P)) {
            // No broker: the daemon decides and takes the CLI's mode as usual.
            assertEquals("isp2", rig.daemon.setMode(Mode.force("isp2")).get(5, TimeUnit.SECONDS).active().orElseThrow());
            Map<String, Object> section = awaitSection(rig, false);
            assertTrue(section.get("error").toString().contains("Connection refused"), section::toString);

            broker.start(); // the first connect is retried until the broker is there
            try (TestClient ha = TestClient.connect(broker.uri()).subscribe(P + "/availability", P + "/state")) {
                ha.await(P + "/availability", r -> r.payload().equals("online"), WAIT);
                ha.await(P + "/state", r -> field(r, "mode", "isp2") && field(r, "active", "isp2"), WAIT);
            }

            broker.kill(); // lost later
            rig.daemon.setMode(Mode.force("isp1")).get(5, TimeUnit.SECONDS);
            rig.daemon.setMode(Mode.AUTO).get(5, TimeUnit.SECONDS);
            assertEquals("isp1", rig.daemon.state().get(5, TimeUnit.SECONDS).get("active"));
            broker.restart(); // without persistence: it lost every retained message
            try (TestClient ha = TestClient.connect(broker.uri()).subscribe(P + "/availability", P + "/state",
                    "homeassistant/#")) {
                ha.await(P + "/availability", r -> r.payload().equals("online"), WAIT);
                TestClient.Received state = ha.await(P + "/state", r -> field(r, "mode", "auto"), WAIT);
                assertEquals("isp1", json(state).get("active"), "the current state, not the one before the loss");
                ha.await("homeassistant/device/dualwan-test/config", r -> true, WAIT);
            }
            assertTrue(rig.reporter.connections() >= 2);
        } finally {
            broker.close();
        }
    }

    private static Map<String, Object> awaitSection(MqttRig rig, boolean connected) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (rig.daemon.state().get(5, TimeUnit.SECONDS).get("mqtt") instanceof Map<?, ?> m
                    && Boolean.valueOf(connected).equals(m.get("connected")) && (connected || m.get("error") != null)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> section = (Map<String, Object>) m;
                return section;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the mqtt section never showed connected=" + connected);
    }

    /** The reporter in a JVM of its own, with a 2 s keep-alive. */
    private Process child(Mosquitto broker, String prefix) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ReporterProcess.class.getName(),
                broker.uri(), prefix, "2")
                .redirectErrorStream(true).redirectOutput(dir.resolve(prefix.replace('/', '_') + ".log").toFile()).start();
    }

    @Test
    void aKilledClientShowsLostThroughItsWill() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir);
             TestClient ha = TestClient.connect(broker.uri()).subscribe(P + "/availability")) {
            Process child = child(broker, P);
            try {
                ha.await(P + "/availability", r -> r.payload().equals("online"), Duration.ofSeconds(30));
                long killed = System.nanoTime();
                child.destroyForcibly(); // SIGKILL: no clean disconnect, no offline of its own
                assertTrue(child.waitFor(10, TimeUnit.SECONDS));
                TestClient.Received offline = ha.await(P + "/availability", r -> r.payload().equals("lost"), WAIT);
                System.out.printf("mqtt: lost (the will) arrived %.0f ms after SIGKILL of the client%n",
                        (offline.nanos() - killed) / 1e6);
            } finally {
                child.destroyForcibly();
            }
            try (TestClient later = TestClient.connect(broker.uri()).subscribe(P + "/availability")) {
                TestClient.Received r = later.await(P + "/availability", TestClient.Received::retained, WAIT);
                assertEquals("lost", r.payload(), "retained for whoever looks later");
            }
        }
    }

    /** A board that loses power closes no socket: the broker notices the missing keep-alive (1.5 x 2 s here). */
    @Test
    void aFrozenClientShowsLostAfterItsKeepAlive() throws Exception {
        String prefix = P + "/frozen";
        try (Mosquitto broker = Mosquitto.start(dir);
             TestClient ha = TestClient.connect(broker.uri()).subscribe(prefix + "/availability")) {
            Process child = child(broker, prefix);
            try {
                ha.await(prefix + "/availability", r -> r.payload().equals("online"), Duration.ofSeconds(30));
                long frozen = System.nanoTime();
                Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(child.pid())).start();
                assertEquals(0, stop.waitFor());
                TestClient.Received offline = ha.await(prefix + "/availability", r -> r.payload().equals("lost"), WAIT);
                System.out.printf("mqtt: lost (the will) arrived %.1f s after the client froze (keep-alive 2 s)%n",
                        (offline.nanos() - frozen) / 1e9);
            } finally {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
