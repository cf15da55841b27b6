package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.lanDefaultDev;
import static dualwan.it.Daemon.table;
import static dualwan.it.Daemon.wan;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Interfaces that come and go (USB NICs unplugged, PPP sessions) and a point-to-point uplink. */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class InterfaceChurnTest extends DaemonLabTest {

    private static String ifindex(String iface) {
        return Daemon.ok(lab.exec("rtr", "cat", "/sys/class/net/" + iface + "/ifindex"));
    }

    private static void lanReachesTheInternet() {
        assertTrue(lab.exec("lan", "ping", "-n", "-c", "3", "-i", "0.2", "-W", "1", "203.0.113.3").ok(),
                "LAN client reaches 203.0.113.3");
    }

    @Test
    void missingAtStartIsDownWithNoInterfaceAndIsPickedUpWhenItAppears(@TempDir Path tmp) {
        lab.unplug(2);
        try {
            daemon = Daemon.configure(lab, tmp, "1s").start();
            Map<String, Object> s = daemon.awaitState("isp2 down: no interface", Duration.ofSeconds(10),
                    st -> "down".equals(wanState(st, "isp2")));
            assertEquals("no interface", wan(s, "isp2").get("reason"), s::toString);
            assertTrue(table(lab, 102).contains("unreachable") && !table(lab, 102).contains("wan2"), table(lab, 102));
            lab.plug(2, false);
            daemon.awaitAllUp();
            assertTrue(table(lab, 102).contains("\"gateway\":\"100.64.2.1\""), table(lab, 102));
            lab.carrier(1, false);
            daemon.awaitState("isp2 active", Duration.ofSeconds(10), st -> "isp2".equals(active(st)));
            assertEquals("wan2", lanDefaultDev(lab));
            lanReachesTheInternet();
        } finally {
            lab.plug(2, false);
        }
    }

    @Test
    void removingTheActiveInterfaceSwitchesAndItsReturnOnANewIfindexIsUsed(@TempDir Path tmp) {
        try {
            daemon = Daemon.configure(lab, tmp, "1s").start();
            daemon.awaitAllUp();
            String before = ifindex("wan1");
            lab.unplug(1);
            Map<String, Object> s = daemon.awaitState("isp2 active after wan1 was removed", Duration.ofSeconds(5),
                    st -> "isp2".equals(active(st)));
            assertEquals("failover: isp1 no interface", s.get("reason"), s::toString);
            assertEquals("wan2", lanDefaultDev(lab));
            lanReachesTheInternet();

            lab.plug(1, false);
            String after = ifindex("wan1");
            assertNotEquals(before, after, "re-created wan1 has a new ifindex");
            daemon.awaitState("failback to the re-created wan1", Duration.ofSeconds(20), st -> "isp1".equals(active(st)));
            assertEquals("wan1", lanDefaultDev(lab));
            assertTrue(table(lab, 101).contains("\"gateway\":\"100.64.1.1\""), table(lab, 101));
            lanReachesTheInternet();
            System.out.println("[it] wan1 removed and re-created: ifindex " + before + " -> " + after
                    + ", switched away and back");

            // The carrier of the new device is what the daemon reads now, not the dead one's.
            lab.carrier(1, false);
            s = daemon.awaitState("carrier loss on the re-created wan1", Duration.ofSeconds(5),
                    st -> "isp2".equals(active(st)));
            assertEquals("failover: isp1 no carrier", s.get("reason"), s::toString);
        } finally {
            lab.plug(1, false);
        }
    }

    @Test
    void pointToPointPeerIsTheAutoGateway(@TempDir Path tmp) {
        lab.pointToPoint(2);
        try {
            daemon = Daemon.configure(lab, tmp, "1s").start();
            Map<String, Object> s = daemon.awaitState("isp2 up through its peer", Duration.ofSeconds(15),
                    st -> "up".equals(wanState(st, "isp2")));
            assertEquals("100.64.2.9", wan(s, "isp2").get("gateway"), s::toString);
            assertEquals("100.64.2.2", wan(s, "isp2").get("address"), s::toString);
            assertTrue(table(lab, 102).contains("\"gateway\":\"100.64.2.9\""), table(lab, 102));
            lab.carrier(1, false);
            daemon.awaitState("isp2 active", Duration.ofSeconds(10), st -> "isp2".equals(active(st)));
            assertTrue(table(lab, 200).contains("\"gateway\":\"100.64.2.9\""), table(lab, 200));
            lanReachesTheInternet();
        } finally {
            lab.plug(2, false);
        }
    }
}
