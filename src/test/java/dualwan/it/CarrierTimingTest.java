package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.lanDefaultDev;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.lab.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long carrier loss of the active uplink takes to move the LAN: from the kernel's event for
 * {@code ip link set cust down} at the ISP end to the kernel's event for the new default in the router's LAN
 * table, both timestamped by {@code ip -ts monitor} on the same clock — not the state file, not the test's
 * polling.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
// It measures event latencies against a probe-time bound: one took 509 ms (bound 500) beside two other test
// JVMs on two cores, so it runs one by one after the others (pom.xml).
@org.junit.jupiter.api.Tag("alone")
class CarrierTimingTest extends DaemonLabTest {
    static final int TRIALS = 10;
    /**
     * The fastest probe-based verdict needs a target's shortest timeout (100 ms) twice and confirmation in between
     * (7 × 50 ms): 0.55 s.
     */
    static final long PROBES_COULD_NOT_HAVE_MS = 500;
    private static final Pattern TS = Pattern.compile("^\\[(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+)\\] (.*)$");

    record Event(LocalDateTime at, String line) {
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES) // ten failovers and failbacks: 32 s in a lab run
    void carrierLossSwitchesTheLanTableOnTheEventTenTimes(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "1s").start();
        daemon.awaitAllUp();
        Daemon.sleep(Duration.ofSeconds(2));
        Process ispLinks = monitor("isp1", "link", tmp.resolve("isp1-links.txt"));
        Process lanRoutes = monitor("rtr", "route", tmp.resolve("rtr-routes.txt"));
        Daemon.sleep(Duration.ofMillis(300));
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < TRIALS; i++) {
            lab.carrier(1, false);
            Map<String, Object> s = daemon.awaitState("isp2 active after carrier loss " + i, Duration.ofSeconds(10),
                    st -> "isp2".equals(active(st)));
            reasons.add(String.valueOf(s.get("reason")));
            assertEquals("wan2", lanDefaultDev(lab));
            lab.carrier(1, true);
            daemon.awaitState("failback to isp1 after trial " + i, Duration.ofSeconds(20), st -> "isp1".equals(active(st)));
            Daemon.sleep(Duration.ofMillis(1200)); // linkwatch quiet again, as before a first loss
        }
        stop(ispLinks);
        stop(lanRoutes);
        List<Event> downs = events(tmp.resolve("isp1-links.txt"), l -> l.contains(" cust@") && !l.contains(",UP"));
        List<Event> switches = events(tmp.resolve("rtr-routes.txt"),
                l -> l.startsWith("default via 100.64.2.1 dev wan2 table 200"));
        assertEquals(TRIALS, downs.size(), "cust down events: " + downs);
        List<Long> micros = new ArrayList<>();
        for (Event down : downs) {
            Event sw = switches.stream().filter(e -> !e.at().isBefore(down.at())).findFirst()
                    .orElseThrow(() -> new AssertionError("no switch after " + down + " in " + switches));
            micros.add(ChronoUnit.MICROS.between(down.at(), sw.at()));
        }
        System.out.println("[it] carrier loss -> LAN table on wan2, " + TRIALS + " trials (ms): " + summary(micros));
        for (String r : reasons) {
            assertEquals("failover: isp1 no carrier", r, "switched for another reason");
        }
        for (long us : micros) {
            assertTrue(us < PROBES_COULD_NOT_HAVE_MS * 1000, "a switch took " + us / 1000.0
                    + " ms: the event path was missed: " + micros + "\nlog:\n" + daemon.log());
        }
    }

    /**
     * USB NICs are not "urgent" for the kernel's linkwatch: a carrier change within a second of another link
     * change anywhere is reported up to 1 s late. Both uplinks are made like that here (same ifindex at both
     * veth ends), another plain link of the router changes carrier 200 ms before the cable is pulled, and the
     * LAN table still moves at once: after any link event the daemon reads the active uplink's sysfs carrier
     * every 25 ms for 1.1 s.
     */
    @Test
    void usbLikeLinkSwitchesDespiteLinkwatchDelay(@TempDir Path tmp) throws Exception {
        lab.plug(1, true);
        lab.plug(2, true);
        // Another plain NIC of the router, e.g. the LAN port (no dummy driver here: a veth pair with equal
        // ifindexes, rtr <-> lan; its changes are seen by the router's ip monitor, as on a board).
        Lab.Result made = lab.exec("rtr", "ip", "link", "add", "lw0", "index", "4100", "type", "veth", "peer", "name",
                "lw1", "netns", lab.ns("lan"), "index", "4100");
        assertTrue(made.ok(), made::toString);
        assertTrue(lab.exec("rtr", "ip", "link", "set", "lw0", "up").ok());
        assertTrue(lab.exec("lan", "ip", "link", "set", "lw1", "up").ok());
        try {
            // Without the daemon: how late the kernel reports wan1's carrier loss after another link's change.
            Daemon.sleep(Duration.ofMillis(1500));
            Process links = monitor("rtr", "link", tmp.resolve("baseline.txt"));
            Daemon.sleep(Duration.ofMillis(300));
            otherLinkChange();
            Daemon.sleep(Duration.ofMillis(200));
            LocalDateTime cut = LocalDateTime.now();
            lab.carrier(1, false);
            Daemon.sleep(Duration.ofMillis(1500));
            stop(links);
            lab.carrier(1, true);
            Event reported = events(tmp.resolve("baseline.txt"), l -> l.contains(" wan1@") && l.contains("NO-CARRIER"))
                    .getFirst();
            long lateMs = ChronoUnit.MILLIS.between(cut, reported.at());
            System.out.println("[it] usb-like wan1, no daemon: carrier loss reported by netlink " + lateMs
                    + " ms after the cut (another link changed 200 ms before)");

            daemon = Daemon.configure(lab, tmp, "1s").start();
            daemon.awaitAllUp();
            Daemon.sleep(Duration.ofMillis(1500));
            Process routes = monitor("rtr", "route", tmp.resolve("routes.txt"));
            Process ispLinks = monitor("isp1", "link", tmp.resolve("isp1-links.txt"));
            Daemon.sleep(Duration.ofMillis(300));
            otherLinkChange();
            Daemon.sleep(Duration.ofMillis(200));
            lab.carrier(1, false);
            daemon.awaitState("isp2 active", Duration.ofSeconds(10), st -> "isp2".equals(active(st)));
            stop(routes);
            stop(ispLinks);
            // Both ends from kernel timestamps on one clock: the ISP end's link going down, the LAN table's route.
            Event cut2 = events(tmp.resolve("isp1-links.txt"), l -> l.contains(" cust@") && !l.contains(",UP"))
                    .getFirst();
            Event sw = events(tmp.resolve("routes.txt"), l -> l.startsWith("default via 100.64.2.1 dev wan2 table 200"))
                    .getFirst();
            long switchMs = ChronoUnit.MILLIS.between(cut2.at(), sw.at());
            System.out.println("[it] usb-like wan1 with the daemon: LAN table on wan2 " + switchMs
                    + " ms after the cut (kernel timestamps)");
            assertEquals("failover: isp1 no carrier", daemon.stateNow().get("reason"));
            assertTrue(switchMs < PROBES_COULD_NOT_HAVE_MS, "switch took " + switchMs + " ms; log:\n" + daemon.log());
        } finally {
            lab.exec("rtr", "ip", "link", "del", "lw0");
            if (daemon != null) {
                daemon.close();
            }
            lab.plug(1, false);
            lab.plug(2, false);
        }
    }

    /** A carrier change on a plain (non-urgent) device elsewhere: the next linkwatch run waits a second. */
    private void otherLinkChange() {
        assertTrue(lab.exec("lan", "ip", "link", "set", "lw1", "down").ok());
        assertTrue(lab.exec("lan", "ip", "link", "set", "lw1", "up").ok());
    }

    private Process monitor(String role, String what, Path out) {
        return lab.spawn(role, List.of("ip", "-ts", "monitor", what), out);
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        p.waitFor(5, TimeUnit.SECONDS);
    }

    static List<Event> events(Path file, Predicate<String> match) throws IOException {
        List<Event> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = TS.matcher(line);
            if (m.matches() && match.test(m.group(2))) {
                out.add(new Event(LocalDateTime.parse(m.group(1)), m.group(2)));
            }
        }
        return out;
    }

    static String summary(List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        return String.format("min %.1f, median %.1f, max %.1f", sorted.getFirst() / 1000.0,
                sorted.get(sorted.size() / 2) / 1000.0, sorted.getLast() / 1000.0);
    }
}
