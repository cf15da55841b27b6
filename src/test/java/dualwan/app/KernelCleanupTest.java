package dualwan.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.config.RoutingConfig;
import dualwan.linux.IpJson;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code dualwan cleanup} removes, from ip -json output: exactly dualwan's block and tables. */
class KernelCleanupTest {

    private static final String RULES = """
            [{"priority":0,"src":"all","table":"local"},
             {"priority":999,"src":"all","table":"50"},
             {"priority":1000,"src":"all","table":"main","suppress_prefixlen":0},
             {"priority":1001,"src":"all","fwmark":"0x65","table":"101"},
             {"priority":1001,"src":"all","iif":"lan0","table":"7"},
             {"priority":1020,"src":"100.64.1.2","table":"101"},
             {"priority":1030,"src":"all","table":"200"},
             {"priority":1100,"src":"all","table":"60"},
             {"priority":32766,"src":"all","table":"main"},{"priority":32767,"src":"all","table":"default"}]
            """;
    private static final String ROUTES = """
            [{"dst":"default","gateway":"100.64.1.1","dev":"wan1","table":"101","flags":["onlink"]},
             {"type":"unreachable","dst":"default","table":"101","metric":4294967295,"flags":[]},
             {"type":"unreachable","dst":"default","table":"102","metric":4294967295,"flags":[]},
             {"dst":"default","gateway":"100.64.1.1","dev":"wan1","table":"200","flags":["onlink"]},
             {"dst":"default","gateway":"10.0.0.1","dev":"eth9","table":"300","flags":[]}]
            """;

    @Test
    void removesTheRuleBlockTheTablesAndTheNftTable() throws Exception {
        Map<Integer, List<dualwan.plan.RouteSpec>> routes = new java.util.HashMap<>();
        IpJson.routesByTable(ROUTES).forEach((t, r) -> routes.put(Integer.parseInt(t), r));
        KernelCleanup.Removal r = KernelCleanup.plan(new RoutingConfig(200, 1000), new LinkedHashSet<>(List.of(101, 102, 200)),
                IpJson.rules(RULES), routes, true);
        assertEquals(List.of(
                List.of("rule", "del", "priority", "1000"),
                List.of("rule", "del", "priority", "1001"),
                List.of("rule", "del", "priority", "1001"),
                List.of("rule", "del", "priority", "1020"),
                List.of("rule", "del", "priority", "1030"),
                List.of("route", "flush", "table", "101"),
                List.of("route", "flush", "table", "102"),
                List.of("route", "flush", "table", "200")), r.ip(),
                "every rule of 1000-1099 (a foreign one in the block too: the block is dualwan's), not 999 or 1100;"
                        + " not table 300");
        assertTrue(r.nftTable());
        assertEquals(5, r.rules());
        assertEquals(4, r.routes());
    }

    @Test
    void ipv6RulesAndRoutesOfTheBlockAndTablesGoToo() throws Exception {
        List<dualwan.plan.Rule6Spec> rules = dualwan.linux.IpJson6.rules("[{\"priority\":0,\"src\":\"all\",\"table\":\"255\"},"
                + "{\"priority\":1000,\"src\":\"all\",\"table\":\"254\",\"suppress_prefixlen\":0},"
                + "{\"priority\":1020,\"src\":\"2001:db8:1::2\",\"table\":\"101\"},"
                + "{\"priority\":32766,\"src\":\"all\",\"table\":\"254\"}]");
        KernelCleanup.Removal r = KernelCleanup.plan6(new RoutingConfig(200, 1000), new LinkedHashSet<>(List.of(101, 102, 200)),
                rules, Map.of(101, List.of(dualwan.plan.Route6Spec.unreachableDefault()), 102, List.of()));
        assertEquals(List.of(List.of("-6", "rule", "del", "priority", "1000"), List.of("-6", "rule", "del", "priority", "1020"),
                List.of("-6", "route", "del", "unreachable", "default", "metric", "4294967295", "table", "101")), r.ip());
        assertEquals(2, r.rules());
        assertEquals(1, r.routes());
        assertFalse(r.nftTable(), "the one table for both families goes with IPv4's part");
    }

    @Test
    void aCleanKernelGetsNoCommand() throws Exception {
        KernelCleanup.Removal r = KernelCleanup.plan(new RoutingConfig(200, 1000), new LinkedHashSet<>(List.of(101, 102, 200)),
                IpJson.rules("[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"}]"), Map.of(), false);
        assertTrue(r.nothing());
        assertFalse(r.nftTable());
    }

    @Test
    void anotherRulePriorityMovesTheBlock() throws Exception {
        KernelCleanup.Removal r = KernelCleanup.plan(new RoutingConfig(250, 5000), new LinkedHashSet<>(List.of(250)),
                IpJson.rules(RULES), Map.of(), false);
        assertTrue(r.nothing(), "nothing in 5000-5099: " + r);
    }
}
