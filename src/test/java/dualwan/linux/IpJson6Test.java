package dualwan.linux;

import dualwan.config.Ipv6;
import dualwan.config.Prefix6;
import dualwan.plan.Route6Spec;
import dualwan.plan.Rule6Spec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ip -6 -json} as iproute2 6.1 prints it (captured in a namespace), and the conntrack prefix expansion. */
class IpJson6Test {

    @Test
    void rulesReadBackEqualToTheirSpecs() throws IOException {
        String json = "[{\"priority\":0,\"src\":\"all\",\"table\":\"255\"},{\"priority\":1000,\"src\":\"all\",\"table\":\"254\","
                + "\"suppress_prefixlen\":0},{\"priority\":1001,\"src\":\"all\",\"fwmark\":\"0x65\",\"table\":\"101\"},"
                + "{\"priority\":1020,\"src\":\"2001:db8:1::2\",\"table\":\"101\"},{\"priority\":1020,\"src\":\"2001:db8:100::\","
                + "\"srclen\":56,\"table\":\"101\"},{\"priority\":1021,\"src\":\"all\",\"iif\":\"lan0\",\"table\":\"101\"},"
                + "{\"priority\":32766,\"src\":\"all\",\"table\":\"254\"}]";
        List<Rule6Spec> rules = IpJson6.rules(json);
        assertEquals(Rule6Spec.mainWithoutDefault(1000), rules.get(1));
        assertEquals(Rule6Spec.fwmark(1001, 0x65, 101), rules.get(2));
        assertEquals(Rule6Spec.from(1020, new Prefix6(Ipv6.of("2001:db8:1::2"), 128), 101), rules.get(3));
        assertEquals(Rule6Spec.from(1020, Prefix6.parse("2001:db8:100::/56"), 101), rules.get(4));
        assertTrue(rules.get(5).foreign(), "iif is a selector dualwan never writes");
    }

    @Test
    void routesDropTheLoOfUnreachableRoutes() throws IOException {
        String json = "[{\"type\":\"7\",\"dst\":\"default\",\"dev\":\"lo\",\"table\":\"101\",\"metric\":4294967295,"
                + "\"flags\":[],\"pref\":\"medium\"},{\"dst\":\"default\",\"gateway\":\"fe80::1\",\"dev\":\"w1\","
                + "\"table\":\"101\",\"metric\":1024,\"flags\":[],\"pref\":\"medium\"},{\"dst\":\"2001:db8:1::/64\","
                + "\"dev\":\"w1\",\"protocol\":\"2\",\"metric\":256,\"flags\":[],\"pref\":\"medium\"}]";
        Map<String, List<Route6Spec>> t = IpJson6.routesByTable(json);
        assertEquals(List.of(Route6Spec.unreachableDefault(), Route6Spec.defaultVia(Ipv6.of("fe80::1"), "w1")), t.get("101"));
        assertEquals(Map.of("w1", Ipv6.of("fe80::1")), IpJson6.defaultGateways(json));
        assertThrows(IOException.class, () -> IpJson6.routesByTable("[{\"dst\":\"default\",\"gateway\":\"192.0.2.1\"}]"));
    }

    @Test
    void onlyUsableGlobalAddressesAreTaken() throws IOException {
        String json = "[{\"ifindex\":3,\"ifname\":\"w1\",\"addr_info\":[{\"family\":\"inet6\",\"local\":\"2001:db8:1::2\","
                + "\"prefixlen\":64,\"scope\":\"global\",\"nodad\":true},{\"family\":\"inet6\",\"local\":\"2001:db8:1::9\","
                + "\"prefixlen\":64,\"scope\":\"global\",\"tentative\":true},{\"family\":\"inet6\",\"local\":\"fe80::1\","
                + "\"prefixlen\":64,\"scope\":\"link\"}]}]";
        assertEquals(Map.of("w1", List.of(Ipv6.of("2001:db8:1::2"))), IpJson6.globalAddresses(json));
    }

    @Test
    void aReplyPrefixBecomesOneExactDeletePerTranslatedAddress() {
        List<String> args = List.of("-D", "-f", "ipv6", "--reply-dst", "2001:db8:100::/64", "--mark", "0x0");
        Prefix6 p = ReplyPrefix.prefix(args).orElseThrow();
        assertEquals(List.of("-L", "-f", "ipv6", "--mark", "0x0"), ReplyPrefix.listArgs(args));
        String listing = """
                udp      17 29 src=fd00:1::10 dst=2001:db8:ffff::1 sport=40000 dport=9 [UNREPLIED] src=2001:db8:ffff::1 dst=2001:db8:100::10 sport=9 dport=40000 mark=0 use=1
                tcp      6 431999 ESTABLISHED src=fd00:1::11 dst=2001:db8:ffff::1 sport=40001 dport=80 src=2001:db8:ffff::1 dst=2001:db8:100::11 sport=80 dport=40001 [ASSURED] mark=0 use=1
                udp      17 29 src=fd00:1::12 dst=2001:db8:ffff::1 sport=40002 dport=9 [UNREPLIED] src=2001:db8:ffff::1 dst=2001:db8:200::12 sport=9 dport=40002 mark=0 use=1
                udp      17 29 src=fd00:1::10 dst=2001:db8:ffff::2 sport=40003 dport=9 src=2001:db8:ffff::2 dst=2001:db8:100::10 sport=9 dport=40003 mark=0 use=1
                """;
        assertEquals(List.of(
                List.of("-D", "-f", "ipv6", "--reply-dst", "2001:db8:100::10", "--mark", "0x0"),
                List.of("-D", "-f", "ipv6", "--reply-dst", "2001:db8:100::11", "--mark", "0x0")),
                ReplyPrefix.deletes(args, p, listing));
        assertEquals(Optional.empty(), ReplyPrefix.prefix(List.of("-D", "--reply-dst", "192.0.2.1")));
    }

    @Test
    void aLearnedPrefixFileHoldsExactlyOneUsablePrefix() {
        assertEquals(Optional.of(Prefix6.parse("2001:db8:100::/56")),
                LearnedPrefix.parse("f", "# written by dhclient\nprefix 2001:db8:100::/56\n"));
        for (String bad : List.of("prefix 2001:db8:100::1/56\n", "prefix fe80::/64\n", "prefix 2001:db8::/56 x\n",
                "prefix 2001:db8::/56\nprefix 2001:db8:1::/56\n", "prefix ::/0\n", "2001:db8::/56\n", "prefix 10.0.0.0/8\n")) {
            assertEquals(Optional.empty(), LearnedPrefix.parse("f", bad), bad);
        }
        assertEquals(Optional.empty(), LearnedPrefix.parse("f", ""));
    }
}
