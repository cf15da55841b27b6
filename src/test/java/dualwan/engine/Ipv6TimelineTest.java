package dualwan.engine;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.config.ConfigLoader;
import dualwan.config.Ipv6;
import dualwan.config.Prefix6;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.Verdict;
import dualwan.plan.Planner6.Uplink6;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 in the engine as timelines: each family judged and moved on its own, unreachable, renumbering. */
class Ipv6TimelineTest {

    static final String YAML = TestConfigs.DUAL_STACK_YAML;

    private static Config config(String yaml) throws Exception {
        return ConfigLoader.parse(Path.of("t.yaml"), yaml);
    }

    private static List<KernelTarget> flushing(EngineRig rig, int from) {
        return rig.targets.subList(from, rig.targets.size()).stream().filter(t -> !t.flushes().isEmpty()).toList();
    }

    @Test
    void bothFamiliesStartOnTheBestUplinkAndTheStateShowsIpv6BesideIpv4() throws Exception {
        Config config = config(YAML);
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        assertEquals(Optional.of("isp1"), rig.engine.active());
        assertEquals(Optional.of("isp1"), rig.engine.active6());
        KernelTarget t = rig.engine.target().orElseThrow();
        assertEquals(Optional.of("wan1"), EngineRig.lanDev6(config, t));
        DaemonState s = rig.engine.state(rig.now, x -> x);
        DaemonState.Ipv6 six = s.ipv6().orElseThrow();
        assertEquals(Optional.of("isp1"), six.active());
        assertEquals(List.of("isp1", "isp2"), List.copyOf(six.wans().keySet()), "lte has no IPv6");
        assertEquals(Optional.of(Verdict.UP), six.state("isp1"));
        assertEquals(List.of("2001:db8:ffff::1", "2001:db8:ffff::2"),
                List.copyOf(six.wans().get("isp1").hosts().keySet()));
        assertEquals(Optional.of("fe80::1"), six.wans().get("isp1").gateway());
        assertEquals(Optional.of("2001:db8:1::2"), six.wans().get("isp1").address());
        assertFalse(six.unreachable());
        assertTrue(t.nft().contains("meta nfproto ipv4 masquerade"), t.nft());
    }

    @Test
    void ipv6CutOnIsp1MovesOnlyIpv6WithAnIpv6OnlyFlushAndComesBackAfterTheHold() throws Exception {
        Config config = config(YAML);
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        rig.switches.clear();
        int before = rig.targets.size();
        rig.dead6Devices.add("wan1");
        rig.run(Duration.ofSeconds(3));
        assertEquals(Optional.of("isp2"), rig.engine.active6());
        assertEquals(Optional.of("isp1"), rig.engine.active(), "IPv4 stays");
        assertEquals(List.of(), rig.switches, "no IPv4 switch");
        List<KernelTarget> f = flushing(rig, before);
        assertEquals(1, f.size(), "one flush for the one IPv6 switch");
        assertEquals(List.of(List.of("-D", "-f", "ipv6", "--reply-dst", "2001:db8:1::2", "--mark", "0x0")),
                f.getFirst().flushes(), "IPv6 entries NATed to isp1's address only");
        assertEquals(Optional.of("wan2"), EngineRig.lanDev6(config, f.getFirst()), "in the target that moves IPv6");
        assertEquals(Optional.of("wan1"), EngineRig.lanDev(config, f.getFirst()));
        DaemonState s = rig.engine.state(rig.now, x -> x);
        assertEquals(Optional.of(Verdict.DOWN), s.ipv6().orElseThrow().state("isp1"));
        assertEquals(Verdict.UP, s.wans().get("isp1").state());
        assertEquals(1, s.ipv6().orElseThrow().switches());

        rig.dead6Devices.clear();
        int mid = rig.targets.size();
        rig.run(Duration.ofSeconds(20));
        assertEquals(Optional.of("isp2"), rig.engine.active6(), "the hold");
        rig.run(Duration.ofSeconds(15));
        assertEquals(Optional.of("isp1"), rig.engine.active6(), "failback after the hold");
        List<KernelTarget> back = flushing(rig, mid);
        assertEquals(1, back.size());
        assertEquals(List.of(List.of("-D", "-f", "ipv6", "--reply-dst", "2001:db8:2::2", "--mark", "0x0")),
                back.getFirst().flushes());
        assertEquals(List.of(), rig.switches, "IPv4 never moved");
    }

    @Test
    void ipv4CutOnIsp1MovesOnlyIpv4() throws Exception {
        Config config = config(YAML);
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        rig.switches.clear();
        int before = rig.targets.size();
        rig.dead4Devices.add("wan1");
        rig.run(Duration.ofSeconds(3));
        assertEquals(Optional.of("isp2"), rig.engine.active());
        assertEquals(Optional.of("isp1"), rig.engine.active6(), "IPv6 stays");
        List<KernelTarget> f = flushing(rig, before);
        assertEquals(1, f.size());
        assertEquals(List.of(List.of("-D", "--reply-dst", "100.64.1.2", "--mark", "0x0")), f.getFirst().flushes(),
                "IPv4 entries only");
        assertEquals(Optional.of("wan1"), EngineRig.lanDev6(config, f.getFirst()));
    }

    @Test
    void noWorkingIpv6WhileIpv4WorksMakesTheLanIpv6UnreachableAndNothingWorkingKeepsIt() throws Exception {
        Config config = config(YAML);
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        rig.dead6Devices.addAll(List.of("wan1", "wan2"));
        rig.run(Duration.ofSeconds(3));
        assertEquals(Optional.empty(), rig.engine.active6());
        KernelTarget t = rig.engine.target().orElseThrow();
        assertEquals(Optional.of("unreachable"), EngineRig.lanDev6(config, t));
        assertTrue(t.nft().contains("reject with tcp reset"), "TCP gets a reset from the table:\n" + t.nft());
        DaemonState.Ipv6 six = rig.engine.state(rig.now, x -> x).ipv6().orElseThrow();
        assertTrue(six.unreachable());
        assertEquals(Optional.empty(), six.active());
        assertEquals(Optional.of("isp1"), rig.engine.active(), "IPv4 untouched");

        rig.deadDevices.addAll(List.of("wan1", "wan2", "wwan0"));
        rig.run(Duration.ofSeconds(5));
        assertEquals(Optional.of("unreachable"), EngineRig.lanDev6(config, rig.engine.target().orElseThrow()),
                "nothing works at all: the last routes stay");
        assertEquals(Optional.of("isp1"), rig.engine.active());

        rig.deadDevices.clear();
        rig.dead6Devices.remove("wan2");
        rig.run(Duration.ofSeconds(5));
        assertEquals(Optional.of("isp2"), rig.engine.active6(), "IPv6 back through isp2");
        assertEquals(Optional.of("wan2"), EngineRig.lanDev6(config, rig.engine.target().orElseThrow()));
        assertFalse(rig.engine.state(rig.now, x -> x).ipv6().orElseThrow().unreachable());
    }

    @Test
    void nothingWorkingAtAllKeepsTheLastIpv6Route() throws Exception {
        Config config = config(YAML);
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        rig.deadDevices.addAll(List.of("wan1", "wan2", "wwan0"));
        rig.run(Duration.ofSeconds(5));
        assertEquals(Optional.of("isp1"), rig.engine.active6());
        assertEquals(Optional.of("wan1"), EngineRig.lanDev6(config, rig.engine.target().orElseThrow()));
        assertEquals(Optional.empty(), rig.engine.state(rig.now, x -> x).ipv6().orElseThrow().active(),
                "the state says no uplink has working IPv6");
    }

    @Test
    void aForcedUplinkWithoutIpv6LeavesIpv6ToItsOwnHealth() throws Exception {
        Config config = config(YAML);
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        rig.mode(Mode.force("lte"));
        rig.run(Duration.ofSeconds(2));
        assertEquals(Optional.of("lte"), rig.engine.active());
        assertEquals(Optional.of("isp1"), rig.engine.active6());
        rig.mode(Mode.force("isp2"));
        rig.run(Duration.ofSeconds(2));
        assertEquals(Optional.of("isp2"), rig.engine.active6(), "an uplink with IPv6 takes both");
    }

    @Test
    void aRenumberedDelegatedPrefixReplacesTheTranslationAndFlushesTheOldOnesFlowsOnce() throws Exception {
        Config config = config(YAML.replace("""
                    interface: wan1
                """, """
                    interface: wan1
                    nat6: prefix
                    prefix6: learned
                """));
        EngineRig rig = new EngineRig(config).start();
        Uplink6 first = new Uplink6(true, List.of(Ipv6.of("2001:db8:1::2")), Optional.of(Ipv6.of("fe80::1")),
                Optional.of(Prefix6.parse("2001:db8:1100::/56")));
        Map<String, Uplink6> six = Map.of("isp1", first, "isp2", EngineRig.addressing6(config).get("isp2"));
        rig.step(new Input.Addressing(EngineRig.addressing(config), six));
        rig.run(Duration.ofSeconds(10));
        KernelTarget t = rig.engine.target().orElseThrow();
        assertTrue(t.nft().contains("snat ip6 prefix to 2001:db8:1100::/64"), t.nft());
        int before = rig.targets.size();
        Uplink6 renumbered = new Uplink6(true, first.addresses(), first.gateway(),
                Optional.of(Prefix6.parse("2001:db8:1200::/56")));
        rig.step(new Input.Addressing(EngineRig.addressing(config), Map.of("isp1", renumbered,
                "isp2", six.get("isp2"))));
        rig.step(new Input.Addressing(EngineRig.addressing(config), Map.of("isp1", renumbered,
                "isp2", six.get("isp2")))); // the same read again changes nothing
        rig.run(Duration.ofSeconds(2));
        List<KernelTarget> after = rig.targets.subList(before, rig.targets.size());
        assertEquals(1, after.size(), "one new target: " + after);
        KernelTarget next = after.getFirst();
        assertTrue(next.nft().contains("snat ip6 prefix to 2001:db8:1200::/64"), next.nft());
        assertEquals(List.of(List.of("-D", "-f", "ipv6", "--reply-dst", "2001:db8:1100::/64", "--mark", "0x0")),
                next.flushes(), "the flows translated into the old prefix");
        assertTrue(next.plan6().rules().stream().anyMatch(r -> String.join(" ", r.addArgs())
                .contains("from 2001:db8:1200::/56")), "the rule follows the new prefix");
        assertEquals(Optional.of("isp1"), rig.engine.active6(), "no switch");
    }

    @Test
    void anUplinkWhoseInterfaceVanishesLeavesNoIpv6RouteThroughIt() throws Exception {
        Config config = config(YAML);
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        rig.step(new Input.Links(Map.of("isp1", dualwan.health.LinkState.MISSING)));
        rig.run(Duration.ofSeconds(1));
        KernelTarget t = rig.engine.target().orElseThrow();
        assertEquals(List.of(dualwan.plan.Route6Spec.unreachableDefault()), t.plan6().tables().get(101),
                "only the unreachable default: a route may not name a device that is gone");
        assertEquals(Optional.of("wan2"), EngineRig.lanDev6(config, t));
        assertEquals(Optional.of("isp2"), rig.engine.active6());
    }

    @Test
    void anIpv4OnlyConfigPlansAndShowsNoIpv6() {
        Config config = TestConfigs.twoWans();
        EngineRig rig = new EngineRig(config).start().run(Duration.ofSeconds(10));
        KernelTarget t = rig.engine.target().orElseThrow();
        assertTrue(t.plan6().empty());
        assertEquals(Optional.empty(), rig.engine.state(rig.now, x -> x).ipv6());
        assertTrue(rig.outputs.stream().flatMap(o -> o.probes().stream())
                .noneMatch(p -> p.target() instanceof java.net.Inet6Address));
    }
}
