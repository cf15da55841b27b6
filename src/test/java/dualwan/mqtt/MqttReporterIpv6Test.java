package dualwan.mqtt;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.DualStack;
import dualwan.config.Config;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dualwan.mqtt.MqttFixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 on MQTT against the in-memory broker: a topic per uplink with IPv6, published only when it changed, and
 * the IPv6 entities of an earlier config removed from Home Assistant.
 */
class MqttReporterIpv6Test {

    private static final String P = "dualwan/test";

    private final FakeBroker broker = new FakeBroker();
    private final BlockingQueue<Mode> modes = new LinkedBlockingQueue<>();
    private final Config config = MqttFixtures.config(Path.of("/nonexistent/state.json"),
            MqttFixtures.mqtt("tcp://127.0.0.1:1", P));
    private MqttReporter reporter;

    private MqttReporter reporter(Config c) {
        return new MqttReporter(c, m -> {
            modes.add(m);
            return MqttFixtures.acceptingEveryMode("forced").setMode(m);
        }, section -> { }, broker.factory(), new Backoff(Duration.ofMillis(10), Duration.ofMillis(40)));
    }

    @AfterEach
    void tearDown() {
        if (reporter != null) {
            reporter.close();
        }
    }

    private void startConnected() throws InterruptedException {
        reporter.start();
        broker.await(c -> c.what().equals("publish") && c.topic().equals(P + "/availability"));
    }

    private static Map<String, Object> json(String text) throws Exception {
        return JSON.std.mapFrom(text);
    }

    /** Every message delivered before this one has been handled once the mode API sees {@code auto}. */
    private void barrier() throws InterruptedException {
        broker.deliver(P + "/mode/set", "auto", false);
        assertEquals(Mode.AUTO, modes.poll(5, TimeUnit.SECONDS), "the barrier command did not arrive");
    }

    @Test
    @SuppressWarnings("unchecked")
    void withIpv6EachIpv6UplinkHasATopicOfItsOwnAndIpv6ThatLeftTheConfigIsRemoved() throws Exception {
        reporter = reporter(DualStack.withIpv6(config, "isp1"));
        DaemonState v4 = status("isp1", Mode.AUTO);
        reporter.stateChanged(DualStack.isp1Only(v4, MqttFixtures.T0));
        startConnected();
        List<String> published = broker.calls().stream().filter(c -> c.what().equals("publish"))
                .map(FakeBroker.Call::topic).toList();
        assertEquals(List.of("homeassistant/device/dualwan-test/config", P + "/state", P + "/wan/isp1/state",
                P + "/wan/isp2/state", P + "/wan/isp1/state6", P + "/availability"), published,
                "isp2 has no IPv6: no IPv6 topic for it");
        Map<String, Object> six = json(broker.published(P + "/wan/isp1/state6").getFirst().payload());
        assertEquals(List.of("state", "active", "latency_ms", "loss_pct", "reason"),
                List.copyOf(six.keySet()).subList(0, 5));
        assertEquals("up", six.get("state"));
        assertEquals(true, six.get("active"));
        assertEquals(14.25, ((Number) six.get("latency_ms")).doubleValue());
        assertEquals("2001:db8:1::2", six.get("address"));
        assertEquals("fe80::1", six.get("gateway"));
        Map<String, Object> state = json(broker.published(P + "/state").getFirst().payload());
        assertEquals("isp1", state.get("active6"));
        assertEquals(false, ((Map<String, Object>) state.get("ipv6")).get("unreachable"));

        // Only isp1's IPv6 changes: its IPv6 topic is published again, its IPv4 topic is not.
        broker.clear();
        reporter.stateChanged(DualStack.unreachable(v4, MqttFixtures.T0.plusSeconds(5)));
        FakeBroker.Call down = broker.await(c -> c.topic().equals(P + "/wan/isp1/state6"));
        assertEquals("down", json(down.payload()).get("state"));
        assertEquals(false, json(down.payload()).get("active"));
        barrier();
        assertEquals(List.of(), broker.published(P + "/wan/isp1/state"));
        assertEquals(List.of(), broker.published(P + "/wan/isp2/state6"));
        Map<String, Object> after = json(broker.published(P + "/state").getLast().payload());
        assertTrue(after.containsKey("active6") && after.get("active6") == null, after::toString);

        // isp2 had IPv6 in an earlier config: its IPv6 entity goes, its IPv4 ones stay, and so does Active IPv6.
        broker.clear();
        broker.deliver(P + "/wan/isp1/state6", "{\"state\":\"up\"}", true); // ours
        broker.deliver(P + "/wan/isp2/state6", "{\"state\":\"up\"}", true);
        barrier();
        Map<String, Object> cmps = (Map<String, Object>) json(broker.published(
                "homeassistant/device/dualwan-test/config").getLast().payload()).get("cmps");
        assertEquals(Map.of("p", "binary_sensor"), cmps.get("isp2_ipv6_connectivity"));
        assertEquals("isp1 IPv6", ((Map<String, Object>) cmps.get("isp1_ipv6_connectivity")).get("name"));
        assertEquals("{{ value_json.active6 }}", ((Map<String, Object>) cmps.get("active6")).get("value_template"));
        assertEquals("connectivity", ((Map<String, Object>) cmps.get("isp2_connectivity")).get("device_class"));
        assertEquals(List.of(new FakeBroker.Call("publish", P + "/wan/isp2/state6", "", true)),
                broker.published(P + "/wan/isp2/state6"));
        assertEquals(List.of(), broker.published(P + "/wan/isp2/state"), "isp2's IPv4 topic is left alone");
    }

    @Test
    @SuppressWarnings("unchecked")
    void ipv6GoneFromTheConfigRemovesItsEntitiesAndTheActiveIpv6Sensor() throws Exception {
        reporter = reporter(config); // an IPv4-only config
        reporter.stateChanged(status("isp1", Mode.AUTO));
        startConnected();
        assertEquals(List.of(), broker.published(P + "/wan/isp1/state6"), "no IPv6 topic without IPv6");
        broker.clear();
        broker.deliver(P + "/wan/isp1/state6", "{\"state\":\"up\"}", true);
        barrier();
        List<FakeBroker.Call> discovery = broker.published("homeassistant/device/dualwan-test/config");
        assertEquals(1, discovery.size());
        Map<String, Object> cmps = (Map<String, Object>) json(discovery.getFirst().payload()).get("cmps");
        assertEquals(Map.of("p", "binary_sensor"), cmps.get("isp1_ipv6_connectivity"));
        assertEquals(Map.of("p", "sensor"), cmps.get("active6"));
        assertEquals("binary_sensor", ((Map<String, Object>) cmps.get("isp1_connectivity")).get("p"));
        assertEquals("isp1", ((Map<String, Object>) cmps.get("isp1_connectivity")).get("name"), "isp1 keeps its own");
        assertEquals(List.of(new FakeBroker.Call("publish", P + "/wan/isp1/state6", "", true)),
                broker.published(P + "/wan/isp1/state6"));
        assertEquals(List.of(), broker.published(P + "/wan/isp1/state"), "isp1 itself stays");
    }
}
