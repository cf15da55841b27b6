package dualwan.mqtt;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.model.DaemonState;
import dualwan.model.SwitchEvent;
import dualwan.app.StateFile;
import dualwan.config.Config;
import dualwan.model.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dualwan.mqtt.MqttFixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reporter's behaviour against an in-memory broker: what is published when, commands, reconnects. */
class MqttReporterTest {

    private static final String P = "dualwan/test";

    private final FakeBroker broker = new FakeBroker();
    private final BlockingQueue<Mode> modes = new LinkedBlockingQueue<>();
    private final BlockingQueue<Map<String, Object>> sections = new LinkedBlockingQueue<>();
    private Config config;
    private MqttReporter reporter;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        config = MqttFixtures.config(Path.of("/nonexistent/state.json"), MqttFixtures.mqtt("tcp://127.0.0.1:1", P));
        reporter = new MqttReporter(config, m -> {
            modes.add(m);
            return MqttFixtures.acceptingEveryMode("forced").setMode(m);
        }, sections::add, broker.factory(), new Backoff(Duration.ofMillis(10), Duration.ofMillis(40)));
    }

    @AfterEach
    void tearDown() {
        reporter.close();
    }

    private void startConnected() throws InterruptedException {
        reporter.start();
        broker.await(c -> c.what().equals("publish") && c.topic().equals(P + "/availability"));
    }

    private static Map<String, Object> json(String text) throws Exception {
        return JSON.std.mapFrom(text);
    }

    /** Every command message before this one has been handled once the mode API sees {@code auto}. */
    private void barrier() throws InterruptedException {
        broker.deliver(P + "/mode/set", "auto", false);
        Mode m;
        while ((m = modes.poll(5, TimeUnit.SECONDS)) != null && !m.equals(Mode.AUTO)) {
            throw new AssertionError("unexpected mode " + m + " before the barrier");
        }
        assertEquals(Mode.AUTO, m, "the barrier command did not arrive");
    }

    @Test
    void connectLeavesAWillSubscribesAndPublishesDiscoveryStateThenOnline() throws Exception {
        DaemonState s = status("isp1", Mode.AUTO);
        reporter.stateChanged(s);
        startConnected();
        List<FakeBroker.Call> calls = broker.calls();
        assertEquals(new FakeBroker.Call("connect", P + "/availability", "lost", true), calls.get(0),
                "the will says lost, a clean stop offline");
        assertEquals(List.of(P + "/mode/set", P + "/failover/set", "homeassistant/status", P + "/wan/+/state",
                P + "/wan/+/state6"),
                calls.stream().filter(c -> c.what().equals("subscribe")).map(FakeBroker.Call::topic).toList());
        List<FakeBroker.Call> published = calls.stream().filter(c -> c.what().equals("publish")).toList();
        assertEquals(List.of("homeassistant/device/dualwan-test/config", P + "/state", P + "/wan/isp1/state",
                P + "/wan/isp2/state", P + "/availability"), published.stream().map(FakeBroker.Call::topic).toList());
        assertTrue(published.stream().allMatch(FakeBroker.Call::retained), "all of these are retained");
        assertEquals("online", published.getLast().payload());
        Map<String, Object> state = json(published.get(1).payload());
        // The state file writes null fields too: the message must hold exactly what the file holds, so a dropped
        // null (a key a Home Assistant template reads) makes the two differ.
        StateFile file = new StateFile(dir.resolve("state.json"));
        file.write(s);
        assertEquals(json(Files.readString(file.path())), state, "the state file's content");
        assertEquals(List.of("version", "active", "mode", "reason", "active_since", "switches", "last_switch", "wans",
                "policies", "conntrack", "kernel", "updated"), List.copyOf(state.keySet()), "the state file's order");
        assertTrue(state.containsKey("last_switch") && state.get("last_switch") == null, "null fields are written out");
        assertTrue(((Map<?, ?>) ((Map<?, ?>) state.get("wans")).get("isp1")).containsKey("address"),
                "null fields inside the tree too: " + state.get("wans"));
        Map<String, Object> isp1 = json(published.get(2).payload());
        assertEquals("up", isp1.get("state"));
        assertEquals(true, isp1.get("active"));
        assertEquals(12.5, ((Number) isp1.get("latency_ms")).doubleValue());
        assertEquals(5.0, ((Number) isp1.get("loss_pct")).doubleValue());
        assertEquals(false, json(published.get(3).payload()).get("active"));
        assertEquals(true, sections.poll(5, TimeUnit.SECONDS).get("connected"));
    }

    @Test
    void theFirstConnectIsRetriedUntilTheBrokerAnswers() throws Exception {
        broker.refuseConnects = 3;
        startConnected();
        assertEquals(4, broker.connectAttempts);
        Map<String, Object> section = sections.poll(5, TimeUnit.SECONDS);
        assertEquals(false, section.get("connected"));
        assertTrue(section.get("error").toString().contains("Connection refused"), section.toString());
    }

    @Test
    void theLoopThreadNeverWaitsForTheBrokerAndOnlyTheNewestStateIsPublished() throws Exception {
        startConnected();
        broker.clear();
        CountDownLatch gate = new CountDownLatch(1);
        broker.publishGate = gate; // the broker hangs
        reporter.stateChanged(status("isp1", Mode.AUTO)); // the reporter's thread now hangs in publish
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 1000; i++) {
                reporter.stateChanged(status(i % 2 == 0 ? "isp1" : "isp2", Mode.force("isp" + (i % 2 + 1))));
                reporter.switched(new SwitchEvent(Optional.of("isp1"), Optional.of("isp2"), Instant.now(), "test"));
            }
        }, "stateChanged/switched must return while the broker hangs");
        DaemonState newest = status("isp2", Mode.force("isp2"));
        reporter.stateChanged(newest);
        broker.publishGate = null;
        gate.countDown();
        FakeBroker.Call last = broker.await(c -> c.topic().equals(P + "/state") && c.payload().contains("\"mode\":\"isp2\"")
                && c.payload().contains("\"active\":\"isp2\""));
        assertNotNull(last);
        barrier();
        int statePublications = broker.published(P + "/state").size();
        assertTrue(statePublications <= 3, "1002 state changes were coalesced, got " + statePublications + " publications");
        assertEquals(1000, broker.published(P + "/event").size(), "every switch is an event: they are not coalesced");
    }

    @Test
    void switchEventsAreNotRetainedAndThoseMissedWhileAwayFollowTheReconnect() throws Exception {
        startConnected();
        Instant at = Instant.parse("2026-02-03T04:05:06Z");
        reporter.switched(new SwitchEvent(Optional.of("isp1"), Optional.of("isp2"), at, "failover: isp1 down"));
        FakeBroker.Call first = broker.await(c -> c.topic().equals(P + "/event"));
        assertFalse(first.retained());
        assertEquals(Map.of("from", "isp1", "to", "isp2", "reason", "failover: isp1 down", "time", at.toString()),
                json(first.payload()));

        broker.refuseConnects = 2;
        broker.breakConnection();
        broker.await(c -> c.what().equals("connect-failed"));
        reporter.switched(new SwitchEvent(Optional.of("isp2"), Optional.of("isp1"), at.plusSeconds(1), "failback"));
        reporter.switched(new SwitchEvent(Optional.of("isp1"), Optional.of("isp2"), at.plusSeconds(2), "again"));
        broker.await(c -> c.topic().equals(P + "/event") && c.payload().contains("again"));
        List<String> reasons = broker.published(P + "/event").stream().map(c -> {
            try {
                return (String) json(c.payload()).get("reason");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertEquals(List.of("failover: isp1 down", "failback", "again"), reasons);
        assertEquals(2, reporter.connections());
    }

    /**
     * A broker away while the line flaps: 1,000 switches (about five days of a flapping primary under the default
     * dampening, two switches per 15-minute hold) are all published, in order, once it is back. Before, only the
     * newest 32 were kept, and a three-minute outage in the lab (MqttOutageTest with -Dsoak=true) lost some.
     */
    @Test
    void aLongOutageWithManySwitchesLosesNoEvent() throws Exception {
        startConnected();
        broker.refuseConnects = Integer.MAX_VALUE;
        broker.breakConnection();
        broker.await(c -> c.what().equals("connect-failed"));
        Instant at = Instant.parse("2026-02-03T04:05:06Z");
        int switches = 1000;
        for (int i = 1; i <= switches; i++) {
            reporter.switched(new SwitchEvent(Optional.of(i % 2 == 1 ? "isp1" : "isp2"),
                    Optional.of(i % 2 == 1 ? "isp2" : "isp1"), at.plusSeconds(i), "switch " + i));
        }
        broker.refuseConnects = 0;
        broker.await(c -> c.topic().equals(P + "/event") && c.payload().contains("\"switch " + switches + "\""));
        List<String> reasons = broker.published(P + "/event").stream().map(c -> {
            try {
                return (String) json(c.payload()).get("reason");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertEquals(java.util.stream.IntStream.rangeClosed(1, switches).mapToObj(i -> "switch " + i).toList(), reasons);
        assertEquals(2, reporter.connections());
    }

    @Test
    void anEventTheBrokerNeverAcknowledgedIsPublishedAgainAfterTheReconnect() throws Exception {
        startConnected();
        broker.acknowledge = false; // the connection is dead, but nobody noticed yet
        reporter.switched(new SwitchEvent(Optional.of("isp1"), Optional.of("isp2"), Instant.now(), "lost in transit"));
        broker.await(c -> c.topic().equals(P + "/event"));
        broker.acknowledge = true;
        broker.breakConnection();
        broker.await(c -> c.what().equals("connect") && broker.published(P + "/event").size() == 2);
        broker.breakConnection(); // acknowledged this time: not published a third time
        broker.await(c -> c.what().equals("connect") && reporter.connections() == 3);
        barrier();
        assertEquals(2, broker.published(P + "/event").size());
    }

    @Test
    void aPublishThatFailsWhileTheConnectionIsUpIsRetriedWithoutReconnecting() throws Exception {
        reporter.stateChanged(status("isp1", Mode.AUTO));
        startConnected();
        broker.clear();
        broker.failPublishes = 1;
        reporter.stateChanged(status("isp2", Mode.force("isp2")));
        broker.await(c -> c.what().equals("publish-failed"));
        broker.await(c -> c.what().equals("publish") && c.topic().equals(P + "/state"));
        assertEquals("isp2", json(broker.published(P + "/state").getLast().payload()).get("mode"));
        assertEquals(1, reporter.connections(), "the live connection was kept");
    }

    @Test
    void afterAReconnectTheCurrentStateIsPublishedNotTheOneBeforeTheLoss() throws Exception {
        reporter.stateChanged(status("isp1", Mode.AUTO));
        startConnected();
        broker.refuseConnects = 1;
        broker.breakConnection();
        broker.await(c -> c.what().equals("connect-failed"));
        reporter.stateChanged(status("isp2", Mode.force("isp2"))); // while away: nothing to publish to
        broker.clear();
        broker.await(c -> c.topic().equals(P + "/availability") && c.payload().equals("online"));
        List<FakeBroker.Call> states = broker.published(P + "/state");
        assertEquals(1, states.size());
        assertEquals("isp2", json(states.getFirst().payload()).get("mode"));
        assertEquals(true, json(broker.published(P + "/wan/isp2/state").getFirst().payload()).get("active"));
        assertEquals(1, broker.published("homeassistant/device/dualwan-test/config").size());
    }

    @Test
    void homeAssistantsBirthRepublishesButARetainedBirthAtSubscribeDoesNot() throws Exception {
        reporter.stateChanged(status("isp1", Mode.AUTO));
        startConnected();
        broker.clear();
        broker.deliver("homeassistant/status", "online", true); // delivered with every subscribe
        broker.deliver("homeassistant/status", "offline", false);
        barrier();
        assertEquals(List.of(), broker.published("homeassistant/device/dualwan-test/config"));
        broker.deliver("homeassistant/status", "online", false); // Home Assistant restarted
        broker.await(c -> c.topic().equals(P + "/availability"));
        assertEquals(1, broker.published("homeassistant/device/dualwan-test/config").size());
        assertEquals(1, broker.published(P + "/state").size());
        assertEquals(1, broker.published(P + "/wan/isp1/state").size(), "unchanged uplinks are published again too");
    }

    @Test
    void anUplinkNoLongerConfiguredIsRemovedFromHomeAssistantOnceAndItsTopicCleared() throws Exception {
        reporter.stateChanged(status("isp1", Mode.AUTO));
        startConnected();
        broker.clear();
        // What the broker replays at subscribe: our own uplinks' retained topics and one of an earlier config.
        broker.deliver(P + "/wan/isp1/state", "{\"state\":\"up\"}", true);
        broker.deliver(P + "/wan/isp3/state", "{\"state\":\"up\"}", true);
        broker.deliver(P + "/wan/isp4/state", "", true); // already cleared: nothing to remove
        broker.deliver(P + "/wan/isp5/state", "{\"state\":\"up\"}", false); // live, not a leftover
        barrier();
        List<FakeBroker.Call> discovery = broker.published("homeassistant/device/dualwan-test/config");
        assertEquals(1, discovery.size(), "one new discovery config, naming isp3's components: " + discovery);
        @SuppressWarnings("unchecked")
        Map<String, Object> cmps = (Map<String, Object>) json(discovery.getFirst().payload()).get("cmps");
        assertEquals(Map.of("p", "binary_sensor"), cmps.get("isp3_connectivity"));
        for (String sensor : List.of("isp3_latency", "isp3_loss", "isp3_probe_traffic")) {
            assertEquals(Map.of("p", "sensor"), cmps.get(sensor), sensor);
        }
        assertTrue(cmps.containsKey("isp1_connectivity") && cmps.containsKey("isp2_latency"), cmps::toString);
        assertEquals(List.of(new FakeBroker.Call("publish", P + "/wan/isp3/state", "", true)),
                broker.published(P + "/wan/isp3/state"), "the removed uplink's retained topic cleared");
        assertEquals(List.of(), broker.published(P + "/wan/isp1/state"), "our own uplink's topic is left alone");
        assertEquals(List.of(), broker.published(P + "/wan/isp5/state"));
        assertFalse(cmps.containsKey("isp4_connectivity") || cmps.containsKey("isp5_connectivity"), cmps::toString);

        // Replayed again (the clearing was lost with a connection): cleared again, still named for removal.
        broker.clear();
        broker.deliver(P + "/wan/isp3/state", "{\"state\":\"up\"}", true);
        barrier();
        assertEquals(List.of(new FakeBroker.Call("publish", P + "/wan/isp3/state", "", true)),
                broker.published(P + "/wan/isp3/state"));
        assertTrue(broker.published("homeassistant/device/dualwan-test/config").getLast().payload()
                .contains("\"isp3_connectivity\":{\"p\":\"binary_sensor\"}"));
    }

    @Test
    void validCommandsReachTheModeApi() throws Exception {
        reporter.stateChanged(status("isp2", Mode.AUTO));
        startConnected();
        broker.deliver(P + "/mode/set", "isp2", false);
        assertEquals(Mode.force("isp2"), modes.poll(5, TimeUnit.SECONDS));
        broker.deliver(P + "/mode/set", " auto\n", false);
        assertEquals(Mode.AUTO, modes.poll(5, TimeUnit.SECONDS));
        broker.deliver(P + "/failover/set", "PRESS", false); // active isp2: the next one wraps to isp1
        assertEquals(Mode.force("isp1"), modes.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void badCommandsAreRejectedAndChangeNothing() throws Exception {
        reporter.stateChanged(status("isp1", Mode.AUTO));
        startConnected();
        broker.deliver(P + "/mode/set", "isp9", false);
        broker.deliver(P + "/mode/set", "{\"mode\":\"isp2\"}", false);
        broker.deliver(P + "/mode/set", "2", false);
        broker.deliver(P + "/mode/set", "isp2".repeat(100), false);
        broker.deliver(P + "/mode/set", new byte[]{'i', 's', 'p', (byte) 0xC3, (byte) 0x28}, false);
        broker.deliver(P + "/failover/set", "press", false);
        broker.deliver(P + "/failover/set", "PRESS", true);
        broker.deliver(P + "/mode/set", "isp2", true);
        barrier();
        assertNull(modes.poll(), "nothing reached the mode API");
        // The retained commands were removed from the broker, and the echo of that removal is ignored quietly.
        assertEquals(List.of(new FakeBroker.Call("publish", P + "/failover/set", "", true),
                        new FakeBroker.Call("publish", P + "/mode/set", "", true)),
                broker.calls().stream().filter(c -> c.what().equals("publish") && c.topic().endsWith("/set")).toList());
        broker.deliver(P + "/mode/set", new byte[0], false);
        barrier();
    }

    @Test
    void aCleanStopPublishesOfflineBeforeDisconnecting() throws Exception {
        startConnected();
        broker.clear();
        reporter.close();
        assertEquals(List.of(new FakeBroker.Call("publish", P + "/availability", "offline", true),
                new FakeBroker.Call("disconnect", "", "", false), new FakeBroker.Call("close", "", "", false)), broker.calls());
        reporter.stateChanged(status("isp1", Mode.AUTO)); // after close: ignored, no exception
    }
}
