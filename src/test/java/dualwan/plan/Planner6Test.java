package dualwan.plan;

import dualwan.config.Config;
import dualwan.config.ConfigLoader;
import dualwan.config.Ipv6;
import dualwan.config.Prefix6;
import dualwan.plan.Planner6.Uplink6;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IPv6 plan: rules, tables, the LAN's default (or unreachable), the nft part and the flushes. */
class Planner6Test {

    static final String YAML = """
            wans:
              - name: isp1
                interface: wan1
                nat6: prefix
                prefix6: learned
                check:
                  hosts: [192.0.2.1, 2001:db8:ffff::1]
              - name: isp2
                interface: wan2
                gateway6: fe80::2%wan2
                check:
                  hosts: [198.51.100.1, 2001:db8:ffff::2]
              - name: lte
                interface: wwan0
                check:
                  hosts: [203.0.113.1]
            lan:
              interfaces: [lan0]
              ipv6:
                prefix: fd00:1::/64
            """;

    static Config config(String yaml) throws Exception {
        return ConfigLoader.parse(Path.of("t.yaml"), yaml);
    }

    static Map<String, Uplink6> facts() {
        return Map.of(
                "isp1", new Uplink6(true, List.of(Ipv6.of("2001:db8:1::2")), Optional.of(Ipv6.of("fe80::1")),
                        Optional.of(Prefix6.parse("2001:db8:100::/56"))),
                "isp2", new Uplink6(true, List.of(Ipv6.of("2001:db8:2::2"), Ipv6.of("2001:db8:2::3")),
                        Optional.of(Ipv6.of("fe80::2")), Optional.empty()));
    }

    @Test
    void rulesAndTablesMirrorIpv4AtTheSamePrioritiesAndTables() throws Exception {
        RoutingPlan6 plan = Planner6.plan(config(YAML), facts(), Optional.of("isp1"), true);
        List<String> rules = plan.rules().stream().map(r -> String.join(" ", r.addArgs())).toList();
        assertEquals(List.of(
                "-6 rule add priority 1000 lookup main suppress_prefixlength 0",
                "-6 rule add priority 1001 fwmark 0x65 lookup 101",
                "-6 rule add priority 1002 fwmark 0x66 lookup 102",
                "-6 rule add priority 1020 from 2001:db8:1::2 lookup 101",
                "-6 rule add priority 1020 from 2001:db8:100::/56 lookup 101",
                "-6 rule add priority 1021 from 2001:db8:2::2 lookup 102",
                "-6 rule add priority 1021 from 2001:db8:2::3 lookup 102",
                "-6 rule add priority 1030 lookup 200"), rules, "lte has no IPv6 and gets nothing");
        assertEquals(List.of(Route6Spec.defaultVia(Ipv6.of("fe80::1"), "wan1"), Route6Spec.unreachableDefault()),
                plan.tables().get(101));
        assertEquals(List.of(Route6Spec.defaultVia(Ipv6.of("fe80::1"), "wan1")), plan.tables().get(200));
        assertFalse(plan.tables().containsKey(103));
        assertEquals(List.of("-6", "route", "replace", "default", "via", "fe80::1", "dev", "wan1", "metric", "1024",
                "table", "101"), plan.tables().get(101).getFirst().args("replace", 101));
    }

    @Test
    void noWorkingIpv6WithWorkingIpv4MakesTheLanDefaultUnreachable() throws Exception {
        Config c = config(YAML);
        RoutingPlan6 plan = Planner6.plan(c, facts(), Optional.empty(), true);
        assertEquals(List.of(Route6Spec.unreachableLanDefault()), plan.tables().get(200));
        assertTrue(Planner6.lanUnreachable(c, plan));
        assertTrue(plan.notes().getFirst().contains("unreachable"));
        RoutingPlan6 dead = Planner6.plan(c, facts(), Optional.empty(), false);
        assertFalse(dead.tables().containsKey(200), "nothing works: the last route stays");
        assertFalse(Planner6.lanUnreachable(c, dead));
    }

    @Test
    void withoutLanIpv6OnlyTheProbeTablesArePlannedAndWithoutIpv6NothingAtAll() throws Exception {
        String noLan = YAML.substring(0, YAML.indexOf("lan:")).replace("    nat6: prefix\n    prefix6: learned\n", "");
        RoutingPlan6 plan = Planner6.plan(config(noLan), facts(), Optional.of("isp1"), true);
        assertTrue(plan.rules().stream().noneMatch(r -> r.table().equals("200")));
        assertFalse(plan.tables().containsKey(200));
        assertTrue(plan.tables().containsKey(101));
        String v4 = "wans:\n  - name: a\n    interface: e1\n    check:\n      hosts: [192.0.2.1]\n";
        assertTrue(Planner6.plan(config(v4), Map.of(), Optional.of("a"), true).empty());
        assertEquals(NftPlanner.ruleset(config(v4), Map.of(), Map.of()),
                NftPlanner.ruleset(config(v4), Map.of(), Map.of(), facts(), true), "IPv4-only: the same table");
        String engineToday = NftPlanner.ruleset(config(YAML), Map.of(), Map.of());
        assertFalse(engineToday.contains("ip6") || engineToday.contains("nfproto"),
                "until the engine plans IPv6 its table stays exactly the IPv4 one: " + engineToday);
    }

    @Test
    void theTableTranslatesEachFamilyItsOwnWay() throws Exception {
        Config c = config(YAML);
        String nft = NftPlanner.ruleset(c, Map.of(), Map.of(), facts(), false);
        assertTrue(nft.contains("\t\toifname \"wan1\" meta nfproto ipv4 masquerade\n"), nft);
        assertTrue(nft.contains("\t\toifname \"wan1\" ip6 saddr fd00:1::/64 snat ip6 prefix to 2001:db8:100::/64\n"), nft);
        assertTrue(nft.contains("\t\toifname \"wan2\" ip6 saddr fd00:1::/64 masquerade\n"), nft);
        assertFalse(nft.contains("wwan0\" ip6"), nft);
        assertFalse(nft.contains("unreachable6"), nft);
        String unreachable = NftPlanner.ruleset(c, Map.of(), Map.of(), facts(), true);
        assertTrue(unreachable.contains("reject with tcp reset"), unreachable);
        assertTrue(unreachable.contains("reject with icmpv6 admin-prohibited"), unreachable);
        assertFalse(NftPlanner.planId(nft).equals(NftPlanner.planId(unreachable)));
        Map<String, Uplink6> noPrefix = Map.of("isp1", new Uplink6(true, List.of(), Optional.empty(), Optional.empty()));
        assertTrue(NftPlanner.ruleset(c, Map.of(), Map.of(), noPrefix, false).contains(
                "oifname \"wan1\" ip6 saddr fd00:1::/64 masquerade comment \"no usable delegated prefix yet\""));
    }

    @Test
    void flushesAreIpv6OnlyAndNameTheTranslation() throws Exception {
        Config c = config(YAML);
        Prefix6 translated = NftPlanner6.translated(c.lan().ipv6().orElseThrow().prefix(), facts().get("isp1")).orElseThrow();
        assertEquals(List.of(List.of("-D", "-f", "ipv6", "--reply-dst", "2001:db8:100::/64", "--mark", "0x0")),
                Flushes6.commands(c, List.of(new Flushes6.Moved6("isp1", Optional.of(Ipv6.of("2001:db8:1::2")),
                        Optional.of(translated)))));
        assertEquals(List.of(List.of("-D", "-f", "ipv6", "--reply-dst", "2001:db8:2::2", "--mark", "0x0")),
                Flushes6.commands(c, List.of(new Flushes6.Moved6("isp2", Optional.of(Ipv6.of("2001:db8:2::2")),
                        Optional.empty()))));
    }

    @Test
    void reconcilingTheAppliedPlanChangesNothingAndAChangeIsMinimal() throws Exception {
        RoutingPlan6 plan = Planner6.plan(config(YAML), facts(), Optional.of("isp1"), true);
        List<List<String>> fromNothing = Reconciler.commands6(plan, List.of(), Map.of());
        assertEquals(plan.rules().size() + 5, fromNothing.size(), fromNothing::toString);
        assertEquals(List.of(), Reconciler.commands6(plan, plan.rules(), plan.tables()));
        RoutingPlan6 failover = Planner6.plan(config(YAML), facts(), Optional.of("isp2"), true);
        assertEquals(List.of(List.of("-6", "route", "replace", "default", "via", "fe80::2", "dev", "wan2", "metric",
                "1024", "table", "200")), Reconciler.commands6(failover, plan.rules(), plan.tables()));
        RoutingPlan6 unreachable = Planner6.plan(config(YAML), facts(), Optional.empty(), true);
        assertEquals(List.of(List.of("-6", "route", "replace", "unreachable", "default", "metric", "1024", "table",
                "200")), Reconciler.commands6(unreachable, plan.rules(), plan.tables()),
                "same slot (default, metric 1024): replace swaps it in one step");
    }
}
