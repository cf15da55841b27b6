package dualwan.linux;

import dualwan.linux.KernelEvent.Kind;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines as iproute2 6.1's {@code ip monitor link address route rule} prints them (captured in the lab). */
class KernelEventTest {

    private static KernelEvent parse(String line) {
        return KernelEvent.parse(line).orElseThrow();
    }

    @Test
    void linksWithAndWithoutPeerSuffixAndDeleted() {
        KernelEvent e = parse("40: wan1@if40: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default ");
        assertEquals(Kind.LINK, e.kind());
        assertEquals(Optional.of("wan1"), e.iface());
        assertEquals(Optional.of("wan2"), parse("Deleted 7: wan2@if6: <BROADCAST,MULTICAST> mtu 1500 qdisc noop").iface());
        assertEquals(Optional.of("usb0"), parse("3: usb0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500").iface());
    }

    @Test
    void continuationLinesAreNotEvents() {
        assertTrue(KernelEvent.parse("    link/ether ee:0e:8a:50:70:49 brd ff:ff:ff:ff:ff:ff link-netnsid 0").isEmpty());
        assertTrue(KernelEvent.parse("       valid_lft forever preferred_lft forever").isEmpty());
        assertTrue(KernelEvent.parse("").isEmpty());
    }

    @Test
    void addressesIpv4AndIpv6() {
        KernelEvent v4 = parse("40: wan1    inet 100.64.98.2 peer 100.64.98.1/32 scope global wan1");
        assertEquals(Kind.ADDRESS, v4.kind());
        assertEquals(Optional.of("wan1"), v4.iface());
        assertTrue(v4.ipv4());
        assertFalse(parse("Deleted 40: wan1    inet6 fe80::1/64 scope link ").ipv4());
    }

    @Test
    void routesWithTableDeviceAndFamily() {
        KernelEvent ours = parse("default via 100.64.1.1 dev wan1 table 101 onlink ");
        assertEquals(Kind.ROUTE, ours.kind());
        assertEquals(Optional.of("101"), ours.table());
        assertEquals(Optional.of("wan1"), ours.iface());
        assertTrue(ours.toDefault());
        assertTrue(ours.ipv4());
        KernelEvent main = parse("Deleted default via 100.64.3.1 dev wan3 ");
        assertEquals(Optional.of("main"), main.table());
        assertTrue(main.toDefault());
        KernelEvent unreachable = parse("unreachable default table 102 metric 4294967295 ");
        assertEquals(Optional.of("102"), unreachable.table());
        assertEquals(Optional.empty(), unreachable.iface());
        KernelEvent local = parse("local 100.64.99.2 dev a1 table local proto kernel scope host src 100.64.99.2 ");
        assertEquals(Optional.of("local"), local.table());
        assertFalse(local.toDefault());
        assertFalse(parse("fe80::/64 dev a1 proto kernel metric 256 pref medium").ipv4());
        assertFalse(parse("default via fe80::1 dev wan1 proto ra metric 1024 expires 1799sec").ipv4());
        assertFalse(parse("multicast ff00::/8 dev a1 table local proto kernel metric 256 pref medium").ipv4());
        assertEquals(Kind.ROUTE, parse("100.64.99.0/30 dev a1 proto kernel scope link src 100.64.99.2 ").kind());
    }

    @Test
    void rulesWithPriorityAndTable() {
        KernelEvent r = parse("Deleted 1030:\tfrom all lookup 200");
        assertEquals(Kind.RULE, r.kind());
        assertEquals(OptionalInt.of(1030), r.priority());
        assertEquals(Optional.of("200"), r.table());
        assertEquals(OptionalInt.of(1000), parse("1000:\tfrom all fwmark 0x65 lookup 101").priority());
        assertEquals(OptionalInt.of(5), parse("5:\tnot from all lookup 7").priority());
    }

    @Test
    void numericOutputHasTableAndTypeNumbers() {
        // ip -N monitor (captured): tables named in rt_tables come as numbers, and so do route types.
        KernelEvent unreachable = parse("7 default table 200 metric 4294967295 ");
        assertEquals(Kind.ROUTE, unreachable.kind());
        assertEquals(Optional.of("200"), unreachable.table());
        assertTrue(unreachable.toDefault());
        assertTrue(parse("Deleted 7 default table 200 metric 4294967295 ").toDefault());
        KernelEvent local = parse("2 127.0.0.1 dev lo table 255 proto 2 scope 254 src 127.0.0.1 ");
        assertEquals(Optional.of("255"), local.table());
        assertEquals(Optional.of("lo"), local.iface());
        assertFalse(parse("2 ::1 dev lo table 255 proto 2 metric 0 pref medium").ipv4());
        assertEquals(Optional.of("254"), parse("1030:\tfrom all lookup 254").table());
        assertEquals(Optional.of("lo"), parse("1: lo    inet 127.0.0.1/8 scope 254 lo").iface());
        assertEquals(Kind.ROUTE, parse("100.64.1.0/30 dev wan1 proto 2 scope 253 src 100.64.1.2 ").kind());
    }

    @Test
    void unsignedPrioritiesAboveTwoToThe31AreRulesOutsideAnyBlockNotACrash() {
        // Captured from ip monitor (scripts/fuzz-seeds); Integer.parseInt threw here and ended the events thread.
        KernelEvent big = parse("3000000000:\tfrom all fwmark 0x65 lookup 101");
        assertEquals(Kind.RULE, big.kind());
        assertEquals(OptionalInt.empty(), big.priority());
        assertEquals(Optional.of("101"), big.table());
        assertEquals(OptionalInt.empty(), parse("Deleted 4294967295:\tfrom all lookup 200").priority());
        assertEquals(OptionalInt.of(Integer.MAX_VALUE), parse("2147483647:\tfrom all lookup 200").priority());
        assertEquals(Kind.OTHER, parse("4294967296:\tfrom all lookup 200").kind(), "no kernel has this priority");
        assertEquals(Kind.OTHER, parse("99999999999999999999:\tfrom all lookup 200").kind());
    }

    @Test
    void anythingElseIsOtherSoTheDaemonRereadsEverything() {
        assertEquals(Kind.OTHER, parse("nsid 3 (iproute2 netns name: foo)").kind());
        assertEquals(Kind.OTHER, parse("something new in iproute2 7.0").kind());
    }
}
