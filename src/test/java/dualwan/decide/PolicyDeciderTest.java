package dualwan.decide;

import dualwan.model.Mode;

import dualwan.config.PolicyConfig;
import dualwan.health.HealthSnapshot;
import dualwan.health.UplinkHealth;
import dualwan.model.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Policies as timelines: a failover policy with its own order, and a balanced one. */
class PolicyDeciderTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration HOLD = Duration.ofSeconds(30);
    private static final PolicyConfig TO_ISP2 = new PolicyConfig("toISP2", PolicyConfig.Match.any(),
            List.of("isp2", "isp1"), Map.of(), Optional.empty());
    private static final PolicyConfig SPREAD = new PolicyConfig("spread", PolicyConfig.Match.any(), List.of(),
            weights(), Optional.empty());

    /** Verdicts of isp1 and isp2 since the given seconds after T0. */
    private static HealthSnapshot at(long second, Verdict v1, long since1, Verdict v2, long since2) {
        Map<String, UplinkHealth> m = new LinkedHashMap<>();
        m.put("isp1", new UplinkHealth("isp1", v1, "r", T0.plusSeconds(since1), true, Optional.empty(),
                Optional.empty(), Map.of(), false));
        m.put("isp2", new UplinkHealth("isp2", v2, "r", T0.plusSeconds(since2), true, Optional.empty(),
                Optional.empty(), Map.of(), false));
        return new HealthSnapshot(T0.plusSeconds(second), m);
    }

    private static PolicyDecision step(PolicyConfig p, PolicyDecision previous, HealthSnapshot h, Mode mode) {
        return PolicyDecider.decide(p, HOLD, h, mode, previous, h.at());
    }

    @Test
    void failoverPolicyFollowsItsOwnOrderAndComesBackAfterTheHold() {
        PolicyDecision d = PolicyDecision.initial(T0);
        d = step(TO_ISP2, d, at(3, Verdict.UP, 3, Verdict.UP, 3), Mode.AUTO);
        assertEquals(Optional.of("isp2"), d.active(), "isp2 first in this policy's order");
        PolicyDecision before = d;
        d = step(TO_ISP2, d, at(10, Verdict.UP, 3, Verdict.DOWN, 10), Mode.AUTO);
        assertEquals(Optional.of("isp1"), d.active());
        assertEquals(List.of("isp2"), d.left(before), "isp2's flows must move");
        d = step(TO_ISP2, d, at(20, Verdict.UP, 3, Verdict.UP, 20), Mode.AUTO);
        assertEquals(Optional.of("isp1"), d.active(), "isp2 back, but the hold runs");
        assertEquals(Optional.of(T0.plusSeconds(50)), d.reconsiderAt());
        before = d;
        d = step(TO_ISP2, d, at(50, Verdict.UP, 3, Verdict.UP, 20), Mode.AUTO);
        assertEquals(Optional.of("isp2"), d.active());
        assertEquals(List.of("isp1"), d.left(before), "failback moves isp1's flows too");
    }

    @Test
    void balancedPolicyDropsADownMemberAtOnceAndTakesItBackAfterTheHold() {
        PolicyDecision d = PolicyDecision.initial(T0);
        d = step(SPREAD, d, at(3, Verdict.UP, 3, Verdict.UNKNOWN, 0), Mode.AUTO);
        assertEquals(List.of("isp1"), d.uplinks());
        d = step(SPREAD, d, at(4, Verdict.UP, 3, Verdict.UP, 4), Mode.AUTO);
        assertEquals(List.of("isp1", "isp2"), d.uplinks(), "a member never lost joins as soon as it is up");
        PolicyDecision before = d;
        d = step(SPREAD, d, at(10, Verdict.DOWN, 10, Verdict.UP, 4), Mode.AUTO);
        assertEquals(List.of("isp2"), d.uplinks());
        assertEquals(List.of("isp1"), d.left(before), "only isp1's flows move");
        assertEquals(Set.of("isp1"), d.waiting());
        d = step(SPREAD, d, at(20, Verdict.UP, 20, Verdict.UP, 4), Mode.AUTO);
        assertEquals(List.of("isp2"), d.uplinks(), "isp1 back, but waits for the hold");
        assertEquals(Optional.of(T0.plusSeconds(50)), d.reconsiderAt());
        assertTrue(d.reason().contains("rejoining after the hold"), d.reason());
        before = d;
        d = step(SPREAD, d, at(50, Verdict.UP, 20, Verdict.UP, 4), Mode.AUTO);
        assertEquals(List.of("isp1", "isp2"), d.uplinks());
        assertEquals(List.of(), d.left(before), "a member joining moves nothing");
        assertEquals(Set.of(), d.waiting());
    }

    @Test
    void balancedPolicyTakesABackMemberAtOnceWhenNothingElseWorks() {
        PolicyDecision d = new PolicyDecision(List.of("isp1", "isp2"), Set.of(), T0, "t", Optional.empty());
        d = step(SPREAD, d, at(10, Verdict.DOWN, 10, Verdict.UP, 0), Mode.AUTO);
        d = step(SPREAD, d, at(11, Verdict.DOWN, 10, Verdict.DOWN, 11), Mode.AUTO);
        assertEquals(List.of("isp2"), d.uplinks(), "nothing healthy: keep the last set");
        d = step(SPREAD, d, at(12, Verdict.UP, 12, Verdict.DOWN, 11), Mode.AUTO);
        assertEquals(List.of("isp1"), d.uplinks(), "isp1 back while isp2 is down: no hold, it is a failover");
    }

    @Test
    void aMemberBeingCheckedStays() {
        PolicyDecision d = new PolicyDecision(List.of("isp1", "isp2"), Set.of(), T0, "t", Optional.empty());
        d = step(SPREAD, d, at(10, Verdict.UNKNOWN, 10, Verdict.UP, 0), Mode.AUTO);
        assertEquals(List.of("isp1", "isp2"), d.uplinks());
    }

    @Test
    void forcedModeTakesEveryPolicyToTheForcedUplinkAndAutoSpreadsAgain() {
        PolicyDecision d = new PolicyDecision(List.of("isp1", "isp2"), Set.of(), T0, "t", Optional.empty());
        PolicyDecision before = d;
        d = step(SPREAD, d, at(10, Verdict.UP, 0, Verdict.UP, 0), Mode.parse("isp2"));
        assertEquals(List.of("isp2"), d.uplinks());
        assertEquals(List.of("isp1"), d.left(before));
        d = step(SPREAD, d, at(11, Verdict.UP, 0, Verdict.UP, 0), Mode.AUTO);
        assertEquals(List.of("isp1", "isp2"), d.uplinks(), "isp1 left by the operator's choice, not a failure: no hold");
        PolicyDecision f = step(TO_ISP2, PolicyDecision.initial(T0), at(11, Verdict.UP, 0, Verdict.UP, 0), Mode.parse("isp1"));
        assertEquals(Optional.of("isp1"), f.active());
    }

    @Test
    void failoverPolicyLeavesAnUplinkNotInItsOrder() {
        PolicyConfig onlyIsp2 = new PolicyConfig("p", PolicyConfig.Match.any(), List.of("isp2"), Map.of(), Optional.empty());
        PolicyDecision d = new PolicyDecision(List.of("isp1"), Set.of(), T0, "forced before", Optional.empty());
        d = step(onlyIsp2, d, at(10, Verdict.UP, 0, Verdict.UP, 0), Mode.AUTO);
        assertEquals(Optional.of("isp2"), d.active());
    }

    /** isp1: 2, isp2: 1 in file order, as the loader keeps it (Map.of would iterate in a random order). */
    private static Map<String, Integer> weights() {
        Map<String, Integer> w = new java.util.LinkedHashMap<>();
        w.put("isp1", 2);
        w.put("isp2", 1);
        return w;
    }
}
