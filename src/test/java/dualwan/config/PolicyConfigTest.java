package dualwan.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NAT, conntrack and policies in the config file: the values, and bad input located by line and key. */
class PolicyConfigTest {

    private static final Path FILE = Path.of("/etc/dualwan/test.yaml");

    /** Two uplinks and a LAN; lines 1-8. Policies and conntrack start at line 9. */
    private static final String BASE = """
            wans:
              - name: isp1
                interface: wan1
              - name: isp2
                interface: wan2
                nat: snat
            lan:
              interfaces: [lan0, lan1]
            """;

    private static Config parse(String rest) throws ConfigException {
        return ConfigLoader.parse(FILE, BASE + rest);
    }

    private static void single(String rest, int line, String key, String words) {
        ConfigErrors.single(FILE, BASE + rest, line, key, words);
    }

    @Test
    void natDefaultsToMasquerade() throws Exception {
        Config c = parse("");
        assertEquals(Nat.MASQUERADE, c.wans().get(0).nat());
        assertEquals(Nat.SNAT, c.wans().get(1).nat());
        assertEquals(ConntrackConfig.defaults(), c.conntrack());
    }

    @Test
    void conntrackFlushAndFilters() throws Exception {
        Config c = parse("""
                conntrack:
                  flush: all
                  filter: [udp/5060, tcp, icmp]
                """);
        assertEquals(new ConntrackConfig(ConntrackConfig.Flush.ALL, List.of(
                new FlowFilter(Protocol.UDP, OptionalInt.of(5060)), new FlowFilter(Protocol.TCP, OptionalInt.empty()),
                new FlowFilter(Protocol.ICMP, OptionalInt.empty()))), c.conntrack());
        assertEquals(List.of(new FlowFilter(Protocol.UDP, OptionalInt.of(5060))),
                parse("conntrack:\n  filter: udp/5060\n").conntrack().filter());
    }

    @Test
    void failoverAndBalancedPolicies() throws Exception {
        Config c = parse("""
                policies:
                  - name: voip
                    match:
                      sources: [100.64.10.0/25, 100.64.10.200]
                      destinations: 203.0.113.0/24
                      protocol: udp
                      ports: [5060, 10000-20000]
                      input: lan0
                    order: [isp2, isp1]
                  - name: guests
                    match:
                      input: [lan1]
                    balance:
                      isp1: 2
                      isp2: 1
                    sticky: 10m
                """);
        PolicyConfig voip = c.policies().get(0);
        assertEquals(new PolicyConfig("voip", new PolicyConfig.Match(
                List.of(new Prefix(Ipv4.of("100.64.10.0"), 25), new Prefix(Ipv4.of("100.64.10.200"), 32)),
                List.of(new Prefix(Ipv4.of("203.0.113.0"), 24)), Optional.of(Protocol.UDP),
                List.of(new PortRange(5060, 5060), new PortRange(10000, 20000)), List.of("lan0")),
                List.of("isp2", "isp1"), Map.of(), Optional.empty()), voip);
        PolicyConfig guests = c.policies().get(1);
        assertTrue(guests.balanced());
        assertEquals(List.of("isp1", "isp2"), guests.uplinks());
        assertEquals(Map.of("isp1", 2, "isp2", 1), guests.weights());
        assertEquals(Optional.of(Duration.ofMinutes(10)), guests.sticky());
        assertEquals(2, c.wanNumber("isp2"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "- name: p\\n    order: [isp3]                 | 11 | policies[0].order[0]            | unknown uplink 'isp3'",
            "- name: p\\n    match:\\n      sources: [100.64.10.5/24]\\n    order: [isp1] | 12 | policies[0].match.sources[0] | did you mean 100.64.10.0/24",
            "- name: p\\n    match:\\n      sources: [100.64.10.0/33]\\n    order: [isp1] | 12 | policies[0].match.sources[0] | prefix length",
            "- name: p\\n    match:\\n      destinations: [example.com]\\n    order: [isp1] | 12 | policies[0].match.destinations[0] | host name",
            "- name: p\\n    balance:\\n      isp1: 0                    | 12 | policies[0].balance.isp1       | between 1 and 100",
            "- name: p\\n    balance:\\n      isp1: -2                   | 12 | policies[0].balance.isp1       | between 1 and 100",
            "- name: p\\n    balance:\\n      isp9: 2                    | 12 | policies[0].balance.isp9       | unknown key 'isp9'",
            "- name: p\\n    match:\\n      protocol: gre\\n    order: [isp1] | 12 | policies[0].match.protocol | unknown protocol 'gre'",
            "- name: p\\n    match:\\n      protocol: udp\\n      ports: [70000]\\n    order: [isp1] | 13 | policies[0].match.ports[0] | 1-65535",
            "- name: p\\n    match:\\n      protocol: udp\\n      ports: [0]\\n    order: [isp1] | 13 | policies[0].match.ports[0] | 1-65535",
            "- name: p\\n    match:\\n      protocol: tcp\\n      ports: [20-10]\\n    order: [isp1] | 13 | policies[0].match.ports[0] | runs backwards",
            "- name: p\\n    match:\\n      ports: [5060]\\n    order: [isp1] | 12 | policies[0].match.ports | need 'protocol: tcp'",
            "- name: p\\n    match:\\n      input: wan1\\n    order: [isp1] | 12 | policies[0].match.input | not one of lan.interfaces",
            "- name: p                                        | 10 | policies[0].order              | give either 'order'",
            "- name: p\\n    order: [isp1]\\n    balance:\\n      isp1: 1 | 10 | policies[0].balance        | not both",
            "- name: p\\n    order: [isp1, isp1]          | 11 | policies[0].order[1]            | listed twice",
            "- name: p\\n    order: [isp1]\\n    sticky: 5m    | 12 | policies[0].sticky             | only a balanced policy",
            "- name: p\\n    order: [isp1]\\n    colour: red   | 12 | policies[0].colour             | unknown key 'colour'",
            "- name: p\\n    match:\\n      protocol: tcp\\n    order: [isp1]\\n  - name: p\\n    order: [isp2] | 14 | policies[1].name      | duplicate policy name",
            "- name: all\\n    order: [isp1]\\n  - name: p\\n    match:\\n      protocol: udp\\n    order: [isp2] | 12 | policies[1] | can never match",
    })
    void badPolicy(String yaml, int line, String key, String words) {
        single("policies:\n  " + yaml.replace("\\n", "\n").stripTrailing() + "\n", line, key, words);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "wans:\\n  - name: isp1\\n    interface: wan1\\n    nat: full-cone | 4 | wans[0].nat | unknown value 'full-cone'",
            "wans:\\n  - name: isp1\\n    interface: wan1\\nconntrack:\\n  flush: some | 5 | conntrack.flush | use one of affected, all, none",
            "wans:\\n  - name: isp1\\n    interface: wan1\\nconntrack:\\n  filter: [sip] | 5 | conntrack.filter[0] | expected tcp, udp or icmp",
            "wans:\\n  - name: isp1\\n    interface: wan1\\nconntrack:\\n  filter: icmp/5 | 5 | conntrack.filter | icmp has no ports",
            "wans:\\n  - name: isp1\\n    interface: wan1\\nconntrack:\\n  filter: udp/99999 | 5 | conntrack.filter | 1-65535",
    })
    void badNatOrConntrack(String yaml, int line, String key, String words) {
        ConfigErrors.single(FILE, yaml.replace("\\n", "\n").stripTrailing() + "\n", line, key, words);
    }
}
