package dualwan.engine;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.config.PolicyConfig;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.StateJson;
import dualwan.model.SwitchEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine as timelines on a fake monotonic clock: the ordering the daemon relies on, without root. */
class EngineTimelineTest {

    private final Config config = TestConfigs.twoWans();

    @Test
    void failoverAndFailbackEachCarryTheirFlushExactlyOnceInTheTargetThatMovesTheTraffic() {
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        assertEquals(Optional.of("isp1"), rig.engine.active());
        rig.switches.clear(); // the first choice
        int before = rig.targets.size();
        rig.deadDevices.add("wan1");
        rig.run(Duration.ofSeconds(5));
        assertEquals(1, rig.switches.size(), "one failover");
        List<KernelTarget> after = rig.targets.subList(before, rig.targets.size());
        List<KernelTarget> flushing = after.stream().filter(t -> !t.flushes().isEmpty()).toList();
        assertEquals(1, flushing.size(), "one target carries the failover's flush: " + after);
        KernelTarget failover = flushing.getFirst();
        assertEquals(Optional.of("wan2"), EngineRig.lanDev(config, failover), "its plan already routes via isp2");
        assertEquals(List.of(List.of("-D", "--reply-dst", "100.64.1.2", "--mark", "0x0")), failover.flushes());

        rig.deadDevices.clear();
        int mid = rig.targets.size();
        rig.run(Duration.ofSeconds(60));
        assertEquals(2, rig.switches.size(), "then one failback");
        List<KernelTarget> back = rig.targets.subList(mid, rig.targets.size()).stream()
                .filter(t -> !t.flushes().isEmpty()).toList();
        assertEquals(1, back.size());
        assertEquals(Optional.of("wan1"), EngineRig.lanDev(config, back.getFirst()));
        assertEquals(List.of(List.of("-D", "--reply-dst", "100.64.2.2", "--mark", "0x0")), back.getFirst().flushes());
        assertTrue(rig.targets.stream().mapToLong(KernelTarget::generation).distinct().count() == rig.targets.size(),
                "generations count up");
    }

    @Test
    void restartWithTheBackupActiveKeepsItUntilThePreferredUplinkHasBeenHealthyForTheHold() {
        EngineRig rig = new EngineRig(config).start(Optional.of("isp2"), true, StateJson.Saved.NONE);
        assertEquals(Optional.of("wan2"), EngineRig.lanDev(config, rig.targets.getFirst()),
                "the first target keeps the LAN where the kernel has it");
        rig.run(Duration.ofSeconds(25));
        assertEquals(List.of(), rig.switches, "no switch at start, and none before the hold ends");
        rig.run(Duration.ofSeconds(15));
        assertEquals(1, rig.switches.size());
        SwitchEvent back = rig.switches.getFirst();
        assertEquals(Optional.of("isp1"), back.to());
        assertTrue(back.reason().startsWith("failback"), back.reason());
        Duration after = Duration.between(EngineRig.T0, back.at());
        assertTrue(after.compareTo(config.failback().hold()) >= 0, "failback after the whole hold: " + after);
    }

    @Test
    void aHoldGrownByDampeningIsKeptAcrossARestart() {
        Duration grown = config.failback().hold().multipliedBy(4);
        StateJson.Saved saved = new StateJson.Saved(Optional.empty(), Map.of(), Optional.empty(),
                Map.of("isp1", grown, "isp2", Duration.ofDays(365)));
        EngineRig rig = new EngineRig(config).start(Optional.of("isp2"), true, saved);
        DaemonState s = rig.engine.state(EngineRig.T0, t -> t);
        assertEquals(grown, s.wans().get("isp1").failback().orElseThrow().hold());
        rig.run(grown.minusSeconds(5));
        assertEquals(List.of(), rig.switches, "no failback before the grown hold");
        rig.run(Duration.ofSeconds(20));
        assertEquals(Optional.of("isp1"), rig.engine.active(), "back once isp1 was healthy for the grown hold");
        assertTrue(rig.engine.state(rig.now, t -> t).wans().get("isp2").failback().orElseThrow().hold()
                .compareTo(Duration.ofMinutes(15)) <= 0, "a saved hold is kept within failback.max-hold");
    }

    @Test
    void aForcedModeIsRestoredAfterARestart() {
        StateJson.Saved saved = new StateJson.Saved(Optional.of(Mode.force("isp2")), Map.of(), Optional.empty());
        EngineRig rig = new EngineRig(config).start(Optional.of("isp2"), true, saved);
        assertEquals(Mode.force("isp2"), rig.engine.mode());
        rig.run(Duration.ofSeconds(60));
        assertEquals(List.of(), rig.switches, "forced to isp2, though isp1 is healthy and preferred");
        assertEquals(Optional.of("isp2"), rig.engine.active());
    }

    @Test
    void aSavedModeForAnUplinkThatNoLongerExistsIsIgnored() {
        StateJson.Saved saved = new StateJson.Saved(Optional.of(Mode.force("isp9")), Map.of(), Optional.empty());
        EngineRig rig = new EngineRig(config).start(Optional.empty(), false, saved);
        assertEquals(Mode.AUTO, rig.engine.mode());
    }

    @Test
    void aPolicysSavedUplinkIsRestoredOnlyIfItStillBelongsToThePolicyAndItsTableIsInPlace() {
        PolicyConfig p = new PolicyConfig("voip", PolicyConfig.Match.any(), List.of("isp1"), Map.of(), Optional.empty());
        PolicyConfig q = new PolicyConfig("bulk", PolicyConfig.Match.any(), List.of("isp2", "isp1"), Map.of(), Optional.empty());
        Config withPolicies = new Config(config.source(), config.wans(), config.failback(), config.lan(),
                config.routing(), config.stateFile(), config.conntrack(), List.of(p, q), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
        StateJson.Saved saved = new StateJson.Saved(Optional.empty(),
                Map.of("voip", List.of("isp2"), "bulk", List.of("isp1")), Optional.empty());
        DaemonState s = new EngineRig(withPolicies).start(Optional.of("isp1"), true, saved).engine
                .state(EngineRig.T0, t -> t);
        assertEquals(List.of(), s.policies().get("voip").uplinks(), "isp2 is not one of voip's uplinks");
        assertEquals(List.of("isp1"), s.policies().get("bulk").uplinks(), "isp1 is one of bulk's, kept");

        DaemonState noTable = new EngineRig(withPolicies).start(Optional.of("isp1"), false, saved).engine
                .state(EngineRig.T0, t -> t);
        assertEquals(List.of(), noTable.policies().get("bulk").uplinks(), "without its table nothing stands");
    }

    @Test
    void modeCommandsThatFlipBackAndForthMoveTheKernelAtMostOncePerSecondAndTheLastOneWins() {
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        rig.switches.clear(); // the first choice
        List<Mode> flips = List.of(Mode.force("isp2"), Mode.force("isp1"), Mode.force("isp2"), Mode.AUTO,
                Mode.force("isp1"), Mode.force("isp2"));
        long lastId = 0;
        for (Mode m : flips) {
            lastId = rig.mode(m);
            rig.run(Duration.ofMillis(100));
        }
        rig.run(Duration.ofSeconds(2));
        assertEquals(Mode.force("isp2"), rig.engine.mode(), "the last command wins");
        assertEquals(Optional.of("isp2"), rig.engine.active());
        for (int i = 1; i < rig.switches.size(); i++) {
            Duration gap = Duration.between(rig.switches.get(i - 1).at(), rig.switches.get(i).at());
            assertTrue(gap.compareTo(Duration.ofSeconds(1)) >= 0, "switches " + gap + " apart: " + rig.switches);
        }
        assertTrue(rig.switches.size() <= 2, "6 commands in 0.6 s, at most 2 switches: " + rig.switches);
        for (long id = 1; id <= lastId; id++) {
            assertTrue(rig.reply(id).isPresent(), "command " + id + " was answered");
        }
        assertEquals(Optional.of("isp2"), rig.reply(lastId).orElseThrow().active());
    }

    @Test
    void aModeForAnUnknownUplinkIsRefusedAndChangesNothing() {
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        int targets = rig.targets.size();
        long id = rig.mode(Mode.force("isp9"));
        rig.run(Duration.ofSeconds(2));
        assertEquals(Optional.of("no uplink named isp9"), rig.replies.stream().filter(r -> r.id() == id)
                .findFirst().orElseThrow().error());
        assertEquals(Mode.AUTO, rig.engine.mode());
        assertEquals(targets, rig.targets.size());
    }

    @Test
    void noKernelTargetIsMadeBeforeTheFirstAddressingRead() {
        EngineRig rig = new EngineRig(config);
        Map<String, dualwan.health.LinkState> links = Map.of("isp1", dualwan.health.LinkState.CARRIER,
                "isp2", dualwan.health.LinkState.CARRIER);
        Outputs out = rig.engine.step(new Input.Start(links, Optional.empty(), Optional.of("isp1"), true,
                StateJson.Saved.NONE), EngineRig.T0);
        assertTrue(out.kernel().isEmpty(), "a plan without addresses would tear down what is in place");
        Outputs later = rig.engine.step(new Input.Tick(), EngineRig.T0.plusSeconds(1));
        assertTrue(later.readAddressing(), "the read is retried");
        Outputs read = rig.engine.step(new Input.Addressing(EngineRig.addressing(config)), EngineRig.T0.plusSeconds(1));
        assertTrue(read.kernel().isPresent());
        assertEquals(Optional.of("wan1"), EngineRig.lanDev(config, read.kernel().get()));
    }

    @Test
    void aRenumberedUplinkFlushesItsOldAddressOnce() {
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        int before = rig.targets.size();
        var moved = new java.util.LinkedHashMap<>(EngineRig.addressing(config));
        moved.put("isp1", new dualwan.plan.Planner.UplinkAddressing(true, Optional.of(TestConfigs.ip("100.64.1.7")),
                config.wans().getFirst().gateway()));
        rig.step(new Input.Addressing(moved));
        rig.step(new Input.Addressing(moved));
        List<KernelTarget> after = rig.targets.subList(before, rig.targets.size());
        assertEquals(1, after.size());
        assertEquals(List.of(List.of("-D", "--reply-dst", "100.64.1.2")), after.getFirst().flushes());
    }

    @Test
    void kernelReportsAndTheirFlushCountsShowInTheState() {
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(5));
        Instant t = rig.now;
        rig.step(new Input.KernelReport(new DaemonState.KernelSync(DaemonState.KernelSync.FAILING, t,
                Optional.of("ip: boom"), 3, Optional.empty()), 1, 1, 7));
        DaemonState s = rig.engine.state(rig.now, x -> x);
        assertEquals("failing", s.kernel().state());
        assertEquals(Optional.of("ip: boom"), s.kernel().lastError());
        assertEquals(1, s.conntrack().flushes());
        assertEquals(7, s.conntrack().deleted());
        assertFalse(s.wans().isEmpty());
    }

    @Test
    void theEngineTakesStartFirst() {
        Engine e = new Engine(config);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> e.step(new Input.Tick(), EngineRig.T0));
    }
}
