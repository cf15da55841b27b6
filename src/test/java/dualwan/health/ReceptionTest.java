package dualwan.health;

import dualwan.TestConfigs;
import dualwan.model.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue that jumps to two seconds at once (an upload on a fast LAN fills a modem's buffer in milliseconds)
 * silences every probe exactly as a cut does, for two seconds, longer than a sub-second detection waits. The
 * interface's receive counter tells them apart: the upload's acknowledgements keep arriving, a cut's do not.
 */
class ReceptionTest {

    /** A 2 Mbit/s upload's acknowledgements: about 85 packets a second. */
    private static final double UPLOAD_ACKS = 85;
    private FakeNet net;

    @BeforeEach
    void start() {
        net = new FakeNet(new Monitor(TestConfigs.twoWans(), FakeNet.T0));
        net.foreignRate.put("wan1", 0.5); // some ARP and broadcasts
        net.run(Duration.ofSeconds(5));
    }

    @Test
    void aQueueThatJumpsToTwoSecondsWhileAcknowledgementsArriveIsSlowNeverDown() {
        net.queues.put("wan1", t -> Duration.ofSeconds(2));
        net.foreignRate.put("wan1", UPLOAD_ACKS);
        for (int i = 0; i < 600; i++) {
            net.run(Duration.ofMillis(100));
            assertEquals(Verdict.UP, net.verdict("isp1"), "never down during the upload, at " + net.now);
        }
        assertTrue(slow(), "shown slow once the late replies came");
    }

    @Test
    void aSlowUploadOfOneMegabitIsEnough() {
        net.queues.put("wan1", t -> Duration.ofSeconds(2));
        net.foreignRate.put("wan1", 40.0);
        for (int i = 0; i < 300; i++) {
            net.run(Duration.ofMillis(100));
            assertEquals(Verdict.UP, net.verdict("isp1"), "at " + net.now);
        }
    }

    @Test
    void withoutTheCounterTheSameJumpLooksLikeACut() {
        // The positive control: the counter is what saves the uplink (probes alone cannot tell for 2 s).
        net.foreignRate.remove("wan1");
        net.queues.put("wan1", t -> Duration.ofSeconds(2));
        net.runUntil(() -> net.verdict("isp1") == Verdict.DOWN, Duration.ofSeconds(3));
    }

    @Test
    void aCutStillTakesUnderASecondDespiteAnIcmpErrorBurstAndArp() {
        net.killUplink("wan1");
        net.cutAt.put("wan1", net.now); // the background traffic stops too
        net.receive("wan1", 6); // the ISP router's burst of "network unreachable" errors
        net.foreignRate.put("wan1", 2.0);
        net.cutAt.remove("wan1"); // ...and one error a second plus ARP keep arriving
        Duration took = net.runUntil(() -> net.verdict("isp1") == Verdict.DOWN, Duration.ofSeconds(2));
        System.out.println("a cut with 6 stray packets and 2/s after it: isp1 down after " + took.toMillis() + " ms");
        assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "took " + took);
    }

    @Test
    void aCutDuringTheUploadIsFoundOnceTheAcknowledgementsAndRepliesStop() {
        net.queues.put("wan1", t -> Duration.ofSeconds(2));
        net.foreignRate.put("wan1", UPLOAD_ACKS);
        net.run(Duration.ofSeconds(20));
        assertEquals(Verdict.UP, net.verdict("isp1"));
        net.cutAt.put("wan1", net.now);
        Duration took = net.runUntil(() -> net.verdict("isp1") == Verdict.DOWN, Duration.ofSeconds(15));
        System.out.println("a cut during a 2 s upload queue (counter on): isp1 down after " + took.toMillis() + " ms");
        assertTrue(took.compareTo(dualwan.model.ProbeRequest.LATE_HORIZON.plusSeconds(3)) <= 0, "took " + took);
    }

    private boolean slow() {
        return net.monitor.snapshot(net.now).uplinks().get("isp1").slow().slow();
    }
}
