package dualwan.config;

import dualwan.model.ProbeMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    private static final Path FILE = Path.of("/etc/dualwan/test.yaml");

    private static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(FILE, yaml);
    }

    private static List<ConfigError> errors(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).errors();
    }

    /** Asserts exactly one error, at {@code line} and {@code key}, whose message contains {@code words}. */
    private static ConfigError single(String yaml, int line, String key, String words) {
        return ConfigErrors.single(FILE, yaml, line, key, words);
    }

    private static Inet4Address ip(String text) throws IOException {
        return (Inet4Address) InetAddress.getByName(text); // literal addresses only: no lookup happens
    }

    // ------------------------------------------------------------------------------------------- valid files

    @Test
    void fullConfigGivesExactValues() throws Exception {
        Config c = parse("""
                wans:
                  - name: isp1
                    interface: wan1
                    gateway: 192.0.2.254
                    priority: 5
                    table: 300
                    mark: 0x1F4
                    nat: snat
                    check:
                      hosts: [192.0.2.1, 198.51.100.1, 203.0.113.7]
                      min-up: 2
                      gateway: false
                      method: tcp:443
                      interval: 2s
                      timeout: 750ms
                      down-after: 4
                      up-after: 9
                      confirm-interval: 100ms
                  - name: isp_2-b
                    interface: usb0.10
                    gateway: auto
                    priority: 0
                    table: 301
                    mark: "0xFFFFFFFF"
                    check:
                      hosts: []
                      method: dns
                failback:
                  hold: 0s
                lan:
                  interfaces: [lan0, br-lan]
                routing:
                  lan-table: 250
                  rule-priority: 32665
                state-file: /var/lib/dualwan/state.json
                """);
        assertEquals(FILE, c.source());
        assertEquals(2, c.wans().size());

        WanConfig a = c.wans().get(0);
        assertEquals(new WanConfig("isp1", "wan1", Optional.of(ip("192.0.2.254")), 5,
                new CheckConfig(List.of(ip("192.0.2.1"), ip("198.51.100.1"), ip("203.0.113.7")), 2, false,
                        new ProbeMethod.Tcp(443), Duration.ofSeconds(2), Duration.ofMillis(750), 4, 9,
                        Duration.ofMillis(100)),
                300, 500, Nat.SNAT, Optional.empty()), a);

        WanConfig b = c.wans().get(1);
        assertEquals("isp_2-b", b.name());
        assertEquals("usb0.10", b.iface());
        assertEquals(Optional.empty(), b.gateway());
        assertEquals(0, b.priority());
        assertEquals(301, b.table());
        assertEquals(0xFFFFFFFF, b.mark()); // unsigned 32-bit in an int
        assertEquals(List.of(), b.check().hosts());
        assertEquals(0, b.check().minUp());
        assertEquals(ProbeMethod.DNS, b.check().method());

        assertEquals(Duration.ZERO, c.failback().hold());
        assertEquals(List.of("lan0", "br-lan"), c.lan().interfaces());
        assertEquals(new RoutingConfig(250, 32665), c.routing());
        assertEquals(Path.of("/var/lib/dualwan/state.json"), c.stateFile());
        assertEquals(Optional.of(b), c.wan("isp_2-b"));
    }

    @Test
    void minimalConfigGetsEveryDefault() throws Exception {
        Config c = parse("""
                wans:
                  - name: isp1
                    interface: wan1
                    check:
                      hosts: [192.0.2.1]
                  - name: isp2
                    interface: wan2
                """);
        WanConfig a = c.wans().get(0);
        WanConfig b = c.wans().get(1);
        assertEquals(new WanConfig("isp1", "wan1", Optional.empty(), Defaults.wanPriority(0),
                new CheckConfig(List.of(ip("192.0.2.1")), Defaults.CHECK_MIN_UP, Defaults.CHECK_GATEWAY,
                        Defaults.CHECK_METHOD, Defaults.CHECK_INTERVAL, Defaults.CHECK_TIMEOUT,
                        Defaults.CHECK_DOWN_AFTER, Defaults.CHECK_UP_AFTER, Defaults.CHECK_CONFIRM_INTERVAL),
                Defaults.wanTable(0), Defaults.wanMark(0), Defaults.WAN_NAT, Optional.empty()), a);
        assertEquals(new WanConfig("isp2", "wan2", Optional.empty(), Defaults.wanPriority(1),
                new CheckConfig(List.of(), Defaults.CHECK_MIN_UP_NO_HOSTS, Defaults.CHECK_GATEWAY,
                        Defaults.CHECK_METHOD, Defaults.CHECK_INTERVAL, Defaults.CHECK_TIMEOUT,
                        Defaults.CHECK_DOWN_AFTER, Defaults.CHECK_UP_AFTER, Defaults.CHECK_CONFIRM_INTERVAL),
                Defaults.wanTable(1), Defaults.wanMark(1), Defaults.WAN_NAT, Optional.empty()), b);
        assertEquals(new FailbackConfig(Defaults.FAILBACK_HOLD), c.failback());
        assertEquals(List.of(), c.lan().interfaces());
        assertEquals(RoutingConfig.defaults(), c.routing());
        assertEquals(Defaults.STATE_FILE, c.stateFile());
        assertEquals(ConntrackConfig.defaults(), c.conntrack());
        assertEquals(List.of(), c.policies());
    }

    @Test
    void defaultsHaveTheDocumentedValues() {
        assertEquals(ProbeMethod.ICMP, Defaults.CHECK_METHOD);
        assertEquals(Duration.ofSeconds(1), Defaults.CHECK_INTERVAL);
        assertEquals(Duration.ofMillis(500), Defaults.CHECK_TIMEOUT);
        assertEquals(8, Defaults.CHECK_DOWN_AFTER);
        assertEquals(3, Defaults.CHECK_UP_AFTER);
        assertEquals(Duration.ofMillis(50), Defaults.CHECK_CONFIRM_INTERVAL);
        assertTrue(Defaults.CHECK_GATEWAY);
        assertEquals(1, Defaults.checkMinUp(2));
        assertEquals(0, Defaults.checkMinUp(0));
        assertEquals(Duration.ofSeconds(30), Defaults.FAILBACK_HOLD);
        assertEquals(new RoutingConfig(200, 1000), RoutingConfig.defaults());
        assertEquals(Path.of("/run/dualwan/state.json"), Defaults.STATE_FILE);
        assertEquals(List.of(101, 102, 108), List.of(Defaults.wanTable(0), Defaults.wanTable(1), Defaults.wanTable(7)));
        assertEquals(List.of(101, 102), List.of(Defaults.wanMark(0), Defaults.wanMark(1)));
        assertEquals(List.of(1, 2), List.of(Defaults.wanPriority(0), Defaults.wanPriority(1)));
    }

    @Test
    void exampleFileLoads() throws Exception {
        Path example = Path.of(System.getProperty("dualwan.root", "."), "board", "dualwan.example.yaml");
        Config c = ConfigLoader.load(example);
        assertEquals(List.of("isp1", "isp2"), c.wans().stream().map(WanConfig::name).toList());
        assertEquals(List.of("wan1", "wan2"), c.wans().stream().map(WanConfig::iface).toList());
        assertEquals(List.of(ip("8.8.8.8"), ip("1.1.1.1")), c.wans().get(0).check().hosts());
        assertEquals(List.of(ip("9.9.9.9"), ip("208.67.222.222")), c.wans().get(1).check().hosts());
        assertEquals(Optional.of(ip("192.168.8.1")), c.wans().get(1).gateway());
        assertEquals(ProbeMethod.DNS, c.wans().get(1).check().method());
        assertEquals(List.of(101, 102), c.wans().stream().map(WanConfig::mark).toList());
        assertEquals(List.of("lan0"), c.lan().interfaces());
        assertEquals(Defaults.STATE_FILE, c.stateFile());
    }

    @Test
    void loadReadsAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.yaml");
        Files.writeString(f, "wans:\n  - {name: a, interface: eth1}\n");
        assertEquals("eth1", ConfigLoader.load(f).wans().getFirst().iface());
        assertEquals(f, ConfigLoader.load(f).source());
    }

    @Test
    void loadRejectsAnOversizedFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("big.yaml");
        Files.write(f, ("# " + "x".repeat(ConfigLoader.MAX_FILE_BYTES) + "\n").getBytes(StandardCharsets.UTF_8));
        List<ConfigError> e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f)).errors();
        assertEquals(1, e.size());
        assertEquals(0, e.getFirst().line());
        assertTrue(e.getFirst().message().contains("larger than"), e.getFirst().message());
    }

    @Test
    void loadRejectsNonUtf8(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("latin1.yaml");
        Files.write(f, new byte[]{'w', 'a', 'n', 's', ':', ' ', (byte) 0xE9, '\n'});
        ConfigError e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f)).errors().getFirst();
        assertTrue(e.message().contains("UTF-8"), e.message());
    }

    @Test
    void loadOfAMissingFileIsAnIoError(@TempDir Path dir) {
        assertThrows(IOException.class, () -> ConfigLoader.load(dir.resolve("absent.yaml")));
    }

    @Test
    void markAcceptsDecimalHexAndHexString() throws Exception {
        Config c = parse("""
                wans:
                  - {name: a, interface: e1, mark: 7}
                  - {name: b, interface: e2, mark: 0x10}
                  - {name: c, interface: e3, mark: "0X11"}
                """);
        assertEquals(List.of(7, 16, 17), c.wans().stream().map(WanConfig::mark).toList());
    }

    @Test
    void eightWansAreAllowed() throws Exception {
        StringBuilder b = new StringBuilder("wans:\n");
        for (int i = 0; i < 8; i++) {
            b.append("  - {name: w").append(i).append(", interface: eth").append(i).append("}\n");
        }
        Config c = parse(b.toString());
        assertEquals(8, c.wans().size());
        assertEquals(Defaults.wanTable(7), c.wans().get(7).table());
        assertEquals(Defaults.wanPriority(7), c.wans().get(7).priority());
    }

    // ------------------------------------------------------------------------------------------- errors

    static Stream<Arguments> unknownKeys() {
        return Stream.of(
                Arguments.of("wans:\n  - {name: a, interface: e1}\nsnmp:\n  host: x\n", 3, "snmp",
                        "allowed keys here: wans, failback, lan, routing, state-file, conntrack, policies, gpio, dns,"
                                + " mqtt, web"),
                Arguments.of("wans:\n  - name: a\n    interface: e1\n    iface: e2\n", 4, "wans[0].iface",
                        "allowed keys here: name, interface, gateway, priority, table, mark, nat, check"),
                Arguments.of("wans:\n  - name: a\n    interface: e1\n    check:\n      min_up: 1\n", 5,
                        "wans[0].check.min_up", "min-up"),
                Arguments.of("wans:\n  - {name: a, interface: e1}\nfailback: {hold: 1s, delay: 2s}\n", 3,
                        "failback.delay", "allowed keys here: hold, max-hold"),
                Arguments.of("wans:\n  - {name: a, interface: e1}\nrouting:\n  table: 5\n", 4,
                        "routing.table", "lan-table, rule-priority"));
    }

    @ParameterizedTest
    @MethodSource("unknownKeys")
    void unknownKeyIsNamedWithTheAllowedKeys(String yaml, int line, String key, String allowed) {
        ConfigError e = single(yaml, line, key, "unknown key");
        assertTrue(e.message().contains(allowed), e.message());
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                Arguments.of("priority: high", "wans[0].priority", "expected a whole number, found text 'high'"),
                Arguments.of("priority: \"3\"", "wans[0].priority", "remove the quotes"),
                Arguments.of("priority: 1.5", "wans[0].priority", "expected a whole number"),
                Arguments.of("table: [1]", "wans[0].table", "found a list"),
                Arguments.of("check: [a]", "wans[0].check", "expected a map"),
                Arguments.of("check: {hosts: {a: b}}", "wans[0].check.hosts", "expected a list"),
                Arguments.of("check: {hosts: 192.0.2.1}", "wans[0].check.hosts", "expected a list"),
                Arguments.of("check: {gateway: \"true\"}", "wans[0].check.gateway", "expected true or false"),
                Arguments.of("check: {gateway: 1}", "wans[0].check.gateway", "expected true or false"),
                Arguments.of("check: {gateway: yes}", "wans[0].check.gateway", "write true or false"),
                Arguments.of("check: {interval: {a: 1}}", "wans[0].check.interval", "expected a duration"),
                Arguments.of("mark: true", "wans[0].mark", "hex string"),
                Arguments.of("mark: \"101\"", "wans[0].mark", "hex string"),
                Arguments.of("priority: 010", "wans[0].priority", "plain decimal"),
                Arguments.of("priority: 1_000", "wans[0].priority", "plain decimal"),
                Arguments.of("name: [a]", "wans[0].name", "expected a name"),
                Arguments.of("gateway: {a: 1}", "wans[0].gateway", "expected 'auto' or an IPv4 address"));
    }

    @ParameterizedTest
    @MethodSource("wrongTypes")
    void wrongTypeIsReportedWithItsLine(String line4, String key, String words) {
        String yaml = "wans:\n  - name: a\n    interface: e1\n    " + line4 + "\n";
        if (line4.startsWith("name:")) {
            yaml = "wans:\n  - interface: e1\n    priority: 1\n    " + line4 + "\n";
        }
        single(yaml, 4, key, words);
    }

    @Test
    void wrongTypeAtTopLevel() {
        single("wans:\n  name: a\n", 2, "wans", "expected a list");
        single("wans:\n  - {name: a, interface: e1}\nlan: [lan0]\n", 3, "lan", "expected a map");
        single("wans:\n  - {name: a, interface: e1}\nstate-file: [a]\n", 3, "state-file", "found a list");
        single("wans:\n  - just-a-string\n", 2, "wans[0]", "expected a map");
    }

    static Stream<Arguments> badAddresses() {
        return Stream.of(
                Arguments.of("256.1.1.1", "not an IPv4 address"),
                Arguments.of("1.2.3", "not an IPv4 address"),
                Arguments.of("1.2.3.4.5", "not an IPv4 address"),
                Arguments.of("01.2.3.4", "without leading zeros"),
                Arguments.of("1.2.3.-4", "not an IPv4 address"),
                Arguments.of("1.2..4", "not an IPv4 address"),
                Arguments.of("\"1.2.3.4 \"", "not an IPv4 address"),
                Arguments.of("0.0.0.0", "0.0.0.0/8"),
                Arguments.of("127.0.0.1", "loopback"),
                Arguments.of("224.0.0.1", "multicast"),
                Arguments.of("239.255.255.250", "multicast"),
                Arguments.of("255.255.255.255", "broadcast"),
                Arguments.of("240.0.0.1", "reserved"));
    }

    @ParameterizedTest
    @MethodSource("badAddresses")
    void badHostAddress(String address, String words) {
        single("""
                wans:
                  - name: a
                    interface: e1
                    check:
                      hosts:
                        - 192.0.2.1
                        - %s
                """.formatted(address), 7, "wans[0].check.hosts[1]", words);
    }

    @ParameterizedTest
    @MethodSource("badAddresses")
    void badGatewayAddress(String address, String words) {
        single("wans:\n  - name: a\n    interface: e1\n    gateway: " + address + "\n", 4, "wans[0].gateway",
                words);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dns.google", "localhost", "one.one.one.one", "router-1", "a.b.c.d"})
    void hostnameInsteadOfAddress(String name) {
        ConfigError e = single("wans:\n  - name: a\n    interface: e1\n    check:\n      hosts: [" + name + "]\n",
                5, "wans[0].check.hosts[0]", "looks like a host name");
        assertTrue(e.message().contains("never resolves names"), e.message());
    }

    @Test
    void hostListedTwice() {
        single("""
                wans:
                  - name: a
                    interface: e1
                    check:
                      hosts:
                        - 192.0.2.1
                        - 192.0.2.2
                        - 192.0.2.1
                """, 8, "wans[0].check.hosts[2]", "listed twice (first at line 6)");
    }

    @Test
    void duplicateWanName() {
        single("""
                wans:
                  - name: isp
                    interface: e1
                  - name: isp
                    interface: e2
                """, 4, "wans[1].name", "duplicate name: isp is already used by wans[0].name at line 2");
    }

    @Test
    void duplicateInterfaceBetweenWans() {
        single("""
                wans:
                  - name: a
                    interface: eth1
                  - name: b
                    interface: eth1
                """, 5, "wans[1].interface", "duplicate interface: eth1 is already used by wans[0].interface");
    }

    @Test
    void duplicateInterfaceBetweenWanAndLan() {
        single("""
                wans:
                  - name: a
                    interface: eth1
                lan:
                  interfaces:
                    - eth0
                    - eth1
                """, 7, "lan.interfaces[1]", "duplicate interface: eth1 is already used by wans[0].interface");
    }

    @Test
    void duplicateExplicitTable() {
        single("""
                wans:
                  - name: a
                    interface: e1
                    table: 150
                  - name: b
                    interface: e2
                    table: 150
                """, 7, "wans[1].table", "duplicate table: 150 is already used by wans[0].table at line 4");
    }

    @Test
    void duplicateTableWithADefault() {
        // wans[1]'s default table is 102, which wans[0] took explicitly; the error points at wans[1].
        ConfigError e = single("""
                wans:
                  - name: a
                    interface: e1
                    table: 102
                  - name: b
                    interface: e2
                """, 5, "wans[1].table", "the default 102 is already used by wans[0].table");
        assertTrue(e.message().contains("set table explicitly"), e.message());
    }

    @Test
    void duplicateMarkWrittenInHexAndDecimal() {
        single("""
                wans:
                  - name: a
                    interface: e1
                    mark: 0x20
                  - name: b
                    interface: e2
                    mark: 32
                """, 7, "wans[1].mark", "duplicate mark: 0x20 is already used by wans[0].mark at line 4");
    }

    @Test
    void duplicatePriority() {
        single("""
                wans:
                  - name: a
                    interface: e1
                    priority: 10
                  - name: b
                    interface: e2
                    priority: 10
                """, 7, "wans[1].priority", "duplicate priority: 10 is already used by wans[0].priority");
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "AUTO", "none", "None"})
    void anUplinkMayNotBeNamedLikeAMode(String name) {
        single("wans:\n  - {name: " + name + ", interface: e1}\n", 2, "wans[0].name", "reserved word");
    }

    @Test
    void wanTableMustNotBeTheLanTable() {
        single("wans:\n  - {name: a, interface: e1, table: 200}\n", 2, "wans[0].table",
                "table 200 is also routing.lan-table (the default)");
    }

    @ParameterizedTest
    @ValueSource(ints = {253, 254, 255})
    void reservedTables(int table) {
        single("wans:\n  - {name: a, interface: e1, table: " + table + "}\n", 2, "wans[0].table", "the kernel's");
        single("wans:\n  - {name: a, interface: e1}\nrouting:\n  lan-table: " + table + "\n", 4,
                "routing.lan-table", "the kernel's");
    }

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                Arguments.of("    table: 0", "wans[0].table", "between 1 and 2147483647"),
                Arguments.of("    table: 2147483648", "wans[0].table", "between 1 and 2147483647"),
                Arguments.of("    mark: 0", "wans[0].mark", "between 1 and 0xFFFFFFFF"),
                Arguments.of("    mark: 0x100000000", "wans[0].mark", "between 1 and 0xFFFFFFFF"),
                Arguments.of("    mark: 4294967296", "wans[0].mark", "between 1 and 0xFFFFFFFF"),
                Arguments.of("    priority: -1", "wans[0].priority", "between 0 and"),
                Arguments.of("    check: {down-after: 0}", "wans[0].check.down-after", "between 1 and 100"),
                Arguments.of("    check: {up-after: 101}", "wans[0].check.up-after", "between 1 and 100"),
                Arguments.of("    name: \"has space\"", "wans[0].name", "1-32 characters"),
                Arguments.of("    name: " + "n".repeat(33), "wans[0].name", "1-32 characters"),
                Arguments.of("    interface: " + "e".repeat(16), "wans[0].interface", "not a Linux interface name"),
                Arguments.of("    interface: ..", "wans[0].interface", "not a Linux interface name"),
                Arguments.of("    interface: eth/1", "wans[0].interface", "not a Linux interface name"));
    }

    @ParameterizedTest
    @MethodSource("outOfRange")
    void valueOutOfRange(String line3, String key, String words) {
        String yaml = line3.contains("name:") && !line3.contains("interface")
                ? "wans:\n  - interface: e1\n" + line3 + "\n"
                : "wans:\n  - name: a\n" + line3 + "\n";
        if (!yaml.contains("interface")) {
            yaml += "    interface: e1\n";
        } else if (!yaml.contains("name:")) {
            yaml += "    name: a\n";
        }
        single(yaml, 3, key, words);
    }

    @Test
    void rulePriorityMustKeepTheBlockBelowMain() throws Exception {
        String base = "wans:\n  - {name: a, interface: e1}\nrouting:\n  rule-priority: ";
        assertEquals(32665, parse(base + "32665\n").routing().rulePriority());
        single(base + "32666\n", 4, "routing.rule-priority", "between 1 and 32665");
        single(base + "0\n", 4, "routing.rule-priority", "between 1 and 32665");
    }

    @Test
    void quorumLargerThanHostCount() {
        single("""
                wans:
                  - name: a
                    interface: e1
                    check:
                      hosts: [192.0.2.1, 192.0.2.2]
                      min-up: 3
                """, 6, "wans[0].check.min-up", "quorum larger than host count: min-up is 3 but only 2 hosts");
    }

    @Test
    void quorumWithoutHosts() {
        single("wans:\n  - name: a\n    interface: e1\n    check:\n      min-up: 1\n", 5, "wans[0].check.min-up",
                "quorum larger than host count: min-up is 1 but hosts is empty");
    }

    @Test
    void quorumZeroNeedsAnEmptyHostList() {
        single("wans:\n  - name: a\n    interface: e1\n    check:\n      hosts: [192.0.2.1]\n      min-up: 0\n",
                6, "wans[0].check.min-up", "only allowed when hosts is empty");
    }

    @Test
    void noHostsNeedsTheGatewayCheck() {
        single("wans:\n  - name: a\n    interface: e1\n    check:\n      hosts: []\n      gateway: false\n",
                6, "wans[0].check.gateway", "must be true when hosts is empty");
    }

    static Stream<Arguments> badDurations() {
        return Stream.of(
                Arguments.of("interval: 5", "wans[0].check.interval", "has no unit"),
                Arguments.of("interval: 1.5s", "wans[0].check.interval", "has a fraction"),
                Arguments.of("interval: fast", "wans[0].check.interval", "is not a duration"),
                Arguments.of("interval: 99ms", "wans[0].check.interval", "at least 100ms"),
                Arguments.of("interval: 0s", "wans[0].check.interval", "at least 100ms"),
                Arguments.of("interval: 25h", "wans[0].check.interval", "at most 24h"),
                Arguments.of("timeout: 9ms", "wans[0].check.timeout", "between 10ms and 10s"),
                Arguments.of("timeout: 11s", "wans[0].check.timeout", "between 10ms and 10s"),
                Arguments.of("confirm-interval: 5ms", "wans[0].check.confirm-interval", "at least 10ms"),
                Arguments.of("confirm-interval: 2s", "wans[0].check.confirm-interval",
                        "must not be longer than interval (1s, the default)"));
    }

    @ParameterizedTest
    @MethodSource("badDurations")
    void badDuration(String line5, String key, String words) {
        single("wans:\n  - name: a\n    interface: e1\n    check:\n      " + line5 + "\n", 5, key, words);
    }

    @Test
    void confirmIntervalIsComparedWithAnExplicitInterval() {
        single("wans:\n  - name: a\n    interface: e1\n    check:\n      interval: 200ms\n"
                        + "      confirm-interval: 300ms\n", 6, "wans[0].check.confirm-interval",
                "must not be longer than interval (200ms)");
    }

    @Test
    void meteredIsReadDefaultsToFalseAndMustBeABoolean() throws Exception {
        Config c = parse("wans:\n  - {name: a, interface: e1}\n  - {name: b, interface: e2, metered: true}\n");
        assertEquals(false, c.wans().get(0).metered());
        assertEquals(true, c.wans().get(1).metered());
        single("wans:\n  - name: a\n    interface: e1\n    metered: sometimes\n", 4, "wans[0].metered", "true or false");
    }

    @Test
    void failbackMaxHoldIsReadAndDefaultsToFifteenMinutesOrTheHoldIfLonger() throws Exception {
        String wans = "wans:\n  - {name: a, interface: e1}\n";
        assertEquals(new FailbackConfig(Duration.ofSeconds(20), Duration.ofMinutes(5)),
                parse(wans + "failback:\n  hold: 20s\n  max-hold: 5m\n").failback());
        assertEquals(Defaults.FAILBACK_MAX_HOLD, parse(wans).failback().maxHold());
        assertEquals(Duration.ofMinutes(20), parse(wans + "failback:\n  hold: 20m\n").failback().maxHold());
    }

    @Test
    void failbackMaxHoldShorterThanTheHoldIsRejectedAtItsLine() {
        single("wans:\n  - {name: a, interface: e1}\nfailback:\n  hold: 1m\n  max-hold: 30s\n", 5,
                "failback.max-hold", "must not be shorter than hold (1m)");
        single("wans:\n  - {name: a, interface: e1}\nfailback:\n  max-hold: 10s\n", 4,
                "failback.max-hold", "must not be shorter than hold (30s, the default)");
    }

    @Test
    void badFailbackHold() {
        single("wans:\n  - {name: a, interface: e1}\nfailback:\n  hold: -1s\n", 4, "failback.hold",
                "cannot be negative");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ping", "ICMP", "udp:53", "tcp", "'tcp:'", "tcp:0", "tcp:65536", "tcp:http", "tcp:443x"})
    void badMethodOrPort(String method) {
        ConfigError e = single("wans:\n  - name: a\n    interface: e1\n    check:\n      method: " + method + "\n",
                5, "wans[0].check.method", method.replace("'", "").startsWith("tcp") ? "needs a port 1..65535" : "unknown method");
        assertTrue(e.message().contains("tcp:443"), e.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp:1", "tcp:65535", "tcp:53"})
    void goodTcpPorts(String method) throws Exception {
        Config c = parse("wans:\n  - name: a\n    interface: e1\n    check:\n      method: " + method + "\n");
        assertEquals(method, c.wans().getFirst().check().method().toString());
    }

    @Test
    void yamlSyntaxErrorHasItsLine() {
        List<ConfigError> e = errors("""
                wans:
                  - name: a
                    interface: e1
                    check: {hosts: [192.0.2.1}
                """);
        assertEquals(1, e.size(), e::toString);
        assertEquals(4, e.getFirst().line(), e::toString);
        assertEquals("", e.getFirst().key());
        assertTrue(e.getFirst().message().startsWith("YAML syntax error"), e.getFirst().message());
    }

    @Test
    void badIndentationIsASyntaxError() {
        List<ConfigError> e = errors("wans:\n  - name: a\n   interface: e1\n");
        assertEquals(1, e.size(), e::toString);
        assertEquals(3, e.getFirst().line(), e::toString);
        assertTrue(e.getFirst().message().startsWith("YAML syntax error"), e.getFirst().message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "# only a comment\n", "---\n", "~\n"})
    void emptyFile(String text) {
        single(text, 0, "", "the file is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"- a\n- b\n", "just text\n", "42\n"})
    void topLevelMustBeAMap(String text) {
        single(text, 1, "", "must be a map of keys");
    }

    @Test
    void missingWans() {
        single("failback:\n  hold: 1s\n", 1, "wans", "needs 'wans'");
    }

    @Test
    void emptyWans() {
        single("wans: []\n", 1, "wans", "at least one uplink");
    }

    @Test
    void tooManyWans() {
        StringBuilder b = new StringBuilder("wans:\n");
        for (int i = 0; i < 9; i++) {
            b.append("  - {name: w").append(i).append(", interface: eth").append(i).append("}\n");
        }
        single(b.toString(), 10, "wans[8]", "at most 8 uplinks");
    }

    @Test
    void missingNameAndInterface() {
        List<ConfigError> e = errors("wans:\n  - priority: 1\n");
        assertEquals(List.of("wans[0].name", "wans[0].interface"), e.stream().map(ConfigError::key).toList());
        assertEquals(List.of(2, 2), e.stream().map(ConfigError::line).toList());
    }

    @Test
    void keyWithoutAValue() {
        single("wans:\n  - name: a\n    interface: e1\n    priority:\n", 4, "wans[0].priority", "has no value");
    }

    @Test
    void duplicateKey() {
        single("wans:\n  - name: a\n    interface: e1\n    name: b\n", 4, "wans[0].name",
                "duplicate key (first given at line 2)");
    }

    @Test
    void mergeKeysAreRejected() {
        List<ConfigError> e = errors("""
                base: &b {interface: e1}
                wans:
                  - <<: *b
                    name: a
                """);
        assertEquals(List.of("base", "wans[0].<<", "wans[0].interface"),
                e.stream().map(ConfigError::key).toList(), e::toString);
    }

    @Test
    void aliasBombIsStopped() {
        StringBuilder b = new StringBuilder("a0: &a0 [x, x]\n");
        for (int i = 1; i < 30; i++) {
            b.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
                    .append(i - 1).append("]\n");
        }
        List<ConfigError> e = errors(b.toString());
        assertEquals(1, e.size(), e::toString);
        assertTrue(e.getFirst().message().contains("aliases"), e.getFirst().message());
        assertEquals(12, e.getFirst().line(), "a1 to a10 hold 20 aliases; a11's first is one too many");
    }

    @Test
    void nestingTooDeepIsLocated() {
        // Found by ConfigLoaderFuzzTest: SnakeYAML's limit has no mark, and the error had no line.
        single("wans:\n  - name: a\n    check: " + "[".repeat(25) + "\n", 3, "", "nested more than 20 levels");
    }

    @Test
    void controlCharacterIsLocated() {
        single("wans:\n  - name: a\n    interface: e\u00011\n", 3, "", "U+0001");
    }

    @Test
    void recursiveAliasIsATypeErrorNotAHang() {
        single("wans: &w [*w]\n", 1, "wans[0]", "expected a map");
    }

    /** Random damage to the example must give a ConfigException (or a valid config), never anything else. */
    @Test
    void damagedFilesOnlyEverGiveConfigErrors() throws Exception {
        Path example = Path.of(System.getProperty("dualwan.root", "."), "board", "dualwan.example.yaml");
        String good = Files.readString(example);
        java.util.Random random = new java.util.Random(42);
        String junk = " :-[]{}#&*!|>'\"%@`,?0x.\n\t";
        for (int round = 0; round < 3000; round++) {
            StringBuilder b = new StringBuilder(good);
            for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
                int at = random.nextInt(b.length());
                switch (random.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, junk.charAt(random.nextInt(junk.length())));
                    default -> b.setCharAt(at, junk.charAt(random.nextInt(junk.length())));
                }
            }
            try {
                ConfigLoader.parse(FILE, b.toString());
            } catch (ConfigException e) {
                assertTrue(!e.errors().isEmpty());
                for (ConfigError err : e.errors()) {
                    assertTrue(err.line() >= 0 && err.line() <= b.toString().split("\n", -1).length, err::toString);
                }
            }
        }
    }

    @Test
    void stateFileMustBeAbsolute() {
        single("wans:\n  - {name: a, interface: e1}\nstate-file: run/state.json\n", 3, "state-file",
                "absolute file path");
        single("wans:\n  - {name: a, interface: e1}\nstate-file: /run/dualwan/\n", 3, "state-file",
                "absolute file path");
    }

    @Test
    void severalErrorsAreReportedTogetherInLineOrder() {
        List<ConfigError> e = errors("""
                wans:
                  - name: isp1
                    interface: wan1
                    check:
                      hosts: [192.0.2.1, dns.google]
                      interval: 5
                  - name: isp1
                    interface: wan2
                    colour: red
                routing:
                  rule-priority: 40000
                """);
        assertEquals(List.of(
                        "/etc/dualwan/test.yaml:5: wans[0].check.hosts[1]",
                        "/etc/dualwan/test.yaml:6: wans[0].check.interval",
                        "/etc/dualwan/test.yaml:7: wans[1].name",
                        "/etc/dualwan/test.yaml:9: wans[1].colour",
                        "/etc/dualwan/test.yaml:11: routing.rule-priority"),
                e.stream().map(x -> x.file() + ":" + x.line() + ": " + x.key()).toList());
        ConfigException ex = assertThrows(ConfigException.class, () -> parse("wans:\n  - {name: a}\n"));
        assertEquals("/etc/dualwan/test.yaml:2: wans[0].interface: missing; every entry needs 'interface'"
                + " (the Linux interface name, such as wan1 or eth1)", ex.getMessage());
    }

    // ---- dns

    @Test
    void dnsSectionAndPerWanServers() throws Exception {
        Config c = parse("""
                wans:
                  - name: isp1
                    interface: wan1
                    dns: [192.0.2.53, 198.51.100.53]
                  - name: isp2
                    interface: wan2
                    dns: auto
                dns:
                  resolv-file: /run/x/resolv.conf
                """);
        assertEquals(Optional.of(List.of(ip("192.0.2.53"), ip("198.51.100.53"))), c.wans().get(0).dns());
        assertEquals(Optional.empty(), c.wans().get(1).dns());
        assertEquals(Optional.of(new DnsConfig(true, Path.of("/run/x/resolv.conf"), Defaults.DNS_LEARNED_DIR)), c.dns());
        assertEquals(Optional.empty(), parse("wans:\n  - name: a\n    interface: wan1\n").dns());
    }

    @Test
    void badDnsValuesAreLocated() {
        String head = "wans:\n  - name: a\n    interface: wan1\n";
        single(head + "    dns: [8.8.8.8, 127.0.0.1]\n", 4, "wans[0].dns[1]", "loopback");
        single(head + "    dns: []\n", 4, "wans[0].dns", "1 to 3");
        single(head + "    dns: [192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4]\n", 4, "wans[0].dns", "1 to 3");
        single(head + "    dns: dhcp\n", 4, "wans[0].dns", "auto");
        single(head + "    dns: [192.0.2.1, 192.0.2.1]\n", 4, "wans[0].dns[1]", "twice");
        single(head + "dns:\n  resolv-file: relative.conf\n", 5, "dns.resolv-file", "absolute");
        // The SIGHUP mechanism's keys are gone: an old config is told so, at its line, rather than half-used.
        single(head + "dns:\n  dnsmasq-pid-file: /run/dnsmasq/dnsmasq.pid\n", 5, "dns.dnsmasq-pid-file", "allowed keys");
        single(head + "dns:\n  follow-active: maybe\n", 5, "dns.follow-active", "true or false");
        single(head + "dns:\n  reload: yes\n", 5, "dns.reload", "allowed keys");
    }
}
