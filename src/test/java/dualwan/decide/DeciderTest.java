package dualwan.decide;

import dualwan.model.Mode;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.health.HealthSnapshot;
import dualwan.health.UplinkHealth;
import dualwan.model.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeciderTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final Config config = TestConfigs.twoWans(Duration.ofSeconds(30));

    /** isp1 and isp2 verdicts, each with the time it took that verdict. */
    private static HealthSnapshot health(Instant at, Verdict v1, Instant since1, Verdict v2, Instant since2) {
        Map<String, UplinkHealth> m = new LinkedHashMap<>();
        m.put("isp1", uplink("isp1", v1, since1));
        m.put("isp2", uplink("isp2", v2, since2));
        return new HealthSnapshot(at, m);
    }

    private static UplinkHealth uplink(String wan, Verdict v, Instant since) {
        return new UplinkHealth(wan, v, v == Verdict.DOWN ? "gateway not answering" : "ok", since, true,
                Optional.empty(), Optional.empty(), Map.of(), false);
    }

    private Decision decide(HealthSnapshot h, Mode mode, Decision previous) {
        return Decider.decide(config, h, mode, previous, h.at());
    }

    private static Decision on(String wan) {
        return new Decision(Optional.ofNullable(wan), T0, "test", Optional.empty());
    }

    @Test
    void startsOnTheBestHealthyUplink() {
        Decision d = decide(health(T0, Verdict.UP, T0, Verdict.UP, T0), Mode.AUTO, Decision.initial(Optional.empty(), T0));
        assertEquals(Optional.of("isp1"), d.active());
    }

    @Test
    void atStartWaitsForABetterUplinksFirstVerdict() {
        Decision d = decide(health(T0, Verdict.UNKNOWN, T0, Verdict.UP, T0), Mode.AUTO, Decision.initial(Optional.empty(), T0));
        assertEquals(Optional.empty(), d.active(), "isp2 answered first, but isp1 is not judged yet");
        d = decide(health(T0, Verdict.DOWN, T0, Verdict.UP, T0), Mode.AUTO, d);
        assertEquals(Optional.of("isp2"), d.active());
    }

    @Test
    void failsOverAtOnce() {
        Instant t = T0.plusSeconds(100);
        Decision d = decide(health(t, Verdict.DOWN, t, Verdict.UP, T0), Mode.AUTO, on("isp1"));
        assertEquals(Optional.of("isp2"), d.active());
        assertEquals(t, d.since());
        assertEquals("failover: isp1 gateway not answering", d.reason());
    }

    @Test
    void failsBackOnlyAfterTheHold() {
        Instant back = T0.plusSeconds(100);
        Decision d = decide(health(back.plusSeconds(29), Verdict.UP, back, Verdict.UP, T0), Mode.AUTO, on("isp2"));
        assertEquals(Optional.of("isp2"), d.active(), "29 s of health is not enough");
        assertEquals(Optional.of(back.plusSeconds(30)), d.reconsiderAt(), "the loop is woken when the hold ends");
        d = decide(health(back.plusSeconds(30), Verdict.UP, back, Verdict.UP, T0), Mode.AUTO, d);
        assertEquals(Optional.of("isp1"), d.active());
        assertTrue(d.reason().startsWith("failback: isp1 healthy for 30s"), d.reason());
    }

    @Test
    void aFlapDuringTheHoldRestartsIt() {
        Instant back = T0.plusSeconds(100);
        Instant flapBack = back.plusSeconds(20);
        Decision d = decide(health(back.plusSeconds(40), Verdict.UP, flapBack, Verdict.UP, T0), Mode.AUTO, on("isp2"));
        assertEquals(Optional.of("isp2"), d.active(), "isp1 is healthy only since " + flapBack);
    }

    @Test
    void withNothingHealthyKeepsTheLastRoute() {
        Decision d = decide(health(T0.plusSeconds(5), Verdict.DOWN, T0, Verdict.DOWN, T0), Mode.AUTO, on("isp1"));
        assertEquals(Optional.of("isp1"), d.active());
        assertEquals("no healthy uplink; keeping isp1", d.reason());
    }

    @Test
    void anUplinkBeingCheckedIsNotLeft() {
        Decision d = decide(health(T0.plusSeconds(5), Verdict.UNKNOWN, T0, Verdict.UP, T0), Mode.AUTO, on("isp1"));
        assertEquals(Optional.of("isp1"), d.active());
    }

    @Test
    void aWorseUplinkNeverTakesOverFromAHealthyBetterOne() {
        Decision d = decide(health(T0.plusSeconds(500), Verdict.UP, T0, Verdict.UP, T0), Mode.AUTO, on("isp1"));
        assertEquals(Optional.of("isp1"), d.active());
        assertEquals(T0, d.since(), "no switch, so the switch time stays");
    }

    @Test
    void forcedModeIsHonouredEvenOnAnUnhealthyUplink() {
        Decision d = decide(health(T0.plusSeconds(5), Verdict.UP, T0, Verdict.DOWN, T0), Mode.force("isp2"), on("isp1"));
        assertEquals(Optional.of("isp2"), d.active());
        assertEquals("forced by the operator", d.reason());
        d = decide(health(T0.plusSeconds(6), Verdict.UP, T0, Verdict.DOWN, T0), Mode.AUTO, d);
        assertEquals(Optional.of("isp1"), d.active(), "back to auto: isp1 has been healthy far longer than the hold");
    }

    @Test
    void modeParsesAutoAndNames() {
        assertTrue(Mode.parse("auto").auto());
        assertEquals(Optional.of("isp2"), Mode.parse("isp2").forced());
        assertEquals("auto", Mode.AUTO.toString());
    }
}
