package dualwan.plan;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.config.ConntrackConfig;
import dualwan.config.FlowFilter;
import dualwan.config.Nat;
import dualwan.config.PolicyConfig;
import dualwan.config.PortRange;
import dualwan.config.Prefix;
import dualwan.config.Protocol;
import dualwan.config.WanConfig;
import dualwan.decide.PolicyDecision;
import dualwan.plan.Planner.UplinkAddressing;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nftables table and the conntrack flushes, as text; the lab applies them to a real kernel. */
class NftPlannerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Map<String, UplinkAddressing> ADDRESSING = Map.of(
            "isp1", new UplinkAddressing(true, Optional.of(ip("100.64.1.2")), Optional.of(ip("100.64.1.1"))),
            "isp2", new UplinkAddressing(true, Optional.of(ip("100.64.2.2")), Optional.of(ip("100.64.2.1"))));
    private static final PolicyConfig VOIP = new PolicyConfig("voip", new PolicyConfig.Match(
            List.of(new Prefix(ip("100.64.10.0"), 25)), List.of(), Optional.of(Protocol.UDP),
            List.of(new PortRange(5060, 5060), new PortRange(10000, 20000)), List.of("lan0")),
            List.of("isp2", "isp1"), Map.of(), Optional.empty());
    private static final PolicyConfig GUESTS = new PolicyConfig("guests", new PolicyConfig.Match(
            List.of(), List.of(), Optional.empty(), List.of(), List.of("lan0")),
            List.of(), weights(), Optional.of(Duration.ofMinutes(10)));

    private static Config config(Nat nat2, ConntrackConfig conntrack, PolicyConfig... policies) {
        Config base = TestConfigs.twoWans();
        WanConfig w2 = base.wans().get(1);
        List<WanConfig> wans = List.of(base.wans().get(0), new WanConfig(w2.name(), w2.iface(), w2.gateway(),
                w2.priority(), w2.check(), w2.table(), w2.mark(), nat2, w2.dns()));
        return new Config(base.source(), wans, base.failback(), base.lan(), base.routing(), base.stateFile(),
                conntrack, List.of(policies), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static PolicyDecision on(String... uplinks) {
        return new PolicyDecision(List.of(uplinks), Set.of(), T0, "t", Optional.empty());
    }

    @Test
    void withoutPoliciesTheTableIsJustNatPerUplink() {
        String nft = NftPlanner.ruleset(config(Nat.SNAT, ConntrackConfig.defaults()), ADDRESSING, Map.of());
        assertTrue(nft.startsWith("# dualwan"), nft);
        assertTrue(nft.contains("add table inet dualwan\ndelete table inet dualwan\ntable inet dualwan {\n\tcomment \"dualwan plan "), nft);
        assertTrue(nft.contains("\t\toifname \"wan1\" masquerade\n"), nft);
        assertTrue(nft.contains("\t\toifname \"wan2\" snat ip to 100.64.2.2\n"), nft);
        assertFalse(nft.contains("prerouting"), nft);
    }

    @Test
    void snatWithoutAnAddressAndNatNoneTranslateNothing() {
        Map<String, UplinkAddressing> noAddress = Map.of("isp1", ADDRESSING.get("isp1"),
                "isp2", new UplinkAddressing(true, Optional.empty(), Optional.empty()));
        assertFalse(NftPlanner.ruleset(config(Nat.SNAT, ConntrackConfig.defaults()), noAddress, Map.of()).contains("wan2"));
        assertFalse(NftPlanner.ruleset(config(Nat.NONE, ConntrackConfig.defaults()), ADDRESSING, Map.of()).contains("wan2\""));
    }

    @Test
    void policiesMarkNewConnectionsAndRouteByTheirUplink() {
        Config c = config(Nat.MASQUERADE, ConntrackConfig.defaults(), VOIP, GUESTS);
        String nft = NftPlanner.ruleset(c, ADDRESSING, Map.of("voip", on("isp2"), "guests", on("isp1", "isp2")));
        assertTrue(nft.contains("\tmap sticky_2 {\n\t\ttype ipv4_addr : mark\n\t\tflags dynamic,timeout\n\t\ttimeout 600s\n\t}\n"), nft);
        assertTrue(nft.contains("\t\tiifname { \"wan1\", \"wan2\" } return"), nft);
        assertTrue(nft.contains("\t\tct state new ct mark 0 jump classify\n"), nft);
        assertTrue(nft.contains("\t\tct mark 0x100 meta mark set 0x66 comment \"voip via isp2\"\n"), nft);
        assertTrue(nft.contains("\t\tct mark & 0xff != 0 meta mark set ct mark & 0xff map { 1 : 0x65, 2 : 0x66 }"), nft);
        assertTrue(nft.contains("\t\tiifname \"lan0\" ip saddr 100.64.10.0/25 udp dport { 5060, 10000-20000 } ct mark set 0x100 return comment \"voip\"\n"), nft);
        assertTrue(nft.contains("\t\tiifname \"lan0\" ip saddr @sticky_2 ct mark set ip saddr map @sticky_2 update @sticky_2 { ip saddr : ct mark } return"), nft);
        assertTrue(nft.contains("\t\tiifname \"lan0\" ct mark set numgen inc mod 3 map { 0-1 : 0x201, 2 : 0x202 } update @sticky_2 { ip saddr : ct mark } return comment \"guests\"\n"), nft);
        assertTrue(nft.indexOf("comment \"voip\"") < nft.indexOf("comment \"guests\""), "first match wins: file order");
    }

    @Test
    void aDownMemberLeavesTheSpreadAndAPolicyWithoutUplinkOnlyTags() {
        Config c = config(Nat.MASQUERADE, ConntrackConfig.defaults(), VOIP, GUESTS);
        String nft = NftPlanner.ruleset(c, ADDRESSING, Map.of("voip", on(), "guests", on("isp2")));
        assertTrue(nft.contains("ct mark set 0x202 update @sticky_2"), nft);
        assertFalse(nft.contains("numgen"), nft);
        assertFalse(nft.contains("comment \"voip via"), "no uplink yet: voip's flows take the default route\n" + nft);
        assertTrue(nft.contains("ct mark set 0x100 return comment \"voip\""), nft);
    }

    @Test
    void sameInputsSameText() {
        Config c = config(Nat.SNAT, ConntrackConfig.defaults(), VOIP, GUESTS);
        Map<String, PolicyDecision> d = Map.of("voip", on("isp2"), "guests", on("isp1", "isp2"));
        String nft = NftPlanner.ruleset(c, ADDRESSING, d);
        assertEquals(nft, NftPlanner.ruleset(c, ADDRESSING, d));
        String listed = "table inet dualwan {\n\tcomment \"dualwan plan " + NftPlanner.planId(nft).orElseThrow() + "\"\n...";
        assertEquals(NftPlanner.planId(nft), NftPlanner.planId(listed), "the kernel's listing names the same plan");
        assertEquals(16, NftPlanner.planId(nft).get().length());
        String other = NftPlanner.ruleset(c, ADDRESSING, Map.of("voip", on("isp1"), "guests", on("isp1", "isp2")));
        assertFalse(NftPlanner.planId(nft).equals(NftPlanner.planId(other)), "another plan, another id");
    }

    // ------------------------------------------------------------------------------------------------ flushes

    private static Flushes.Moved moved(String policy, String uplink) {
        return new Flushes.Moved(Optional.ofNullable(policy), uplink, Optional.of(ip(uplink.equals("isp1") ? "100.64.1.2" : "100.64.2.2")));
    }

    @Test
    void affectedFlushNamesExactlyTheFlowsThatMoved() {
        Config c = config(Nat.SNAT, ConntrackConfig.defaults(), VOIP, GUESTS);
        assertEquals(List.of(List.of("-D", "--reply-dst", "100.64.1.2", "--mark", "0x0")),
                Flushes.commands(c, List.of(moved(null, "isp1"))), "unmarked traffic NATed to isp1");
        assertEquals(List.of(List.of("-D", "--reply-dst", "100.64.2.2", "--mark", "0x100")),
                Flushes.commands(c, List.of(moved("voip", "isp2"))), "voip's flows NATed to isp2, not other policies'");
        assertEquals(List.of(List.of("-D", "--mark", "0x201")),
                Flushes.commands(c, List.of(moved("guests", "isp1"))), "guests pinned to isp1, not those on isp2");
    }

    @Test
    void filterAllAndNone() {
        Config filtered = config(Nat.SNAT, new ConntrackConfig(ConntrackConfig.Flush.AFFECTED,
                List.of(new FlowFilter(Protocol.UDP, OptionalInt.of(5060)), new FlowFilter(Protocol.ICMP, OptionalInt.empty()))));
        assertEquals(List.of(List.of("-D", "--reply-dst", "100.64.1.2", "--mark", "0x0", "-p", "udp", "--dport", "5060"),
                        List.of("-D", "--reply-dst", "100.64.1.2", "--mark", "0x0", "-p", "icmp")),
                Flushes.commands(filtered, List.of(moved(null, "isp1"))));
        Config all = config(Nat.SNAT, new ConntrackConfig(ConntrackConfig.Flush.ALL, List.of()), VOIP);
        assertEquals(List.of(List.of("-F")), Flushes.commands(all, List.of(moved(null, "isp1"), moved("voip", "isp2"))),
                "one flush for a pass, however many moved");
        Config none = config(Nat.SNAT, new ConntrackConfig(ConntrackConfig.Flush.NONE, List.of()));
        assertEquals(List.of(), Flushes.commands(none, List.of(moved(null, "isp1"))));
        assertEquals(List.of(), Flushes.commands(filtered, List.of()));
        assertEquals(List.of(), Flushes.commands(filtered, List.of(new Flushes.Moved(Optional.empty(), "isp1", Optional.empty()))),
                "no address ever known: nothing was NATed to it");
        assertEquals(List.of(List.of("-D", "--reply-dst", "100.64.1.9")),
                Flushes.commands(config(Nat.SNAT, ConntrackConfig.defaults(), VOIP),
                        List.of(Flushes.Moved.addressChanged("isp1", ip("100.64.1.9")))),
                "a renumbered uplink: every flow NATed to the old address, whatever its policy");
    }

    /** isp1: 2, isp2: 1 in file order, as the loader keeps it (Map.of would iterate in a random order). */
    private static Map<String, Integer> weights() {
        Map<String, Integer> w = new java.util.LinkedHashMap<>();
        w.put("isp1", 2);
        w.put("isp2", 1);
        return w;
    }
}
