package dualwan.health;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.model.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Late replies on a fake clock: an upload fills isp1's upstream queue (replies of the hosts beyond it come one
 * or two seconds late, the gateway before it stays fast). The uplink must stay up and be slow, and a real cut
 * during the upload must still be found.
 */
class LateReplyTest {

    private final Config config = TestConfigs.twoWans();
    private FakeNet net;

    @BeforeEach
    void start() {
        net = new FakeNet(new Monitor(config, FakeNet.T0));
        net.run(Duration.ofSeconds(5));
    }

    /** A queue that grows by 1 s per second (TCP slow start at twice the bottleneck rate) up to {@code max}. */
    private void upload(Instant from, Duration max, Duration length) {
        Instant to = from.plus(length);
        net.queues.put("wan1", t -> {
            if (t.isBefore(from) || !t.isBefore(to)) {
                return Duration.ZERO;
            }
            Duration grown = Duration.between(from, t);
            return grown.compareTo(max) < 0 ? grown : max;
        });
    }

    @Test
    void aQueueOfTwoSecondsMakesTheUplinkSlowNotDownAndItIsCleanAgainAfterTheUpload() {
        upload(net.now, Duration.ofSeconds(2), Duration.ofSeconds(60));
        Instant end = net.now.plusSeconds(60);
        boolean everSlow = false;
        while (net.now.isBefore(end)) {
            net.run(Duration.ofMillis(100));
            assertEquals(Verdict.UP, net.verdict("isp1"), "never down during the upload, at " + net.now);
            everSlow |= slow();
        }
        assertTrue(everSlow, "slow during the upload");
        UplinkHealth u = net.monitor.snapshot(net.now).uplinks().get("isp1");
        assertTrue(u.slow().lateReplies() > 50, "late replies were counted: " + u.slow());
        assertTrue(u.slow().worstRtt().compareTo(Duration.ofMillis(1900)) > 0, "worst " + u.slow().worstRtt());
        System.out.println("a 2 s upload queue for 60 s: isp1 up throughout, " + u.slow().lateReplies()
                + " late replies, worst RTT " + u.slow().worstRtt().toMillis() + " ms");
        net.run(SlowPaths.MEMORY.plusSeconds(5));
        assertFalse(slow(), "clean again once the upload ended");
        assertEquals(Verdict.UP, net.verdict("isp1"));
    }

    @Test
    void aQueueThatJumpsToFourHundredMillisecondsIsNotDown() {
        // A step beyond the targets' own 100 ms timeouts: late replies for those, and the timeouts grow.
        net.queues.put("wan1", t -> Duration.ofMillis(400));
        for (int i = 0; i < 100; i++) {
            net.run(Duration.ofMillis(100));
            assertEquals(Verdict.UP, net.verdict("isp1"), "at " + net.now);
        }
        assertFalse(slow(), "400 ms is within check.timeout: not slow");
    }

    @Test
    void aQueueThatJumpsToOneSecondAtOnceIsSlowButTheOverlapIsHarmless() {
        // A one-second step at once cannot be told from a cut for a second: the uplink may be judged down, but
        // its late replies bring it back up (slow) right away, and it stays up while the queue lasts.
        net.queues.put("wan1", t -> Duration.ofSeconds(1));
        net.run(Duration.ofSeconds(5));
        assertEquals(Verdict.UP, net.verdict("isp1"));
        assertTrue(slow());
        for (int i = 0; i < 100; i++) {
            net.run(Duration.ofMillis(100));
            assertEquals(Verdict.UP, net.verdict("isp1"), "at " + net.now);
        }
    }

    @Test
    void aCutDuringTheUploadIsStillFoundOnceTheRepliesStopForGood() {
        upload(net.now, Duration.ofSeconds(2), Duration.ofMinutes(5));
        net.run(Duration.ofSeconds(20));
        assertTrue(slow());
        assertEquals(Verdict.UP, net.verdict("isp1"));
        net.cutAt.put("wan1", net.now);
        Duration took = net.runUntil(() -> net.verdict("isp1") == Verdict.DOWN, Duration.ofSeconds(15));
        System.out.println("a cut during a 2 s upload queue: isp1 down after " + took.toMillis() + " ms");
        assertTrue(took.compareTo(HORIZON.plus(Duration.ofSeconds(3))) <= 0, "took " + took);
    }

    @Test
    void withoutLateRepliesACutIsStillFoundInUnderTwoSeconds() {
        net.killUplink("wan1");
        Duration took = net.runUntil(() -> net.verdict("isp1") == Verdict.DOWN, Duration.ofSeconds(5));
        assertTrue(took.compareTo(Duration.ofSeconds(2)) <= 0, "took " + took);
        assertFalse(slow());
    }

    private static final Duration HORIZON = dualwan.model.ProbeRequest.LATE_HORIZON;

    private boolean slow() {
        return net.monitor.snapshot(net.now).uplinks().get("isp1").slow().slow();
    }
}
