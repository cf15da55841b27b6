package dualwan.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.switches;
import static dualwan.it.Daemon.wan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failback dampening on the real kernel (soak, -Dsoak=true: 25 to 35 minutes). ISP1 is up 60 s and cut for 20 s,
 * again and again for 10 minutes, with the default hold of 30 s: dampened (the default max-hold of 15 min) that
 * costs at most 6 switches; with a fixed hold (max-hold = hold) about 15. After the flapping, traffic returns to
 * ISP1 once it has been stable for the grown hold.
 */
@EnabledIfSystemProperty(named = "dualwan.soak", matches = "true")
class FlappingLabTest extends DaemonLabTest {

    private static final Duration UP = Duration.ofSeconds(60);
    private static final Duration DOWN = Duration.ofSeconds(20);
    private static final Duration RUN = Duration.ofMinutes(10);

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void aPrimaryThatFlapsEveryMinuteCostsFewSwitchesWhenDampenedAndAboutFifteenWhenNot(@TempDir Path tmp)
            throws Exception {
        int dampened = flap(tmp.resolve("dampened"), "failback: {hold: 30s}\n");
        Map<String, Object> s = daemon.stateNow();
        System.out.println("[it] flapping 60 s up / 20 s down for 10 min, dampened: " + dampened
                + " switches; isp1's hold now " + wan(s, "isp1").get("failback"));
        long backAt = System.nanoTime();
        daemon.awaitState("traffic back on isp1 after its grown hold", Duration.ofMinutes(16),
                st -> "isp1".equals(active(st)));
        System.out.println("[it] stable again: back on isp1 after " + (System.nanoTime() - backAt) / 1_000_000_000
                + " s");
        daemon.close();
        daemon = null;
        lab.heal();
        Daemon.resetKernel(lab);

        int fixed = flap(tmp.resolve("fixed"), "failback: {hold: 30s, max-hold: 30s}\n");
        System.out.println("[it] flapping 60 s up / 20 s down for 10 min, fixed 30 s hold: " + fixed + " switches");
        assertTrue(dampened <= 6, "dampened: " + dampened + " switches");
        assertTrue(fixed > dampened, "dampening saves switches: " + fixed + " vs " + dampened);
    }

    /** Runs the flapping pattern with the given failback line; returns the switches it cost. */
    private int flap(Path dir, String failback) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        daemon = Daemon.configure(lab, dir, "30s", yaml -> yaml.replaceAll("(?m)^failback: \\{.*\\}\\n", failback))
                .start();
        daemon.awaitAllUp();
        assertEquals("isp1", active(daemon.stateNow()));
        int before = switches(daemon.stateNow());
        long end = System.nanoTime() + RUN.toNanos();
        while (System.nanoTime() < end) {
            Daemon.sleep(UP);
            lab.cut(1);
            Daemon.sleep(DOWN);
            lab.restore(1);
        }
        return switches(daemon.stateNow()) - before;
    }
}
