package dualwan.gpio;

import dualwan.FakeKernel;
import dualwan.TestConfigs;
import dualwan.app.Daemon;
import dualwan.config.Config;
import dualwan.config.GpioConfig;
import dualwan.health.LinkState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real daemon (fake kernel, every probe answered) with a panel whose GPIO line hangs: the first LED write
 * blocks until the test lets it go. The daemon must still fail over, and the panel must catch up afterwards.
 */
class PanelNeverBlocksTest {

    /** A panel whose LED writes hang until {@code release} opens. */
    private static final class HangingPanel implements FrontPanel {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger writesStarted = new AtomicInteger();
        final AtomicInteger writesDone = new AtomicInteger();

        @Override
        public void led(String name, boolean lit) {
            writesStarted.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writesDone.incrementAndGet();
        }

        @Override
        public boolean buttonPressed() {
            return false;
        }

        @Override
        public void onButton(Consumer<Boolean> listener) {
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    private static Map<String, Object> waitFor(Daemon d, Predicate<Map<String, Object>> condition, String what)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Map<String, Object> s = d.state().get(2, TimeUnit.SECONDS);
        while (!condition.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = d.state().get(2, TimeUnit.SECONDS);
        }
        assertTrue(condition.test(s), () -> "not reached within 10 s: " + what);
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> leds(Map<String, Object> state) {
        Object panel = state.get("panel");
        return panel == null ? Map.of() : (Map<String, Object>) ((Map<String, Object>) panel).get("leds");
    }

    @Test
    void aHangingGpioLineCannotDelayAFailover(@TempDir Path dir) throws Exception {
        Config base = TestConfigs.twoWans();
        GpioConfig gpio = Fixtures.panel(GpioConfig.Provider.MOCK);
        Config config = new Config(base.source(), base.wans(), base.failback(), base.lan(), base.routing(),
                dir.resolve("state.json"), base.conntrack(), base.policies(), Optional.of(gpio), Optional.empty(), Optional.empty(), Optional.empty());
        FakeKernel kernel = new FakeKernel();
        HangingPanel hardware = new HangingPanel();
        Clock clock = Clock.systemUTC();
        Daemon daemon = new Daemon(config, kernel, FakeKernel::answering, clock);
        Panel panel = new Panel(gpio, List.of("isp1", "isp2"), hardware, clock, PanelScheduler.ownThread(clock),
                daemon::setMode, daemon::setSection);
        try {
            daemon.addListener(panel);
            panel.start(); // the boot pattern's first write hangs the panel's thread from here on
            daemon.start();
            waitFor(daemon, s -> "isp1".equals(s.get("active")) && up(s, "isp1") && up(s, "isp2"), "isp1 active");
            assertEquals(1, hardware.writesStarted.get());
            assertEquals(0, hardware.writesDone.get());

            kernel.link("wan1", LinkState.NO_CARRIER);
            waitFor(daemon, s -> "isp2".equals(s.get("active")), "failover to isp2 while the panel hangs");
            assertEquals(1, hardware.writesStarted.get(), "the panel was stuck in its first GPIO call throughout");
            assertEquals(0, hardware.writesDone.get());

            hardware.release.countDown(); // the line answers again: the panel catches up with the newest state
            Map<String, Object> s = waitFor(daemon, st -> "on".equals(leds(st).get("isp2-active"))
                    && "off".equals(leds(st).get("isp1-health")), "the panel showing the failover");
            assertEquals("off", leds(s).get("isp1-active"));
        } finally {
            hardware.release.countDown();
            panel.close();
            daemon.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean up(Map<String, Object> state, String wan) {
        Map<String, Object> w = (Map<String, Object>) ((Map<String, Object>) state.get("wans")).get(wan);
        return "up".equals(w.get("state"));
    }
}
