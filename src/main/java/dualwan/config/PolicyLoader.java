package dualwan.config;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code conntrack} section and the routing-mark {@code policies}.
 */
final class PolicyLoader extends YamlReader {

    private static final List<String> CONNTRACK_KEYS = List.of("flush", "filter");
    private static final List<String> POLICY_KEYS = List.of("name", "match", "order", "balance", "sticky");
    private static final List<String> MATCH_KEYS = List.of("sources", "destinations", "protocol", "ports", "input");
    private static final Pattern PORT_RANGE = Pattern.compile("([0-9]{1,5})-([0-9]{1,5})");
    private static final Pattern FLOW_FILTER = Pattern.compile("([a-z]+)(?:/([0-9]{1,5}))?");

    PolicyLoader(YamlReader same) {
        super(same);
    }

    // ------------------------------------------------------------------------------------------------ conntrack

    ConntrackConfig conntrack(Section top) {
        Section s = top.section("conntrack", CONNTRACK_KEYS);
        Located<ConntrackConfig.Flush> flush = s.defaulted("flush", Defaults.CONNTRACK_FLUSH,
                (n, key) -> choice(n, key, ConntrackConfig.Flush.values(), ConntrackConfig.Flush::label));
        List<FlowFilter> filters = new ArrayList<>();
        Node f = s.value("filter");
        if (f != null) {
            forEachItem(f, s.path("filter"), (n, key) -> {
                FlowFilter filter = flowFilter(n, key);
                if (filter != null) {
                    filters.add(filter);
                }
            });
        }
        return flush.value == null ? null : new ConntrackConfig(flush.value, filters);
    }

    private FlowFilter flowFilter(Node n, String key) {
        String text = text(n, key, "a protocol and optional port such as udp/5060");
        if (text == null) {
            return null;
        }
        var m = FLOW_FILTER.matcher(text);
        Protocol protocol = m.matches() ? protocol(m.group(1)) : null;
        if (protocol == null) {
            error(line(n), key, "expected tcp, udp or icmp, optionally with a port (udp/5060), found " + quote(text));
            return null;
        }
        if (m.group(2) == null) {
            return new FlowFilter(protocol, OptionalInt.empty());
        }
        if (!protocol.hasPorts()) {
            error(line(n), key, "icmp has no ports; write just icmp");
            return null;
        }
        Integer port = port(m.group(2), n, key);
        return port == null ? null : new FlowFilter(protocol, OptionalInt.of(port));
    }

    // ------------------------------------------------------------------------------------------------ policies

    /** The policies; {@code wanNames} are the uplinks read without error. */
    List<PolicyConfig> policies(Section top, Set<String> wanNames, List<Located<String>> lanIfaces) {
        List<PolicyConfig> out = new ArrayList<>();
        Node node = top.value("policies");
        if (node == null) {
            return out;
        }
        SequenceNode seq = sequence(node, "policies");
        if (seq == null) {
            return out;
        }
        Set<String> lan = new HashSet<>();
        lanIfaces.forEach(l -> lan.add(l.value));
        List<Located<String>> names = new ArrayList<>();
        String catchAll = null;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String path = "policies[" + i + "]";
            if (i == ConfigLoader.MAX_POLICIES) {
                error(line(item), path, "at most " + ConfigLoader.MAX_POLICIES + " policies are supported");
            }
            MappingNode map = mapping(item, path);
            if (map == null) {
                continue;
            }
            Section s = new Section(map, path, POLICY_KEYS);
            if (catchAll != null) {
                error(s.mapLine(), path, "can never match: " + catchAll + " before it takes all LAN traffic"
                        + " (it has no match criteria); move this policy above it");
            }
            PolicyConfig p = policy(s, wanNames, lan);
            if (p != null) {
                names.add(new Located<>(p.name(), s.mapLine(), s.path("name"), true));
                out.add(p);
                if (p.match().matchesEverything()) {
                    catchAll = path + " (" + p.name() + ")";
                }
            }
        }
        unique(names, "policy name", "names must be unique");
        return out;
    }

    private PolicyConfig policy(Section s, Set<String> wanNames, Set<String> lan) {
        int before = errors.size();
        String name = null;
        Node nameNode = s.required("name", "a unique name such as voip");
        if (nameNode != null) {
            String text = text(nameNode, s.path("name"), "a name such as voip");
            if (text != null && !NAME.matcher(text).matches()) {
                error(line(nameNode), s.path("name"), "must be 1-32 characters of letters, digits, '_' and '-',"
                        + " found " + quote(text));
            } else {
                name = text;
            }
        }
        PolicyConfig.Match match = match(s.section("match", MATCH_KEYS), lan);
        Node order = s.value("order");
        Node balance = s.value("balance");
        List<String> orderList = new ArrayList<>();
        Map<String, Integer> weights = new LinkedHashMap<>();
        if ((order == null) == (balance == null)) {
            error(s.mapLine(), s.path(order == null ? "order" : "balance"), order == null
                    ? "missing; give either 'order' (uplinks to fail over through) or 'balance' (uplink: weight)"
                    : "give either 'order' or 'balance', not both");
        } else if (order != null) {
            Set<String> seen = new HashSet<>();
            forEachItem(order, s.path("order"), (n, key) -> {
                String wan = uplinkName(n, key, wanNames);
                if (wan != null && !seen.add(wan)) {
                    error(line(n), key, "uplink " + quote(wan) + " is listed twice");
                } else if (wan != null) {
                    orderList.add(wan);
                }
            });
        } else {
            MappingNode map = mapping(balance, s.path("balance"));
            if (map != null) {
                Section b = new Section(map, s.path("balance"), wanNames.stream().sorted().toList());
                for (NodeTuple t : map.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && wanNames.contains(k.getValue())) {
                        Long w = ranged(t.getValueNode(), b.path(k.getValue()), 1, ConfigLoader.MAX_WEIGHT, "a weight");
                        if (w != null) {
                            weights.put(k.getValue(), (int) (long) w);
                        }
                    }
                }
                if (map.getValue().isEmpty()) {
                    error(line(balance), s.path("balance"), "give at least one uplink and its weight, e.g. isp1: 2");
                }
            }
        }
        Located<Optional<Duration>> sticky = s.defaulted("sticky", Optional.empty(), (n, key) -> {
            Duration d = duration(n, key);
            if (d != null && balance == null) {
                error(line(n), key, "only a balanced policy can be sticky");
            } else if (d != null && d.toSeconds() < 1) {
                error(line(n), key, "must be at least 1s");
            }
            return d == null ? null : Optional.of(d);
        });
        if (errors.size() > before || name == null) {
            return null;
        }
        return new PolicyConfig(name, match, orderList, weights, sticky.value);
    }

    private PolicyConfig.Match match(Section s, Set<String> lan) {
        List<Prefix> sources = prefixes(s, "sources");
        List<Prefix> destinations = prefixes(s, "destinations");
        Located<Optional<Protocol>> protocol = s.defaulted("protocol", Optional.empty(), (n, key) -> {
            String text = text(n, key, "tcp, udp or icmp");
            Protocol p = text == null ? null : protocol(text);
            if (text != null && p == null) {
                error(line(n), key, "unknown protocol " + quote(text) + "; use tcp, udp or icmp");
            }
            return p == null ? null : Optional.of(p);
        });
        List<PortRange> ports = new ArrayList<>();
        Node portsNode = s.value("ports");
        if (portsNode != null) {
            forEachItem(portsNode, s.path("ports"), (n, key) -> {
                PortRange r = portRange(n, key);
                if (r != null) {
                    ports.add(r);
                }
            });
            Optional<Protocol> p = protocol.value == null ? Optional.empty() : protocol.value;
            if (p.isEmpty() || !p.get().hasPorts()) {
                error(line(portsNode), s.path("ports"), "ports need 'protocol: tcp' or 'protocol: udp'");
            }
        }
        List<String> inputs = new ArrayList<>();
        Node in = s.value("input");
        if (in != null) {
            forEachItem(in, s.path("input"), (n, key) -> {
                String ifname = ifname(n, key);
                if (ifname != null && !lan.contains(ifname)) {
                    error(line(n), key, quote(ifname) + " is not one of lan.interfaces " + lan.stream().sorted().toList()
                            + "; policies take traffic that arrives from the LAN");
                } else if (ifname != null) {
                    inputs.add(ifname);
                }
            });
        }
        return new PolicyConfig.Match(sources, destinations,
                protocol.value == null ? Optional.empty() : protocol.value, ports, inputs);
    }

    private List<Prefix> prefixes(Section s, String listKey) {
        List<Prefix> out = new ArrayList<>();
        Node node = s.value(listKey);
        if (node != null) {
            forEachItem(node, s.path(listKey), (n, key) -> {
                Prefix p = prefix(n, key);
                if (p != null) {
                    out.add(p);
                }
            });
        }
        return out;
    }

    private Prefix prefix(Node n, String key) {
        String text = text(n, key, "an IPv4 prefix such as 192.168.1.0/24 or an address");
        if (text == null) {
            return null;
        }
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        int length = 32;
        if (slash >= 0) {
            String len = text.substring(slash + 1);
            if (!DECIMAL.matcher(len).matches() || Integer.parseInt(len) > 32 || Integer.parseInt(len) < 0) {
                error(line(n), key, "the prefix length after '/' must be 0-32, found " + quote(text));
                return null;
            }
            length = Integer.parseInt(len);
        }
        byte[] bytes;
        try {
            bytes = Ipv4.parse(addr);
        } catch (IllegalArgumentException e) {
            error(line(n), key, e.getMessage());
            return null;
        }
        int value = ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
        int mask = length == 0 ? 0 : -1 << (32 - length);
        if ((value & ~mask) != 0) {
            int network = value & mask;
            error(line(n), key, quote(text) + " has host bits set; did you mean " + ((network >>> 24) & 0xFF) + "."
                    + ((network >>> 16) & 0xFF) + "." + ((network >>> 8) & 0xFF) + "." + (network & 0xFF) + "/" + length + "?");
            return null;
        }
        return new Prefix(Ipv4.of(addr), length);
    }

    private PortRange portRange(Node n, String key) {
        String text = text(n, key, "a port such as 5060 or a range such as 10000-20000");
        if (text == null) {
            return null;
        }
        var range = PORT_RANGE.matcher(text);
        if (range.matches()) {
            Integer from = port(range.group(1), n, key);
            Integer to = port(range.group(2), n, key);
            if (from != null && to != null && from > to) {
                error(line(n), key, "the range " + quote(text) + " runs backwards; write " + to + "-" + from);
                return null;
            }
            return from == null || to == null ? null : new PortRange(from, to);
        }
        Integer port = port(text, n, key);
        return port == null ? null : new PortRange(port, port);
    }

    private Integer port(String text, Node n, String key) {
        if (!DECIMAL.matcher(text).matches() || text.length() > 5 || Integer.parseInt(text) < 1
                || Integer.parseInt(text) > 65535) {
            error(line(n), key, "a port must be a number 1-65535, found " + quote(text));
            return null;
        }
        return Integer.parseInt(text);
    }

    private static Protocol protocol(String text) {
        for (Protocol p : Protocol.values()) {
            if (p.label().equals(text)) {
                return p;
            }
        }
        return null;
    }

    private String uplinkName(Node n, String key, Set<String> wanNames) {
        String text = text(n, key, "an uplink name");
        if (text != null && !wanNames.contains(text)) {
            error(line(n), key, "unknown uplink " + quote(text) + "; the uplinks are " + wanNames.stream().sorted().toList());
            return null;
        }
        return text;
    }
}
