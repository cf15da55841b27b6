package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.switches;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1000 carrier flaps in a few seconds — of a link dualwan does not use, of the backup uplink and of the active
 * one — cost bounded CPU, no route churn and no switch beyond the one failover and the one failback that
 * hysteresis allows. Prints the figures.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class FloodTest extends DaemonLabTest {
    static final int FLAPS = 1000;
    private static final Pattern ROUTE_CHANGE = Pattern.compile("(?m) ip route (replace|del) .*$");

    record Figures(double cpuSeconds, int routeChanges, int switches, long floodMs) {
    }

    @Test
    void carrierFloodsCostLittleAndChurnNothing(@TempDir Path tmp) throws Exception {
        OtherLink junk = new OtherLink();
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        Daemon.sleep(Duration.ofSeconds(2));

        Figures unknown = flood(tmp, "lan", "lw1", "unknown");
        Figures backup = flood(tmp, "isp2", "cust", "backup");
        daemon.awaitState("isp2 up again", Duration.ofSeconds(20), s -> "up".equals(wanState(s, "isp2")));
        Figures activeFlood = flood(tmp, "isp1", "cust", "active");
        Map<String, Object> s = daemon.awaitState("isp1 back after the hold", Duration.ofSeconds(30),
                st -> "isp1".equals(active(st)));
        System.out.println("[it] after the active flood: " + switches(s) + " switches in all");
        junk.close();

        assertEquals(0, unknown.routeChanges() + unknown.switches(), "a link dualwan does not use changes nothing");
        assertEquals(0, backup.routeChanges(), "backup flaps change no route");
        assertEquals(0, backup.switches(), "backup flaps switch nothing");
        assertTrue(activeFlood.switches() <= 1, "at most the one failover during the flood: " + activeFlood);
        assertTrue(activeFlood.routeChanges() <= 2, "one LAN route change per switch: " + activeFlood);
        // Whether a read of the carrier lands in one of the flood's down moments depends on the machine's load: the
        // loss may be seen (one failover, then one failback after the hold) or the link may read up every time
        // (nothing moves). Anything else is flapping.
        int total = switches(s);
        assertTrue(total == 0 || total == 2 && activeFlood.switches() == 1,
                "one failover and one failback after the hold, or nothing: " + s + "\nlog:\n" + daemon.log());
    }

    /** A link of the router dualwan does not use (rtr lw0 <-> lan lw1): the router's ip monitor sees its flaps. */
    private final class OtherLink implements AutoCloseable {
        OtherLink() {
            assertTrue(lab.exec("rtr", "ip", "link", "add", "lw0", "type", "veth", "peer", "name", "lw1", "netns",
                    lab.ns("lan")).ok());
            lab.exec("rtr", "ip", "link", "set", "lw0", "up");
            lab.exec("lan", "ip", "link", "set", "lw1", "up");
        }

        @Override
        public void close() {
            lab.exec("rtr", "ip", "link", "del", "lw0");
        }
    }

    private Figures flood(Path tmp, String role, String dev, String what) throws Exception {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < FLAPS; i++) {
            batch.append("link set ").append(dev).append(" down\nlink set ").append(dev).append(" up\n");
        }
        Path file = tmp.resolve("flaps-" + what + ".txt");
        Files.writeString(file, batch);
        double cpu0 = cpuSeconds(daemon.pid());
        int routes0 = routeChanges();
        int switches0 = switches(daemon.stateNow());
        long t0 = System.nanoTime();
        assertTrue(lab.exec(role, Duration.ofSeconds(60), "ip", "-batch", file.toString()).ok(), "flood ran");
        long floodMs = (System.nanoTime() - t0) / 1_000_000;
        Daemon.sleep(Duration.ofSeconds(2)); // the daemon catches up
        Figures f = new Figures(cpuSeconds(daemon.pid()) - cpu0, routeChanges() - routes0,
                switches(daemon.stateNow()) - switches0, floodMs);
        System.out.printf("[it] %d flaps of %s (%s link) in %d ms: daemon CPU %.2f s (incl. its ip runs, over the"
                + " flood + 2 s), %d ip route changes, %d switches%n", FLAPS, dev, what, floodMs, f.cpuSeconds(),
                f.routeChanges(), f.switches());
        return f;
    }

    private int routeChanges() {
        Matcher m = ROUTE_CHANGE.matcher(daemon.log());
        int n = 0;
        while (m.find()) {
            if (!m.group().contains(" failed")) {
                n++;
            }
        }
        return n;
    }

    /** utime + stime of the daemon and its reaped children (the ip commands), from /proc/PID/stat. */
    private static double cpuSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }
}
