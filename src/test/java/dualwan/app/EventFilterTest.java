package dualwan.app;

import dualwan.TestConfigs;
import dualwan.linux.KernelEvent;
import org.junit.jupiter.api.Test;

import static dualwan.app.EventFilter.ADDRESSING;
import static dualwan.app.EventFilter.ALL;
import static dualwan.app.EventFilter.LINKS;
import static dualwan.app.EventFilter.REPAIR;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Events about what dualwan does not use are dropped before they cost a pass. */
class EventFilterTest {

    private final EventFilter filter = new EventFilter(TestConfigs.twoWans()); // wan1/wan2, tables 101/102/200, rules 1000..1099

    private int needs(String line) {
        return filter.needs(KernelEvent.parse(line).orElseThrow());
    }

    @Test
    void uplinkLinksAndAddressesAreRead() {
        assertEquals(LINKS, needs("5: wan1@if4: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500"));
        assertEquals(LINKS, needs("Deleted 6: wan2@if5: <BROADCAST,MULTICAST> mtu 1500"));
        assertEquals(ADDRESSING, needs("6: wan2    inet 100.64.2.2/30 scope global wan2"));
    }

    @Test
    void unknownInterfacesAndIpv6AreIgnored() {
        assertEquals(0, needs("9: junk0: <BROADCAST,NOARP,UP,LOWER_UP> mtu 1500"));
        assertEquals(0, needs("7: lan0    inet 100.64.10.1/24 scope global lan0"));
        assertEquals(0, needs("6: wan2    inet6 fe80::1/64 scope link"));
        assertEquals(0, needs("default via 192.0.2.9 dev junk0"));
        assertEquals(0, needs("default via fe80::1 dev wan1 proto ra metric 1024"));
        assertEquals(0, needs("100.64.10.0/24 dev lan0 proto kernel scope link src 100.64.10.1"));
        assertEquals(0, needs("local 100.64.1.2 dev wan1 table local proto kernel scope host src 100.64.1.2"));
    }

    @Test
    void withIpv6InTheConfigTheUplinksIpv6AddressesRouterAdvertsAndOwnIpv6RoutesCount() throws Exception {
        EventFilter dual = new EventFilter(dualwan.config.ConfigLoader.parse(java.nio.file.Path.of("t.yaml"),
                TestConfigs.DUAL_STACK_YAML));
        java.util.function.ToIntFunction<String> needs6 = l -> dual.needs(KernelEvent.parse(l).orElseThrow());
        assertEquals(ADDRESSING, needs6.applyAsInt("6: wan2    inet6 2001:db8:2::2/64 scope global dynamic mngtmpaddr"));
        assertEquals(ADDRESSING, needs6.applyAsInt("default via fe80::1 dev wan1 proto ra metric 1024 expires 1798sec"));
        assertEquals(REPAIR, needs6.applyAsInt("Deleted default via fe80::1 dev wan1 table 101 metric 1024"));
        assertEquals(0, needs6.applyAsInt("7: lan0    inet6 fd00:1::1/64 scope global"));
        assertEquals(0, needs6.applyAsInt("fd00:1::/64 dev lan0 proto kernel metric 256"));
    }

    @Test
    void ourTablesAndRulesAreRepairedOthersIgnored() {
        assertEquals(REPAIR, needs("Deleted default via 100.64.1.1 dev wan1 table 200 onlink"));
        assertEquals(REPAIR, needs("unreachable default table 102 metric 4294967295"));
        assertEquals(REPAIR, needs("Deleted 1030:\tfrom all lookup 200"));
        assertEquals(0, needs("default via 192.0.2.9 dev wan1 table 300"));
        assertEquals(0, needs("32766:\tfrom all lookup main"));
        assertEquals(0, needs("999:\tfrom all lookup 7"));
    }

    @Test
    void mainDefaultThroughAnUplinkIsAnAutoGateway() {
        assertEquals(ADDRESSING, needs("default via 100.64.3.1 dev wan2"));
        assertEquals(ADDRESSING, needs("Deleted default via 100.64.1.1 dev wan1 metric 100"));
    }

    @Test
    void unrecognisedLinesRereadEverything() {
        assertEquals(ALL, needs("a line from a future iproute2"));
    }
}
