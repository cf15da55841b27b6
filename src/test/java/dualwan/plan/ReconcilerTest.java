package dualwan.plan;

import dualwan.TestConfigs;
import dualwan.linux.IpJson;
import dualwan.config.Config;
import dualwan.plan.Planner.UplinkAddressing;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plans against kernel state captured as {@code ip -json} text, the way the daemon sees it. */
class ReconcilerTest {

    private final Config config = TestConfigs.twoWans();
    private final Map<String, UplinkAddressing> addressing = Map.of(
            "isp1", new UplinkAddressing(true, Optional.of(ip("100.64.1.2")), Optional.of(ip("100.64.1.1"))),
            "isp2", new UplinkAddressing(true, Optional.of(ip("100.64.2.2")), Optional.of(ip("100.64.2.1"))));

    private static final String RULES_IN_PLACE = """
            [{"priority":0,"src":"all","table":"local"},
             {"priority":1000,"src":"all","table":"main","suppress_prefixlen":0},
             {"priority":1001,"src":"all","fwmark":"0x65","table":"101"},
             {"priority":1002,"src":"all","fwmark":"0x66","table":"102"},
             {"priority":1020,"src":"100.64.1.2","table":"101"},{"priority":1021,"src":"100.64.2.2","table":"102"},
             {"priority":1030,"src":"all","table":"200"},{"priority":32766,"src":"all","table":"main"}]""";

    private static Map<Integer, List<RouteSpec>> tables(String t101, String t102, String t200) throws Exception {
        return Map.of(101, IpJson.routes(t101), 102, IpJson.routes(t102), 200, IpJson.routes(t200));
    }

    private static String table(String gw, String dev) {
        return "[{\"dst\":\"default\",\"gateway\":\"" + gw + "\",\"dev\":\"" + dev + "\",\"flags\":[\"onlink\",\"linkdown\"]},"
                + "{\"type\":\"unreachable\",\"dst\":\"default\",\"metric\":4294967295,\"flags\":[]}]";
    }

    @Test
    void fromNothingAddsEveryRouteThenEveryRule() {
        RoutingPlan plan = Planner.plan(config, addressing, Optional.of("isp1"));
        List<String> cmds = Reconciler.commands(plan, List.of(), Map.of()).stream().map(c -> String.join(" ", c)).toList();
        assertEquals(List.of(
                "route replace default via 100.64.1.1 dev wan1 onlink table 101",
                "route replace unreachable default metric 4294967295 table 101",
                "route replace default via 100.64.2.1 dev wan2 onlink table 102",
                "route replace unreachable default metric 4294967295 table 102",
                "route replace default via 100.64.1.1 dev wan1 onlink table 200",
                "rule add priority 1000 lookup main suppress_prefixlength 0",
                "rule add priority 1001 fwmark 0x65 lookup 101",
                "rule add priority 1002 fwmark 0x66 lookup 102",
                "rule add priority 1020 from 100.64.1.2 lookup 101",
                "rule add priority 1021 from 100.64.2.2 lookup 102",
                "rule add priority 1030 lookup 200"), cmds);
    }

    @Test
    void aKernelThatMatchesNeedsNothing() throws Exception {
        RoutingPlan plan = Planner.plan(config, addressing, Optional.of("isp1"));
        var have = tables(table("100.64.1.1", "wan1"), table("100.64.2.1", "wan2"),
                "[{\"dst\":\"default\",\"gateway\":\"100.64.1.1\",\"dev\":\"wan1\",\"flags\":[\"onlink\"]}]");
        assertEquals(List.of(), Reconciler.commands(plan, IpJson.rules(RULES_IN_PLACE), have));
    }

    @Test
    void aSwitchIsOneAtomicReplace() throws Exception {
        RoutingPlan plan = Planner.plan(config, addressing, Optional.of("isp2"));
        var have = tables(table("100.64.1.1", "wan1"), table("100.64.2.1", "wan2"),
                "[{\"dst\":\"default\",\"gateway\":\"100.64.1.1\",\"dev\":\"wan1\",\"flags\":[\"onlink\"]}]");
        assertEquals(List.of(List.of("route", "replace", "default", "via", "100.64.2.1", "dev", "wan2", "onlink", "table", "200")),
                Reconciler.commands(plan, IpJson.rules(RULES_IN_PLACE), have));
    }

    private List<String> ruleCommands(String rulesJson) throws Exception {
        RoutingPlan plan = Planner.plan(config, addressing, Optional.of("isp1"));
        var have = tables(table("100.64.1.1", "wan1"), table("100.64.2.1", "wan2"),
                "[{\"dst\":\"default\",\"gateway\":\"100.64.1.1\",\"dev\":\"wan1\",\"flags\":[\"onlink\"]}]");
        return Reconciler.commands(plan, IpJson.rules(rulesJson), have).stream().map(c -> String.join(" ", c)).toList();
    }

    /** RULES_IN_PLACE with the rules at {@code priority} replaced by {@code slot} (JSON objects, oldest first). */
    private static String withSlot(int priority, String slot) {
        String prefix = "{\"priority\":" + priority + ",";
        int start = RULES_IN_PLACE.indexOf(prefix);
        int end = RULES_IN_PLACE.indexOf('}', start) + 1;
        return RULES_IN_PLACE.substring(0, start) + slot + RULES_IN_PLACE.substring(end);
    }

    @Test
    void aChangedMarkIsAddedBeforeTheOldRuleIsDeletedByItsFullSpec() throws Exception {
        assertEquals(List.of("rule add priority 1001 fwmark 0x65 lookup 101", "rule del priority 1001 fwmark 0x64 lookup 101"),
                ruleCommands(withSlot(1001, "{\"priority\":1001,\"src\":\"all\",\"fwmark\":\"0x64\",\"table\":\"101\"}")));
    }

    @Test
    void aNewAddressGetsItsRuleBeforeTheOldAddressLosesIt() throws Exception {
        assertEquals(List.of("rule add priority 1020 from 100.64.1.2 lookup 101", "rule del priority 1020 from 100.64.1.9 lookup 101"),
                ruleCommands(withSlot(1020, "{\"priority\":1020,\"src\":\"100.64.1.9\",\"table\":\"101\"}")));
    }

    @Test
    void aDuplicateGoesByItsFullSpecAndWhatIsInPlaceIsNeverAddedAgain() throws Exception {
        assertEquals(List.of("rule del priority 1030 lookup 200"), ruleCommands(withSlot(1030,
                "{\"priority\":1030,\"src\":\"all\",\"table\":\"200\"},{\"priority\":1030,\"src\":\"all\",\"table\":\"200\"}")));
    }

    @Test
    void aForeignRuleGoesFirstByPriorityTakingTheOlderRulesWithIt() throws Exception {
        String foreign = "{\"priority\":1030,\"src\":\"all\",\"iif\":\"eth0\",\"table\":\"200\"}";
        String ours = "{\"priority\":1030,\"src\":\"all\",\"table\":\"200\"}";
        // the foreign rule is the oldest: one bare delete removes exactly it, ours stays
        assertEquals(List.of("rule del priority 1030"), ruleCommands(withSlot(1030, foreign + "," + ours)));
        // ours is older: the bare deletes take it too, so it is added again after
        assertEquals(List.of("rule del priority 1030", "rule del priority 1030", "rule add priority 1030 lookup 200"),
                ruleCommands(withSlot(1030, ours + "," + foreign)));
        // a stranger alone in a slot we do not use
        assertEquals(List.of("rule del priority 1050"), ruleCommands(RULES_IN_PLACE.replace("{\"priority\":32766",
                "{\"priority\":1050,\"src\":\"all\",\"iif\":\"eth0\",\"table\":\"7\"},{\"priority\":32766")));
    }

    @Test
    void aSlotWhereTheKernelWouldPickTheWrongRuleIsClearedAndFilledAgain() throws Exception {
        // add "lookup 200" next to "from X lookup 200" fails with EEXIST: the kernel ignores the source we leave out
        assertEquals(List.of("rule del priority 1030", "rule add priority 1030 lookup 200"),
                ruleCommands(withSlot(1030, "{\"priority\":1030,\"src\":\"100.64.1.2\",\"table\":\"200\"}")));
        // del "lookup 101" would remove the older "from 100.64.1.2 lookup 101", the one we want
        assertEquals(List.of("rule del priority 1020", "rule del priority 1020", "rule add priority 1020 from 100.64.1.2 lookup 101"),
                ruleCommands(withSlot(1020, "{\"priority\":1020,\"src\":\"100.64.1.2\",\"table\":\"101\"},"
                        + "{\"priority\":1020,\"src\":\"all\",\"table\":\"101\"}")));
    }

    @Test
    void rulesOutsideTheBlockAreNeverTouched() throws Exception {
        String rules = "[{\"priority\":999,\"src\":\"all\",\"table\":\"5\"},{\"priority\":1100,\"src\":\"all\",\"table\":\"6\"}]";
        RoutingPlan plan = Planner.plan(config, addressing, Optional.of("isp1"));
        List<String> cmds = Reconciler.commands(plan, IpJson.rules(rules), Map.of()).stream().map(c -> String.join(" ", c)).toList();
        assertTrue(cmds.stream().noneMatch(c -> c.contains("999") || c.contains("1100")), cmds.toString());
    }

    @Test
    void aStaleRouteInAnOwnedTableIsDeleted() throws Exception {
        RoutingPlan plan = Planner.plan(config, addressing, Optional.of("isp1"));
        String t101 = table("100.64.1.1", "wan1");
        t101 = t101.substring(0, t101.length() - 1) + ",{\"dst\":\"192.0.2.0/24\",\"dev\":\"wan1\",\"flags\":[]}]";
        var have = tables(t101, table("100.64.2.1", "wan2"),
                "[{\"dst\":\"default\",\"gateway\":\"100.64.1.1\",\"dev\":\"wan1\",\"flags\":[\"onlink\"]}]");
        assertEquals(List.of(List.of("route", "del", "192.0.2.0/24", "dev", "wan1", "table", "101")),
                Reconciler.commands(plan, IpJson.rules(RULES_IN_PLACE), have));
    }

    @Test
    void withoutAGatewayTheUplinkTableHoldsOnlyItsBlackholeAndTheLanRouteStays() {
        var noGw = Map.of("isp1", new UplinkAddressing(true, Optional.of(ip("100.64.1.2")), Optional.empty()),
                "isp2", addressing.get("isp2"));
        RoutingPlan plan = Planner.plan(config, noGw, Optional.of("isp1"));
        assertEquals(List.of(RouteSpec.unreachableDefault()), plan.tables().get(101));
        assertTrue(!plan.tables().containsKey(200), "a stale LAN route beats none");
    }
}
