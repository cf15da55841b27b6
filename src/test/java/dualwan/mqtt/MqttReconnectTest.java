package dualwan.mqtt;

import dualwan.config.Config;
import dualwan.model.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hundred connection drops (a relay in front of a real Mosquitto cuts them): the reporter reconnects every
 * time, republishes, and ends with the threads it started with. Prints the thread count and heap before and
 * after; asserts only that no thread is left behind.
 */
@org.junit.jupiter.api.Tag("alone") // beside other test JVMs a Paho connect thread outlived the wait, twice (pom.xml)
// Soak only: in about half the runs on the loaded VM (also alone) one Paho "MQTT Con" thread stays in
// CommsSender.start, waiting for a sender that a drop during the connect stopped — a leak inside Paho, in README.
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "dualwan.soak", matches = "true")
class MqttReconnectTest {

    private static final String P = "dualwan/reconnect";
    private static final int DROPS = 100;

    @TempDir
    Path dir;

    /** Live threads of this JVM, without the test relay's own. */
    private static List<String> threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                // the JDK's own pools (virtual-thread carriers, process reapers of earlier tests) grow and shrink
                // by themselves; they are not ours to leak. The JVM starts its Attach Listener when a tool outside
                // (jcmd, jstack) first attaches to it, at any moment: it appeared mid-test once on the shared VM.
                .filter(n -> !n.startsWith("proxy-") && !n.startsWith("ForkJoinPool-")
                        && !n.startsWith("process reaper") && !n.equals("Attach Listener")).sorted().toList();
    }

    /** Where the threads that were not there before are: a leak's cause. */
    private static String stacksOfNew(List<String> before) {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.isAlive() && !before.contains(t.getName()) && threads().contains(t.getName())) {
                out.append(t.getName()).append(" (").append(t.getState()).append(")\n");
                for (StackTraceElement e : stack) out.append("    at ").append(e).append('\n');
            }
        });
        return out.toString();
    }

    private static double heapMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1e6;
    }

    /** Waits (bounded by count, not asserting time: up to 30 s, a loaded machine may need it) until {@code condition} holds. */
    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 3000; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("never: " + what);
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 2, unit = java.util.concurrent.TimeUnit.MINUTES) // 35 s measured under load
    void aHundredReconnectsLeaveNoThreadBehind() throws Exception {
        Mosquitto.assumeInstalled();
        try (Mosquitto broker = Mosquitto.start(dir); DropProxy relay = new DropProxy(broker.port());
             TestClient ha = TestClient.connect(broker.uri()).subscribe(P + "/availability")) {
            Config config = MqttFixtures.config(dir.resolve("state.json"), MqttFixtures.mqtt(relay.uri(), P));
            MqttReporter reporter = new MqttReporter(config,
                    MqttFixtures.acceptingEveryMode(""),
                    section -> { }, PahoBroker.factory(config.mqtt().orElseThrow(),
                    new Credentials(Optional.empty(), Optional.empty())),
                    new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)));
            try {
                reporter.stateChanged(MqttFixtures.status("isp1", Mode.AUTO));
                reporter.start();
                ha.await(P + "/availability", r -> r.payload().equals("online"), Duration.ofSeconds(10));
                List<String> before = threads();
                double heapBefore = heapMb();

                long dropsStarted = System.nanoTime();
                for (int i = 1; i <= DROPS; i++) {
                    relay.dropAll();
                    int want = i + 1;
                    await(() -> reporter.connections() >= want, "reconnect " + i);
                }
                System.out.printf("mqtt: one reconnect with Paho: %.0f ms on average over %d (backoff 10-20 ms"
                        + " included)%n", (System.nanoTime() - dropsStarted) / 1e6 / DROPS, DROPS);
                ha.forget();
                relay.dropAll(); // one more, to see the state republished after the last reconnect
                ha.await(P + "/availability", r -> r.payload().equals("online"), Duration.ofSeconds(10));
                try {
                    await(() -> threads().size() <= before.size(), "threads back to " + before.size() + ": " + threads());
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nthreads not there before:\n" + stacksOfNew(before), e);
                }
                List<String> after = threads();
                double heapAfter = heapMb();
                System.out.printf("mqtt: %d reconnects: JVM threads %d before, %d after (%d of them Paho's); heap after"
                                + " GC %.1f MB before, %.1f MB after%n", DROPS + 1, before.size(), after.size(),
                        after.stream().filter(n -> n.startsWith("MQTT")).count(), heapBefore, heapAfter);
                assertEquals(before, after, "the same threads as before the drops");
                assertTrue(reporter.connections() >= DROPS + 2);
            } finally {
                reporter.close();
            }
        }
    }
}
