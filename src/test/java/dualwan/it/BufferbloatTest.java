package dualwan.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.switches;
import static dualwan.it.Daemon.wan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Congestion is not death: a LAN client's TCP upload (iperf3, 4 streams) saturates isp1's upstream through a
 * 2 Mbit/s bottleneck with a 2 s queue (tbf, latency 2000ms, on the ISP's upstream link). No switch in 60 s, isp1
 * shown degraded/slow, clean again once the upload ends; then a cut during a second upload is still found.
 */
class BufferbloatTest extends DaemonLabTest {

    private static final String SERVER = "203.0.113.100";

    @Test
    void anUploadThatFillsTheQueueIsSlowNotDownAndACutDuringItIsStillFound(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        Daemon.ok(lab.exec("isp1", "tc", "qdisc", "add", "dev", "upl", "root", "tbf", "rate", "2mbit", "burst",
                "16kb", "latency", "2000ms"));
        Process server = lab.spawn("inet", List.of("iperf3", "-s", "-B", SERVER, "-p", "5201"), tmp.resolve("iperf3-s.log"));
        List<Process> clients = new java.util.ArrayList<>();
        try {
            Daemon.sleep(Duration.ofMillis(500));
            int before = switches(daemon.stateNow());
            Process upload = lab.spawn("lan", List.of("iperf3", "-c", SERVER, "-p", "5201", "-P", "4", "-t", "60"),
                    tmp.resolve("iperf3-c.log"));
            clients.add(upload);
            boolean slowSeen = false;
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < end) {
                Map<String, Object> s = daemon.stateNow();
                assertEquals("isp1", active(s), "no switch during the upload: " + s);
                assertEquals("up", wan(s, "isp1").get("state"), "isp1 stays up: " + s);
                slowSeen |= "slow".equals(wan(s, "isp1").get("degraded"));
                Daemon.sleep(Duration.ofMillis(200));
            }
            upload.waitFor();
            Map<String, Object> s = daemon.stateNow();
            assertEquals(before, switches(s), "no switch");
            assertTrue(slowSeen, "isp1 shown degraded: slow during the upload");
            System.out.println("[it] 60 s upload through a 2 Mbit/s, 2 s queue: " + (switches(s) - before)
                    + " switches, " + wan(s, "isp1").get("late_replies") + " late replies, worst RTT "
                    + wan(s, "isp1").get("late_rtt_max_ms") + " ms");
            daemon.awaitState("isp1 clean again after the upload", Duration.ofSeconds(30),
                    st -> wan(st, "isp1").get("degraded") == null && "up".equals(wan(st, "isp1").get("state")));

            Process second = lab.spawn("lan", List.of("iperf3", "-c", SERVER, "-p", "5201", "-P", "4", "-t", "40"),
                    tmp.resolve("iperf3-c2.log"));
            clients.add(second);
            daemon.awaitState("isp1 slow in the second upload", Duration.ofSeconds(20),
                    st -> "slow".equals(wan(st, "isp1").get("degraded")));
            long cutAt = System.nanoTime();
            lab.cut(1);
            daemon.awaitState("isp2 active after a cut during the upload", Duration.ofSeconds(20),
                    st -> "isp2".equals(active(st)));
            System.out.println("[it] cut during the upload: isp2 active after "
                    + (System.nanoTime() - cutAt) / 1_000_000 + " ms");
        } finally {
            clients.forEach(Process::destroy);
            server.destroy();
            lab.exec("isp1", "tc", "qdisc", "del", "dev", "upl", "root");
        }
    }
}
