package dualwan.linux;

import dualwan.plan.RouteSpec;
import dualwan.plan.RuleSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Captured iproute2 6.1 output (scripts/fuzz-seeds) and what the fuzzer found, each as a plain test. */
class IpJsonTest {

    /** A seed of {@code IpJsonFuzzTest}: real {@code ip -json} output. */
    private static String captured(String path) throws IOException {
        try (InputStream in = IpJsonTest.class.getResourceAsStream("/dualwan/linux/IpJsonFuzzTestInputs/" + path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<Integer, RuleSpec> byPriority(String json) throws IOException {
        return IpJson.rules(json).stream().collect(Collectors.toMap(RuleSpec::priority, Function.identity()));
    }

    @Test
    void ourOwnRulesAreOursWithAProtocolLabelWithDetailsAndWithNumericTables() throws Exception {
        for (String listing : List.of("rules/iproute2-6.1.0", "rules/iproute2-6.1.0-details",
                "rules/iproute2-6.1.0-numeric")) {
            Map<Integer, RuleSpec> rules = byPriority(captured(listing));
            assertEquals(RuleSpec.mainWithoutDefault(1000), rules.get(1000), listing);
            assertEquals(RuleSpec.fwmark(1001, 0x65, 101), rules.get(1001), listing);
            assertEquals(RuleSpec.from(1020, ip("100.64.1.2"), 101), rules.get(1020), listing);
            assertEquals(RuleSpec.lookup(1030, 200), rules.get(1030), listing);
            // "protocol" only says who added it ("proto static"; -d prints "unspec" for every rule).
            assertEquals(RuleSpec.lookup(1031, 200), rules.get(1031), listing);
            // A full mask is no mask: ip prints neither.
            assertEquals(RuleSpec.fwmark(1032, 0x65, 101), rules.get(1032), listing);
        }
    }

    @Test
    void everySelectorOrActionWeNeverWriteIsForeign() throws Exception {
        Map<Integer, RuleSpec> rules = byPriority(captured("rules/iproute2-6.1.0-details"));
        // fwmask, a source prefix, to, not, iif, oif, tos, uidrange, ipproto/ports, goto, realms, l3mdev, another
        // suppress length, suppress_ifgroup, nop, blackhole, unreachable, prohibit, tun_id, sport/dport, iif+oif,
        // a detached iif
        for (int p = 1040; p <= 1062; p++) {
            if (p != 1059) {
                assertTrue(rules.get(p).foreign(), rules.get(p)::toString);
            }
        }
        assertEquals("4000000000", rules.get(1059).table(), "a table id above 2^31 is just a name to us");
    }

    @Test
    void prioritiesAboveTwoToThe31AreUnsignedAndLeftOutNotWrappedToNegative() throws Exception {
        List<RuleSpec> rules = IpJson.rules(captured("rules/iproute2-6.1.0"));
        assertTrue(rules.stream().allMatch(r -> r.priority() >= 0), rules::toString);
        assertFalse(rules.stream().anyMatch(r -> r.priority() == Integer.MAX_VALUE));
        assertEquals(32767, rules.getLast().priority(), "3000000000 and 4294967295 are read, then left out");
    }

    @Test
    void tablesNamedInRtTablesAreWhyTheKernelIsReadWithNumericOutput() throws Exception {
        Map<Integer, RuleSpec> named = byPriority(captured("rules/iproute2-6.1.0-named-tables"));
        assertEquals("isp1", named.get(1001).table(), "without -N: the name from /etc/iproute2/rt_tables");
        Map<Integer, RuleSpec> numeric = byPriority(captured("rules/iproute2-6.1.0-numeric"));
        assertEquals("101", numeric.get(1001).table());
        assertEquals("main", numeric.get(1000).table(), "254 is main");
    }

    @Test
    void numericRouteTypesReadAsTheirNames() throws Exception {
        Map<String, List<RouteSpec>> plain = IpJson.routesByTable(captured("routes/iproute2-6.1.0-all-tables"));
        Map<String, List<RouteSpec>> numeric = IpJson.routesByTable(captured("routes/iproute2-6.1.0-numeric"));
        List<RouteSpec> ours = List.of(RouteSpec.defaultVia(ip("100.64.1.1"), "wan1"), RouteSpec.unreachableDefault());
        assertEquals(ours, plain.get("101"));
        assertEquals(ours, numeric.get("101"));
        assertEquals(plain.get("300"), numeric.get("300"), "throw, prohibit, blackhole, multipath");
        assertEquals(plain.get("main"), numeric.get("main"));
    }

    @Test
    void outputOfAnotherShapeIsAnIOExceptionNamingTheField() {
        assertField("[{\"priority\":\"high\"}]", "ip -json rule show: rule 1: field \"priority\" is the string \"high\"");
        assertField("[{\"priority\":4294967296}]", "field \"priority\" is the number 4294967296, expected a whole number");
        assertField("[{\"priority\":1,\"fwmark\":\"0xzz\"}]", "field \"fwmark\"");
        assertField("[{\"priority\":1,\"fwmark\":101}]", "field \"fwmark\" is the number 101");
        assertField("[{\"priority\":1.5}]", "field \"priority\" is the number 1.5");
        assertField("[{\"priority\":1,\"table\":\"\"}]", "field \"table\" is the string \"\"");
        assertThrowsNaming(() -> IpJson.routes("[{\"dst\":\"default\",\"table\":\" \"}]"), "field \"table\"");
        assertThrowsNaming(() -> IpJson.routes("[{\"dst\":\"default\",\"metric\":8589934590}]"),
                "ip -json route show: route 1: field \"metric\"");
        assertThrowsNaming(() -> IpJson.routes("[{\"dst\":\"default\",\"flags\":\"onlink\"}]"), "field \"flags\"");
        assertThrowsNaming(() -> IpJson.routes("[{\"metric\":5}]"), "field \"dst\" is null");
        assertThrowsNaming(() -> IpJson.routes("[{\"dst\":\"default\",\"type\":\"99\"}]"), "field \"type\"");
        // What the fuzzer found (ClassCastException before): a number where ip prints a string, a list for a name.
        assertThrowsNaming(() -> IpJson.addressesAndPeers(
                "[{\"ifname\":\"lo\",\"addr_info\":[{\"family\":\"inet\",\"local\":64}]}]"),
                "ip -json addr show: link 1: address 1: field \"local\" is the number 64");
        assertThrowsNaming(() -> IpJson.defaultGateways("[{\"dst\":\"default\",\"gateway\":\"100.64.1.1\",\"dev\":[]}]"),
                "field \"dev\" is a list of 0, expected a string");
        assertThrowsNaming(() -> IpJson.addressesAndPeers("[{\"ifname\":\"x\",\"addr_info\":{}}]"), "field \"addr_info\"");
        assertThrowsNaming(() -> IpJson.rules("{\"priority\":1}"), "ip -json rule show: expected a JSON list");
        assertThrowsNaming(() -> IpJson.rules("[1]"), "ip -json rule show: element 1 is the number 1, expected an object");
        assertThrowsNaming(() -> IpJson.rules("[{\"priority\":1"), "ip -json rule show: not JSON");
    }

    private static void assertField(String rules, String words) {
        assertThrowsNaming(() -> IpJson.rules(rules), words);
    }

    private static void assertThrowsNaming(org.junit.jupiter.api.function.Executable parse, String words) {
        IOException e = assertThrows(IOException.class, parse);
        assertTrue(e.getMessage().contains(words), () -> "'" + e.getMessage() + "' lacks '" + words + "'");
    }

    @Test
    void readsAddressAndPointToPointPeer() throws Exception {
        String ethernet = """
                [{"ifindex":3,"ifname":"wan1","addr_info":[{"family":"inet","local":"100.64.1.2","prefixlen":30,"scope":"global"}]}]""";
        var a = IpJson.addressAndPeer(ethernet).orElseThrow();
        assertEquals(ip("100.64.1.2"), a[0]);
        assertEquals(null, a[1]);
        String ppp = """
                [{"ifname":"ppp0","addr_info":[{"family":"inet","local":"100.64.7.2","address":"100.64.7.1","prefixlen":32,"scope":"global"}]}]""";
        assertEquals(ip("100.64.7.1"), IpJson.addressAndPeer(ppp).orElseThrow()[1]);
        assertTrue(IpJson.addressAndPeer("[]").isEmpty());
    }

    @Test
    void readsEveryInterfaceAndEveryDevicesDefaultGatewayInOneListing() throws Exception {
        String addrs = """
                [{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},
                 {"ifindex":3,"ifname":"wan1","addr_info":[{"family":"inet","local":"100.64.1.2","prefixlen":30,"scope":"global"}]},
                 {"ifindex":4,"ifname":"ppp0","addr_info":[{"family":"inet","local":"100.64.7.2","address":"100.64.7.1","prefixlen":32,"scope":"global"}]},
                 {"ifindex":5,"ifname":"wan2","addr_info":[]}]""";
        var all = IpJson.addressesAndPeers(addrs);
        assertEquals(java.util.Set.of("wan1", "ppp0"), all.keySet());
        assertEquals(ip("100.64.1.2"), all.get("wan1")[0]);
        assertEquals(ip("100.64.7.1"), all.get("ppp0")[1]);
        String routes = """
                [{"dst":"default","gateway":"100.64.1.9","dev":"wan1","metric":300,"flags":[]},
                 {"dst":"default","gateway":"100.64.1.1","dev":"wan1","metric":100,"flags":[]},
                 {"dst":"default","gateway":"100.64.2.1","dev":"wan2","flags":[]},
                 {"dst":"default","dev":"ppp0","scope":"link","flags":[]}]""";
        var gateways = IpJson.defaultGateways(routes);
        assertEquals(ip("100.64.1.1"), gateways.get("wan1"));
        assertEquals(ip("100.64.2.1"), gateways.get("wan2"));
        assertEquals(null, gateways.get("ppp0"));
    }

    @Test
    void picksTheLowestMetricDefaultGateway() throws Exception {
        String routes = """
                [{"dst":"default","gateway":"100.64.1.9","metric":300,"flags":[]},
                 {"dst":"default","gateway":"100.64.1.1","metric":100,"flags":[]}]""";
        assertEquals(Optional.of(ip("100.64.1.1")), IpJson.defaultGateway(routes));
    }

    @Test
    void namesWellKnownTablesAndParsesMarks() {
        assertEquals("main", IpJson.tableName("254"));
        assertEquals("101", IpJson.tableName("101"));
        assertEquals(Optional.of(0x65L), IpJson.parseMark("0x65"));
        assertEquals(Optional.of(0x65L), IpJson.parseMark("0x65/0xff"));
        assertEquals(Optional.of(0xFFFF_FFFFL), IpJson.parseMark("0xffffffff"));
        assertEquals(Optional.of(101L), IpJson.parseMark("101"));
        assertEquals(Optional.of(0L), IpJson.parseMark("0"), "ip prints mark 0 as 0, not 0x0");
        for (String bad : List.of("0x1ffffffff", "4294967296", "0x", "", "abc", "0x٣", "-1", "0x-1")) {
            assertEquals(Optional.empty(), IpJson.parseMark(bad), bad);
        }
    }

    @Test
    void parsesDottedQuadsOnlyWithoutLookups() {
        assertEquals(Optional.of(ip("192.0.2.1")), IpJson.parse("192.0.2.1"));
        assertTrue(IpJson.parse("192.0.2.256").isEmpty());
        assertTrue(IpJson.parse("example.com").isEmpty());
        assertTrue(IpJson.parse("1.2.3").isEmpty());
    }
}
