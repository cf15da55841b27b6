package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.lanDefaultDev;
import static dualwan.it.Daemon.switches;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts where the kernel is not on the preferred uplink: inside a failback hold (the backup carries the LAN,
 * the primary is healthy again) and with a forced mode. Each is done twice in a row, a clean stop (SIGTERM) and
 * then a crash (SIGKILL): the restarted daemon keeps the backup until a full hold has passed again (a restart
 * never shortens a hold), keeps a forced mode, and the kernel keeps routing per the forced uplink throughout.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
@EnabledIfSystemProperty(named = "dualwan.soak", matches = "true") // ~70 s; the chaos test covers both cases in CI
class RestartGapsTest extends DaemonLabTest {
    static final long HOLD_MS = 5000;

    @Test
    void restartsInsideTheFailbackHoldKeepTheBackupUntilAFullHoldHasPassed(@TempDir Path tmp) {
        daemon = Daemon.configure(lab, tmp, HOLD_MS / 1000 + "s").start();
        daemon.awaitAllUp();
        lab.cut(1);
        daemon.awaitState("isp2 active after the cut", Duration.ofSeconds(10), s -> "isp2".equals(active(s)));
        lab.restore(1);
        daemon.awaitState("isp1 up again, inside its hold", Duration.ofSeconds(15), s -> "up".equals(wanState(s, "isp1")));
        long upAt = System.currentTimeMillis();

        long lastStart = 0;
        for (String stop : new String[] {"clean stop", "SIGKILL"}) {
            Daemon.sleep(Duration.ofMillis(HOLD_MS / 3));
            if (stop.equals("SIGKILL")) {
                daemon.kill9();
            } else {
                daemon.close();
            }
            assertEquals("wan2", lanDefaultDev(lab), stop + ": the kernel keeps the backup while no daemon runs");
            lastStart = System.currentTimeMillis();
            daemon.startKeepingState();
            Map<String, Object> s = daemon.stateNow();
            System.out.println("[it] " + stop + " " + (lastStart - upAt) + " ms after isp1 was up (inside the hold): restarted on "
                    + active(s) + " (" + s.get("reason") + ")");
            assertEquals("isp2", active(s), stop + ": the restart keeps the backup: " + s);
            assertEquals(0, switches(s), stop + ": no switch at start: " + s);
            assertEquals("wan2", lanDefaultDev(lab), stop);
        }
        Map<String, Object> back = daemon.awaitState("failback to isp1 after the hold", Duration.ofSeconds(30),
                s -> "isp1".equals(active(s)));
        long failbackAt = Instant.parse((String) ((Map<?, ?>) back.get("last_switch")).get("at")).toEpochMilli();
        System.out.println("[it] failback " + (failbackAt - upAt) + " ms after isp1 was up, " + (failbackAt - lastStart)
                + " ms after the last restart (hold " + HOLD_MS + " ms; a restart starts it again)");
        assertEquals(1, switches(back), "one switch, the failback: " + back);
        assertTrue(failbackAt - upAt >= HOLD_MS, "failback inside the hold: " + (failbackAt - upAt) + " ms after up");
        assertTrue(failbackAt - lastStart >= HOLD_MS, "failback before a full hold after the restart: "
                + (failbackAt - lastStart) + " ms");
        assertEquals("wan1", lanDefaultDev(lab));
    }

    @Test
    void aForcedModeSurvivesACleanStopAndACrashAndTheKernelKeepsTheForcedUplink(@TempDir Path tmp) {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        var r = lab.exec("rtr", Duration.ofSeconds(30), daemon.argv("mode", "isp2").toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::toString);
        System.out.println("[it] dualwan mode isp2: " + r.stdout().trim());
        daemon.awaitState("forced to isp2", Duration.ofSeconds(10),
                s -> "isp2".equals(active(s)) && "isp2".equals(s.get("mode")));
        assertEquals("wan2", lanDefaultDev(lab));

        for (String stop : new String[] {"clean stop", "SIGKILL"}) {
            if (stop.equals("SIGKILL")) {
                daemon.kill9();
            } else {
                daemon.close();
            }
            assertEquals("wan2", lanDefaultDev(lab), stop + ": the kernel keeps the forced uplink while no daemon runs");
            daemon.startKeepingState();
            Map<String, Object> s = daemon.awaitState(stop + ": restarted in mode isp2 with both uplinks judged",
                    Duration.ofSeconds(15), st -> "up".equals(wanState(st, "isp1")) && "up".equals(wanState(st, "isp2")));
            Daemon.sleep(Duration.ofSeconds(1)); // the preferred isp1 is healthy: auto would move; forced must not
            s = daemon.stateNow();
            System.out.println("[it] after a " + stop + ": mode " + s.get("mode") + ", active " + active(s) + " ("
                    + s.get("reason") + "), LAN table on " + lanDefaultDev(lab));
            assertEquals("isp2", s.get("mode"), stop + ": " + s);
            assertEquals("isp2", active(s), stop + ": " + s);
            assertEquals(0, switches(s), stop + ": " + s);
            assertEquals("wan2", lanDefaultDev(lab), stop);
        }
        // Forced even to an uplink that is down: the operator's word stands across a restart too.
        lab.cut(2);
        daemon.awaitState("isp2 down, still forced", Duration.ofSeconds(15), s -> "down".equals(wanState(s, "isp2")));
        daemon.kill9();
        daemon.startKeepingState();
        Map<String, Object> s = daemon.awaitState("restarted: isp2 judged down", Duration.ofSeconds(15),
                st -> "down".equals(wanState(st, "isp2")) && "up".equals(wanState(st, "isp1")));
        assertEquals("isp2", active(s), s::toString);
        assertEquals("isp2", s.get("mode"));
        assertEquals("wan2", lanDefaultDev(lab));
        lab.restore(2);
    }
}
