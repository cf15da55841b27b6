package dualwan.mqtt;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.config.Config;
import dualwan.DualStack;
import dualwan.config.MqttConfig;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Home Assistant's side of the protocol, against a real Mosquitto: a clean stop ({@code offline}) told apart from
 * the will ({@code lost}) with both making the entities unavailable as Home Assistant evaluates availability
 * (its template rendered by Jinja2, the engine Home Assistant uses); the birth message on
 * {@code homeassistant/status} with a custom discovery prefix; an uplink removed from the config removed from
 * Home Assistant once, its retained topic cleared.
 */
class HomeAssistantEdgesTest {

    private static final String P = "dualwan/edges";
    private static final String DISCOVERY = "homeassistant/device/dualwan-test/config";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @BeforeAll
    static void needsMosquitto() {
        Mosquitto.assumeInstalled();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(TestClient.Received r) throws Exception {
        return JSON.std.mapFrom(r.payload());
    }

    @Test
    void aCleanStopSaysOfflineACrashSaysLostAndEitherMakesTheEntitiesUnavailable() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir);
             TestClient ha = TestClient.connect(broker.uri()).subscribe(P + "/availability", "homeassistant/#")) {
            MqttRig rig = new MqttRig(dir, broker.uri(), P);
            Map<String, Object> discovery;
            try {
                ha.await(P + "/availability", r -> r.payload().equals("online"), WAIT);
                discovery = json(ha.await(DISCOVERY, r -> true, WAIT));
            } finally {
                rig.close(); // a clean stop
            }
            TestClient.Received stopped = ha.await(P + "/availability", r -> !r.payload().equals("online"), WAIT);
            assertEquals("offline", stopped.payload(), "a clean stop publishes offline itself");

            ha.forget();
            Process child = child(broker);
            try {
                ha.await(P + "/availability", r -> r.payload().equals("online"), Duration.ofSeconds(30));
                child.destroyForcibly(); // SIGKILL: the broker publishes the will
                assertTrue(child.waitFor(10, TimeUnit.SECONDS));
                TestClient.Received will = ha.await(P + "/availability", r -> !r.payload().equals("online"), WAIT);
                assertEquals("lost", will.payload(), "the will says lost, not offline");
            } finally {
                child.destroyForcibly();
            }
            try (TestClient later = TestClient.connect(broker.uri()).subscribe(P + "/availability")) {
                assertEquals("lost", later.await(P + "/availability", TestClient.Received::retained, WAIT).payload(),
                        "retained for whoever looks later");
            }

            assertEquals(Boolean.TRUE, homeAssistantAvailability(discovery, "online"));
            assertEquals(Boolean.FALSE, homeAssistantAvailability(discovery, "offline"));
            assertEquals(Boolean.FALSE, homeAssistantAvailability(discovery, "lost"));
            Map<String, Object> withoutTemplate = new java.util.HashMap<>(discovery);
            withoutTemplate.remove("availability_template");
            assertEquals(null, homeAssistantAvailability(withoutTemplate, "lost"),
                    "without the template Home Assistant would ignore lost and keep the entities available");
        }
    }

    @Test
    void homeAssistantsBirthIsHeardOnHomeassistantStatusWithACustomDiscoveryPrefix() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir)) {
            MqttConfig mqtt = new MqttConfig(URI.create(broker.uri()), "dualwan-test", Optional.empty(),
                    Optional.empty(), Optional.empty(), P, "ha-custom", Duration.ofSeconds(30));
            try (MqttRig rig = new MqttRig(MqttFixtures.config(dir.resolve("state.json"), mqtt));
                 TestClient ha = TestClient.connect(broker.uri()).subscribe("ha-custom/#", P + "/availability")) {
                ha.await(P + "/availability", r -> r.payload().equals("online"), WAIT);
                ha.await("ha-custom/device/dualwan-test/config", TestClient.Received::retained, WAIT);
                ha.forget();
                ha.publish("ha-custom/status", "online", false); // not Home Assistant's birth topic
                ha.publish("homeassistant/status", "online", false); // Home Assistant (re)started
                TestClient.Received again = ha.await("ha-custom/device/dualwan-test/config", r -> !r.retained(), WAIT);
                assertTrue(json(again).containsKey("cmps"), again::payload);
                Thread.sleep(500);
                assertEquals(1, ha.all("ha-custom/device/dualwan-test/config").size(),
                        "only the birth on homeassistant/status republished discovery");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void anUplinkRemovedFromTheConfigIsRemovedFromHomeAssistantOnceAndItsTopicCleared() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir)) {
            Config both = MqttFixtures.config(dir.resolve("state.json"), MqttFixtures.mqtt(broker.uri(), P));
            Config isp1Only = new Config(both.source(), both.wans().subList(0, 1), both.failback(), both.lan(),
                    both.routing(), both.stateFile(), both.conntrack(), both.policies(), both.gpio(), both.dns(),
                    both.mqtt(), both.web());
            try (MqttRig first = new MqttRig(both);
                 TestClient ha = TestClient.connect(broker.uri()).subscribe(P + "/wan/isp2/state")) {
                ha.await(P + "/wan/isp2/state", r -> r.payload().contains("\"state\":\"up\""), WAIT);
            }

            try (TestClient ha = TestClient.connect(broker.uri()).subscribe("homeassistant/#", P + "/wan/+/state")) {
                ha.await(DISCOVERY, TestClient.Received::retained, WAIT);
                ha.forget(); // what a running Home Assistant sees when dualwan restarts with isp2 removed
                try (MqttRig second = new MqttRig(isp1Only)) {
                    TestClient.Received cleared = ha.await(P + "/wan/isp2/state", r -> r.payload().isEmpty(), WAIT);
                    assertFalse(cleared.retained(), "delivered live; retained on the broker as the empty message");
                    TestClient.Received removal = ha.await(DISCOVERY, r -> r.payload().contains("isp2"), WAIT);
                    Map<String, Object> cmps = (Map<String, Object>) json(removal).get("cmps");
                    assertEquals(Map.of("p", "binary_sensor"), cmps.get("isp2_connectivity"));
                    assertEquals(Map.of("p", "sensor"), cmps.get("isp2_latency"));
                    assertEquals(Map.of("p", "sensor"), cmps.get("isp2_loss"));
                    assertEquals(Map.of("p", "sensor"), cmps.get("isp2_probe_traffic"));
                    assertEquals(List.of("auto", "isp1"), ((Map<String, Object>) cmps.get("mode")).get("options"));
                }
            }
            try (TestClient late = TestClient.connect(broker.uri()).subscribe(P + "/wan/+/state", P + "/marker")) {
                late.publish(P + "/marker", "m", false);
                late.await(P + "/marker", r -> true, WAIT);
                assertTrue(late.all(P + "/wan/isp2/state").isEmpty(), "isp2's retained topic is gone");
                assertFalse(late.all(P + "/wan/isp1/state").isEmpty(), "isp1's is kept");
            }

            try (TestClient ha = TestClient.connect(broker.uri()).subscribe("homeassistant/#", P + "/wan/isp2/state");
                 MqttRig third = new MqttRig(isp1Only)) { // the next start: nothing left to remove
                ha.await(DISCOVERY, r -> !r.retained(), WAIT);
                Thread.sleep(500); // time for any retained uplink topic to be seen and acted on
                for (TestClient.Received r : ha.all(DISCOVERY)) { // the retained one is the second run's
                    assertTrue(r.retained() || !r.payload().contains("isp2"), "removed once: " + r.payload());
                }
                assertTrue(ha.all(P + "/wan/isp2/state").isEmpty(), "nothing more to clear");
            }
        }
    }

    /**
     * IPv6 as Home Assistant sees it: each uplink's IPv6 connectivity and the active IPv6 uplink, their templates
     * rendered by Jinja2 on what the broker holds; then IPv6 leaves isp2's config (its IPv6 entity goes, the rest
     * stays) and then the config altogether (the active IPv6 sensor goes too), each IPv6 topic cleared once.
     */
    @Test
    @SuppressWarnings("unchecked")
    void ipv6EntitiesShowEachFamilyOnItsOwnAndGoWhenIpv6LeavesTheConfig() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir)) {
            Config v4 = MqttFixtures.config(dir.resolve("state.json"), MqttFixtures.mqtt(broker.uri(), P));
            DaemonState ipv4 = MqttFixtures.status("isp1", Mode.AUTO); // both uplinks' IPv4 up, on isp1
            try (TestClient ha = TestClient.connect(broker.uri()).subscribe("homeassistant/#", P + "/state",
                    P + "/wan/+/state", P + "/wan/+/state6");
                 MqttReporter first = reporter(DualStack.withIpv6(v4, "isp1", "isp2"))) {
                first.stateChanged(DualStack.isp1Ipv6Down(ipv4, MqttFixtures.T0));
                first.start();
                Map<String, Object> cmps = (Map<String, Object>) json(ha.await(DISCOVERY, r -> true, WAIT)).get("cmps");
                String isp1Six = ha.await(P + "/wan/isp1/state6", r -> true, WAIT).payload();
                String isp2Six = ha.await(P + "/wan/isp2/state6", r -> true, WAIT).payload();
                String state = ha.await(P + "/state", r -> r.payload().contains("active6"), WAIT).payload();
                assertEquals("OFF", jinja(template(cmps, "isp1_ipv6_connectivity"), isp1Six),
                        "isp1's IPv6 is down while its IPv4 is up");
                assertEquals("ON", jinja(template(cmps, "isp2_ipv6_connectivity"), isp2Six));
                assertEquals("ON", jinja(template(cmps, "isp1_connectivity"),
                        ha.await(P + "/wan/isp1/state", r -> true, WAIT).payload()));
                assertEquals("isp2", jinja(template(cmps, "active6"), state), "the LAN's IPv6 is on isp2");
                assertEquals("isp1", jinja(template(cmps, "active"), state), "its IPv4 stays on isp1");
            }

            Config isp1Six = DualStack.withIpv6(v4, "isp1");
            try (TestClient ha = TestClient.connect(broker.uri()).subscribe("homeassistant/#", P + "/wan/+/state6");
                 MqttReporter second = reporter(isp1Six)) {
                second.stateChanged(DualStack.isp1Only(ipv4, MqttFixtures.T0));
                second.start();
                ha.await(P + "/wan/isp2/state6", r -> r.payload().isEmpty(), WAIT);
                Map<String, Object> cmps = (Map<String, Object>) json(ha.await(DISCOVERY,
                        r -> r.payload().contains("\"isp2_ipv6_connectivity\":{\"p\":\"binary_sensor\"}"), WAIT))
                        .get("cmps");
                assertEquals("isp1 IPv6", ((Map<String, Object>) cmps.get("isp1_ipv6_connectivity")).get("name"));
                assertEquals("Active IPv6 uplink", ((Map<String, Object>) cmps.get("active6")).get("name"));
                assertEquals("isp2", ((Map<String, Object>) cmps.get("isp2_connectivity")).get("name"), "isp2 stays");
            }

            try (TestClient ha = TestClient.connect(broker.uri()).subscribe("homeassistant/#", P + "/wan/+/state6");
                 MqttReporter third = reporter(v4)) {
                third.stateChanged(ipv4);
                third.start();
                ha.await(P + "/wan/isp1/state6", r -> r.payload().isEmpty(), WAIT);
                Map<String, Object> cmps = (Map<String, Object>) json(ha.await(DISCOVERY,
                        r -> r.payload().contains("\"active6\":{\"p\":\"sensor\"}"), WAIT)).get("cmps");
                assertEquals(Map.of("p", "binary_sensor"), cmps.get("isp1_ipv6_connectivity"));
                assertEquals("binary_sensor", ((Map<String, Object>) cmps.get("isp1_connectivity")).get("p"));
            }
            try (TestClient late = TestClient.connect(broker.uri()).subscribe(P + "/wan/+/state6", P + "/state",
                    P + "/marker")) {
                late.publish(P + "/marker", "m", false);
                late.await(P + "/marker", r -> true, WAIT);
                assertTrue(late.all(P + "/wan/isp1/state6").isEmpty() && late.all(P + "/wan/isp2/state6").isEmpty(),
                        "no IPv6 topic is left retained");
                assertFalse(late.await(P + "/state", TestClient.Received::retained, WAIT).payload().contains("ipv6"),
                        "an IPv4-only state has no IPv6 keys");
            }
        }
    }

    private static String template(Map<String, Object> cmps, String component) {
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) cmps.get(component);
        assertTrue(c != null && c.get("value_template") instanceof String, component + " in " + cmps.keySet());
        return (String) c.get("value_template");
    }

    private MqttReporter reporter(Config config) {
        return new MqttReporter(config, MqttFixtures.acceptingEveryMode(""), section -> { },
                PahoBroker.factory(config.mqtt().orElseThrow(), new Credentials(Optional.empty(), Optional.empty())),
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)));
    }

    /**
     * Home Assistant's availability handling for one payload ({@code MqttAvailabilityMixin}): the payload rendered
     * through {@code availability_template} (Jinja2, with {@code value}), then compared with
     * {@code payload_available} (true) and {@code payload_not_available} (false); anything else is ignored (null).
     */
    static Boolean homeAssistantAvailability(Map<String, Object> discovery, String payload) throws Exception {
        String template = (String) discovery.get("availability_template");
        String rendered = template == null ? payload : jinja(template, payload);
        if (rendered.equals(discovery.get("payload_available"))) {
            return true;
        }
        return rendered.equals(discovery.get("payload_not_available")) ? false : null;
    }

    /** The template rendered as Home Assistant renders it: {@code value}, and {@code value_json} when it is JSON. */
    private static String jinja(String template, String value) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", "import sys, json, jinja2\n"
                + "try:\n    value_json = json.loads(sys.argv[2])\nexcept ValueError:\n    value_json = None\n"
                + "print(jinja2.Environment().from_string(sys.argv[1]).render(value=sys.argv[2],"
                + " value_json=value_json), end='')",
                template, value).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "python3 hung");
        assumeTrue(p.exitValue() == 0 || !out.contains("No module named"), "python3-jinja2 is not installed");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The reporter in a JVM of its own (2 s keep-alive), to be killed. */
    private Process child(Mosquitto broker) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ReporterProcess.class.getName(),
                broker.uri(), P, "2").redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    }
}
