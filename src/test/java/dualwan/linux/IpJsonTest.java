package dualwan.linux;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpJsonTest {

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
        assertEquals(0x65, IpJson.parseMark("0x65"));
        assertEquals(0x65, IpJson.parseMark("0x65/0xff"));
    }

    @Test
    void parsesDottedQuadsOnlyWithoutLookups() {
        assertEquals(Optional.of(ip("192.0.2.1")), IpJson.parse("192.0.2.1"));
        assertTrue(IpJson.parse("192.0.2.256").isEmpty());
        assertTrue(IpJson.parse("example.com").isEmpty());
        assertTrue(IpJson.parse("1.2.3").isEmpty());
    }
}
