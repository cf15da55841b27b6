package dualwan.mqtt;

import dualwan.config.Config;
import dualwan.model.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A "broker" that accepts TCP and reads the CONNECT but never answers (a plain ServerSocket: a real part that does
 * exactly what a hung broker does). The reporter gives up on the attempt at its answer guard (15 s in the
 * product, 1.5 s here), closes the connection and tries again; once a real Mosquitto listens on that port it
 * connects. Asserted as an order of events, not as durations.
 */
class SilentBrokerTest {

    private static final String P = "dualwan/silent";
    private static final Duration GUARD = Duration.ofMillis(1500);

    @TempDir
    Path dir;

    /** What happened, in order: "accepted 1", "CONNECT on 1", "closed 1", …, "connected". */
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void aBrokerThatAcceptsButNeverAnswersIsGivenUpOnAndRetriedUntilARealOneAnswers() throws Exception {
        Mosquitto.assumeInstalled();
        Mosquitto broker = Mosquitto.notStarted(dir);
        List<Map<String, Object>> sections = new CopyOnWriteArrayList<>();
        MqttReporter reporter = null;
        try (Silent silent = new Silent(broker.port())) {
            Config config = MqttFixtures.config(dir.resolve("state.json"), MqttFixtures.mqtt(broker.uri(), P));
            reporter = new MqttReporter(config, MqttFixtures.acceptingEveryMode(""), sections::add,
                    PahoBroker.factory(config.mqtt().orElseThrow(), new Credentials(Optional.empty(), Optional.empty()),
                            GUARD), new Backoff(Duration.ofMillis(300), Duration.ofMillis(300))); // time to see each close
            reporter.stateChanged(MqttFixtures.status("isp1", Mode.AUTO));
            long started = System.nanoTime();
            reporter.start();
            await(() -> events.contains("accepted 3"), "a third attempt");
            System.out.printf("mqtt: silent broker: 3 attempts in %d ms (answer guard %d ms); error shown: %s%n",
                    (System.nanoTime() - started) / 1_000_000, GUARD.toMillis(), sections.getLast().get("error"));
            assertEquals(0, reporter.connections(), "no connection to a server that never answered");
            assertEquals(false, sections.getLast().get("connected"));
            silent.close();
            events.add("silent server closed");
            broker.start();
            try (TestClient ha = TestClient.connect(broker.uri()).subscribe(P + "/availability")) {
                MqttReporter r = reporter;
                await(() -> r.connections() == 1, "connected to the real broker");
                events.add("connected");
                ha.await(P + "/availability", m -> m.payload().equals("online"), Duration.ofSeconds(10));
            }
        } finally {
            if (reporter != null) {
                reporter.close();
            }
            broker.close();
        }
        System.out.println("mqtt: silent broker, then a real one: " + events);
        for (int i = 1; i <= 2; i++) {
            assertBefore("accepted " + i, "CONNECT on " + i);
            assertBefore("CONNECT on " + i, "closed " + i); // given up: the client closed it, the server never did
            assertBefore("closed " + i, "accepted " + (i + 1)); // then retried
        }
        assertBefore("silent server closed", "connected");
        assertEquals(1, events.stream().filter("connected"::equals).count());
    }

    private void assertBefore(String first, String then) {
        int a = events.indexOf(first);
        int b = events.indexOf(then);
        assertTrue(a >= 0 && b > a, "'" + first + "' before '" + then + "': " + events);
    }

    /** Waits (bounded by count: 30 s) until {@code condition} holds. */
    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 3000; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("never: " + what);
    }

    /** Accepts every connection and reads what comes, answering nothing; records each step in {@link #events}. */
    private final class Silent implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        Silent(int port) throws IOException {
            server = new ServerSocket(port, 10, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofVirtual().name("silent-accept").start(this::acceptAll);
        }

        private void acceptAll() {
            for (int n = 1; !server.isClosed(); n++) {
                try {
                    Socket s = server.accept();
                    accepted.add(s);
                    events.add("accepted " + n);
                    int id = n;
                    Thread.ofVirtual().name("silent-read-" + n).start(() -> readUntilClosed(s, id));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void readUntilClosed(Socket s, int id) {
            try (InputStream in = s.getInputStream()) {
                int first = in.read();
                if (first == 0x10) { // MQTT packet type 1, CONNECT
                    events.add("CONNECT on " + id);
                }
                while (first >= 0 && in.read() >= 0) {
                    // swallow the rest: a silent server answers nothing
                }
                events.add("closed " + id);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    events.add("closed " + id);
                }
            }
        }

        @Override
        public void close() throws Exception {
            if (server.isClosed()) {
                return;
            }
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
            acceptor.join(5000);
        }
    }
}
