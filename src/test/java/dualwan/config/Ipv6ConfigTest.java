package dualwan.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IPv6 keys: mixed host lists, gateway6, nat6, prefix6, lan.ipv6 — values, defaults and located errors. */
class Ipv6ConfigTest {

    private static final Path FILE = Path.of("/etc/dualwan/dualwan.yaml");

    private static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(FILE, yaml);
    }

    /** One uplink wan1 with {@code extra} keys (4-space indent) and {@code hosts}; then {@code tail}. */
    private static String wan(String hosts, String extra, String tail) {
        return "wans:\n"                      // 1
                + "  - name: isp1\n"           // 2
                + "    interface: wan1\n"      // 3
                + "    check:\n"               // 4
                + "      hosts: " + hosts + "\n" // 5
                + extra + tail;                // 6..
    }

    private static final String LAN = "lan:\n  ipv6:\n    prefix: fd00:1::/64\n";

    @Test
    void mixedHostsAreSplitByFamilyAndIpv4CodeSeesOnlyIpv4() throws Exception {
        Config c = parse(wan("[192.0.2.1, 2001:db8:ffff::1, 198.51.100.1, 2001:DB8:ffff:0::2]", "", ""));
        CheckConfig check = c.wans().getFirst().check();
        assertEquals(List.of(Ipv4.of("192.0.2.1"), Ipv4.of("198.51.100.1")), check.hosts());
        assertEquals(List.of(Ipv6.of("2001:db8:ffff::1"), Ipv6.of("2001:db8:ffff::2")), check.hosts6());
        assertEquals(1, check.minUp());
        assertEquals(1, check.minUp6());
        Wan6Config six = c.wans().getFirst().ipv6().orElseThrow();
        assertEquals(Optional.empty(), six.gateway(), "absent gateway6 with IPv6 hosts is auto");
        assertEquals(Nat6.MASQUERADE, six.nat());
        assertEquals(Optional.empty(), c.lan().ipv6());
    }

    @Test
    void anIpv4OnlyConfigHasNoIpv6AtAll() throws Exception {
        Config c = parse(wan("[192.0.2.1, 198.51.100.1]", "", ""));
        assertEquals(Optional.empty(), c.wans().getFirst().ipv6());
        assertEquals(List.of(), c.wans().getFirst().check().hosts6());
        assertEquals(0, c.wans().getFirst().check().minUp6());
    }

    @Test
    void minUpIsCountedInEachFamily() throws Exception {
        Config c = parse(wan("[192.0.2.1, 198.51.100.1, 2001:db8::1, 2001:db8::2]", "", "").replace(
                "      hosts:", "      min-up: 2\n      hosts:"));
        assertEquals(2, c.wans().getFirst().check().minUp());
        assertEquals(2, c.wans().getFirst().check().minUp6());
        ConfigErrors.single(FILE, wan("[192.0.2.1, 198.51.100.1, 2001:db8::1]", "", "")
                .replace("      hosts:", "      min-up: 2\n      hosts:"), 5, "wans[0].check.min-up", "use 1..1");
        Config only6 = parse(wan("[2001:db8::1, 2001:db8::2]", "", "").replace("      hosts:", "      min-up: 2\n      hosts:"));
        assertEquals(0, only6.wans().getFirst().check().minUp(), "IPv4 with no hosts is judged by its gateway");
        assertEquals(2, only6.wans().getFirst().check().minUp6());
    }

    @Test
    void everyIpv6KeyIsRead() throws Exception {
        Config c = parse(wan("[2001:db8::1]", """
                    gateway6: fe80::1%wan1
                    nat6: prefix
                    prefix6: 2001:db8:100::/56
                """, LAN + "    learned-dir: /run/p6\n"));
        Wan6Config six = c.wans().getFirst().ipv6().orElseThrow();
        assertEquals(Optional.of(Ipv6.of("fe80::1")), six.gateway());
        assertEquals(Nat6.PREFIX, six.nat());
        assertEquals(Optional.of(Prefix6.parse("2001:db8:100::/56")), six.prefix());
        assertEquals(new LanIpv6Config(Prefix6.parse("fd00:1::/64"), Path.of("/run/p6")), c.lan().ipv6().orElseThrow());
        Config learned = parse(wan("[2001:db8::1]", "    gateway6: fe80::1\n    nat6: prefix\n    prefix6: learned\n", LAN));
        assertTrue(learned.wans().getFirst().ipv6().orElseThrow().prefixLearned());
        assertEquals(Defaults.LAN_IPV6_LEARNED_DIR, learned.lan().ipv6().orElseThrow().learnedDir());
    }

    @Test
    void aGatewayWithoutIpv6HostsGivesIpv6JudgedByTheGateway() throws Exception {
        Config c = parse(wan("[192.0.2.1]", "    gateway6: 2001:db8:1::1\n", ""));
        assertEquals(Optional.of(Ipv6.of("2001:db8:1::1")), c.wans().getFirst().ipv6().orElseThrow().gateway());
        ConfigErrors.single(FILE, wan("[192.0.2.1]", "    gateway6: auto\n", "").replace("      hosts:",
                "      gateway: false\n      hosts:"), 5, "wans[0].check.gateway", "must be true for wans[0]'s IPv6");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "gateway6: fe80::1%wan2 | wans[0].gateway6 | the uplink's own interface wan1",
            "gateway6: 2001:db8::1%wan1 | wans[0].gateway6 | is not link-local, so it takes no %scope",
            "gateway6: 192.0.2.1 | wans[0].gateway6 | is not an IPv6 address",
            "gateway6: ff02::1 | wans[0].gateway6 | multicast",
            "gateway6: '::' | wans[0].gateway6 | unspecified",
            "gateway6: 'fe80::1::2' | wans[0].gateway6 | is not an IPv6 address",
            "gateway6: none | wans[0].gateway6 | is none, but check.hosts lists IPv6 hosts (line 5)",
            "nat6: prefix | wans[0].nat6 | no lan.ipv6 section",
            "nat6: nat | wans[0].nat6 | use one of masquerade, prefix, none",
            "prefix6: 2001:db8:100::1/56 | wans[0].prefix6 | has host bits set; the prefix is 2001:db8:100::/56",
            "prefix6: 2001:db8:100::/129 | wans[0].prefix6 | no prefix length 0..128",
            "prefix6: fe80::/64 | wans[0].prefix6 | is link-local",
            "prefix6: 10.0.0.0/8 | wans[0].prefix6 | is not an IPv6 address",
    })
    void badWanKeysAreLocated(String line, String key, String words) {
        ConfigErrors.single(FILE, wan("[2001:db8::1]", "    " + line + "\n", ""), 6, key, words);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "[fe80::9] | wans[0].check.hosts[0] | is link-local",
            "['::1'] | wans[0].check.hosts[0] | loopback",
            "['::ffff:192.0.2.1'] | wans[0].check.hosts[0] | IPv4-mapped",
            "[2001:db8::1, 2001:db8:0::1] | wans[0].check.hosts[1] | is listed twice (first at line 5)",
            "[2001:db8::g] | wans[0].check.hosts[0] | is not an IPv6 address",
    })
    void badIpv6HostsAreLocated(String hosts, String key, String words) {
        ConfigErrors.single(FILE, wan(hosts, "", ""), 5, key, words);
    }

    @Test
    void anIpv6GatewayBelongsInGateway6() {
        ConfigErrors.single(FILE, "wans:\n  - name: a\n    interface: e1\n    gateway: 2001:db8::1\n", 4,
                "wans[0].gateway", "write it as gateway6");
    }

    @Test
    void ipv6KeysOnAnUplinkWithoutIpv6AreErrors() {
        ConfigErrors.single(FILE, wan("[192.0.2.1]", "    nat6: masquerade\n", LAN), 6, "wans[0].nat6",
                "wans[0] has no IPv6 (no IPv6 hosts in check.hosts and no gateway6)");
        ConfigErrors.single(FILE, wan("[192.0.2.1]", "    gateway6: none\n    prefix6: learned\n", LAN), 7,
                "wans[0].prefix6", "gateway6 is none");
    }

    @Test
    void prefixTranslationNeedsAPrefixOfALengthItCanMap() {
        ConfigErrors.single(FILE, wan("[2001:db8::1]", "    nat6: prefix\n", LAN), 6, "wans[0].nat6",
                "add prefix6: learned");
        ConfigErrors.single(FILE, wan("[2001:db8::1]", "    nat6: prefix\n    prefix6: 2001:db8:100::/72\n", LAN), 7,
                "wans[0].prefix6", "/72 is longer than lan.ipv6.prefix fd00:1::/64 (line 10)");
        ConfigErrors.single(FILE, wan("[2001:db8::1]", "    nat6: none\n    prefix6: 2001:db8:100::/56\n", LAN), 7,
                "wans[0].prefix6", "does not contain lan.ipv6.prefix");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "prefix: fd00:1::1/64 | lan.ipv6.prefix | host bits set",
            "prefix: fd00:1::9 | lan.ipv6.prefix | is not an IPv6 prefix",
            "prefix: ff00::/8 | lan.ipv6.prefix | multicast",
            "prefix: '::/0' | lan.ipv6.prefix | the whole address space",
            "learned-dir: run/p6 | lan.ipv6.learned-dir | must be an absolute file path",
    })
    void badLanKeysAreLocated(String line, String key, String words) {
        String yaml = wan("[192.0.2.1]", "", "lan:\n  ipv6:\n    " + line + "\n"
                + (line.startsWith("prefix") ? "" : "    prefix: fd00:1::/64\n"));
        ConfigErrors.single(FILE, yaml, 8, key, words);
    }

    @Test
    void lanIpv6NeedsAPrefix() {
        List<ConfigError> errors = assertThrows(ConfigException.class,
                () -> parse(wan("[192.0.2.1]", "", "lan:\n  ipv6:\n    learned-dir: /run/p6\n"))).errors();
        assertEquals(1, errors.size(), errors::toString);
        assertEquals("lan.ipv6.prefix", errors.getFirst().key());
        assertEquals(8, errors.getFirst().line());
    }

    @Test
    void prefixArithmeticKeepsTheHostPart() {
        Prefix6 p = Prefix6.parse("2001:db8:100::/56");
        assertEquals("2001:db8:100::/64", p.firstSubnet(64).toString());
        assertEquals(Ipv6.of("2001:db8:100::abcd:1"), p.firstSubnet(64).withHostOf(Ipv6.of("fd00:1::abcd:1")));
        assertEquals("2001:db8::1", Ipv6.text(Ipv6.of("2001:0db8:0:0:0:0:0:1")));
        assertEquals("2001:db8:0:1::1", Ipv6.text(Ipv6.of("2001:db8:0:1:0:0:0:1")));
    }
}
