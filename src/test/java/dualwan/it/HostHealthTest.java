package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.host;
import static dualwan.it.Daemon.lanDefaultDev;
import static dualwan.it.Daemon.switches;
import static dualwan.it.Daemon.wan;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Per-host failures: quorum keeps an uplink, all-dead keeps the last route, one survivor wins. */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class HostHealthTest extends DaemonLabTest {
    static final List<String> ISP1_HOSTS = List.of("192.0.2.1", "198.51.100.1", "203.0.113.1");
    static final List<String> ISP2_HOSTS = List.of("192.0.2.2", "198.51.100.2", "203.0.113.2");

    @Test
    void oneDeadHostOfThreeKeepsIsp1(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        long faultAt = System.nanoTime();
        lab.killHost(1, "192.0.2.1");
        daemon.awaitState("192.0.2.1 down on isp1", Duration.ofSeconds(10),
                s -> "down".equals(host(s, "isp1", "192.0.2.1").get("state")));
        Map<String, Object> s;
        do {
            s = daemon.stateNow();
            assertEquals("isp1", active(s), "must stay on isp1 with 2 of 3 hosts: " + s);
            assertEquals("up", wanState(s, "isp1"), "isp1 must stay up with 2 of 3 hosts: " + s);
            Thread.sleep(100);
        } while (System.nanoTime() - faultAt < Duration.ofSeconds(10).toNanos());
        assertEquals("down", host(s, "isp1", "192.0.2.1").get("state"), s::toString);
        assertEquals("up", host(s, "isp1", "198.51.100.1").get("state"), s::toString);
        assertEquals(0, switches(s));
        assertEquals("wan1", lanDefaultDev(lab));
    }

    @Test
    void allHostsDeadKeepsLastRoute(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        // isp2 first, and wait until it is judged down: killing both at once races the two uplinks'
        // verdicts, and a switch to a still-up isp2 in that window would be correct behaviour.
        for (String h : ISP2_HOSTS) {
            lab.killHost(2, h);
        }
        daemon.awaitState("isp2 down", Duration.ofSeconds(10), st -> "down".equals(wanState(st, "isp2")));
        for (String h : ISP1_HOSTS) {
            lab.killHost(1, h);
        }
        Map<String, Object> s = daemon.awaitState("both uplinks down", Duration.ofSeconds(10),
                st -> "down".equals(wanState(st, "isp1")) && "down".equals(wanState(st, "isp2")));
        Thread.sleep(2000); // let the decider act on it
        s = daemon.stateNow();
        assertEquals("down", wanState(s, "isp1"), s::toString);
        assertEquals("down", wanState(s, "isp2"), s::toString);
        assertEquals("isp1", active(s), "active must stay isp1 when nothing is healthy: " + s);
        assertEquals(0, switches(s), s::toString);
        assertEquals("wan1", lanDefaultDev(lab),
                "table 200 must keep its default route: " + Daemon.table(lab, 200));
    }

    @Test
    void singleSurvivingIsp2HostWins(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        lab.killHost(2, "192.0.2.2");
        lab.killHost(2, "198.51.100.2");
        for (String h : ISP1_HOSTS) {
            lab.killHost(1, h);
        }
        Map<String, Object> s = daemon.awaitState("active isp2 with one live host", Duration.ofSeconds(10),
                st -> "isp2".equals(active(st)));
        assertEquals("down", wanState(s, "isp1"), s::toString);
        assertEquals("up", wanState(s, "isp2"), s::toString);
        s = daemon.awaitState("isp2's dead hosts reported down", Duration.ofSeconds(10),
                st -> "down".equals(host(st, "isp2", "192.0.2.2").get("state"))
                        && "down".equals(host(st, "isp2", "198.51.100.2").get("state")));
        assertEquals("up", host(s, "isp2", "203.0.113.2").get("state"), s::toString);
        assertEquals("isp2", active(s));
        assertTrue(String.valueOf(wan(s, "isp2").get("reason")).contains("1 of 3"), s::toString);
        assertEquals("wan2", lanDefaultDev(lab));
    }
}
