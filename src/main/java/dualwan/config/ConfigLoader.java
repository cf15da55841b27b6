package dualwan.config;

import dualwan.model.ProbeMethod;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates the YAML config file.
 *
 * <p>The file is read with SnakeYAML's node API only (compose, never construct), so no object other than
 * plain nodes is ever built from it. Every problem found is collected, located (file, 1-based line, dotted key
 * path such as {@code wans[1].check.min-up}) and reported together in one {@link ConfigException}.
 *
 * <p>This class reads the top level, the uplinks and their checks; the other sections have loaders of their
 * own ({@link PolicyLoader}, {@link DnsLoader}, {@link GpioLoader}, {@link MqttLoader}, {@link WebLoader}),
 * all reading through {@link YamlReader} into one list of errors. Defaults are in {@link Defaults}; the limits enforced are the
 * public constants below.
 */
public final class ConfigLoader extends YamlReader {

    /** Largest config file accepted. */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** Most anchors/aliases to lists or maps (guards against "billion laughs"). */
    public static final int MAX_COLLECTION_ALIASES = 20;
    /** Deepest nesting of lists and maps. */
    public static final int MAX_NESTING = 20;
    /** Most uplinks. */
    public static final int MAX_WANS = 8;
    /** Most hosts checked per uplink. */
    public static final int MAX_HOSTS = 16;
    /** Shortest {@code check.interval}. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    /** Shortest {@code check.confirm-interval} (it must also not exceed {@code check.interval}). */
    public static final Duration MIN_CONFIRM_INTERVAL = Duration.ofMillis(10);
    /** Shortest {@code check.timeout}. */
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    /** Longest {@code check.timeout}. */
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);
    /** Longest value of any duration key: a sanity bound so later arithmetic cannot overflow. */
    public static final Duration MAX_DURATION = Duration.ofDays(1);
    /** Most DNS servers per uplink (dnsmasq asks them in turn; a resolv.conf holds three). */
    public static final int MAX_DNS_SERVERS = 3;
    /** Most policies: they are numbered into bits 8..15 of the connection mark. */
    public static final int MAX_POLICIES = 32;
    /** Largest weight of an uplink in a balanced policy. */
    public static final int MAX_WEIGHT = 100;
    /** Range of {@code check.down-after} and {@code check.up-after}. */
    public static final int MIN_COUNT = 1;
    public static final int MAX_COUNT = 100;
    /** Priority of the kernel's {@code main} rule; dualwan's whole rule block must stay below it. */
    public static final int MAIN_RULE_PRIORITY = 32766;
    /** Largest {@code routing.rule-priority}: the block of {@link RoutingConfig#RULE_BLOCK} ends below main. */
    public static final int MAX_RULE_PRIORITY = MAIN_RULE_PRIORITY - RoutingConfig.RULE_BLOCK - 1;
    /** Largest routing table id. */
    public static final long MAX_TABLE = Integer.MAX_VALUE;
    /** Largest firewall mark. */
    public static final long MAX_MARK = 0xFFFF_FFFFL;

    private static final List<String> TOP_KEYS = List.of("wans", "failback", "lan", "routing", "state-file",
            "conntrack", "policies", "gpio", "dns", "mqtt", "web");
    private static final List<String> WAN_KEYS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("name", "interface", "gateway", "priority", "table", "mark", "nat", "check",
                    "dns", "metered"), Ipv6Loader.WAN_KEYS.stream()).toList();
    private static final List<String> CHECK_KEYS = List.of("hosts", "min-up", "gateway", "method", "interval",
            "timeout", "down-after", "up-after", "confirm-interval");
    private static final List<String> FAILBACK_KEYS = List.of("hold", "max-hold");
    private static final List<String> LAN_KEYS = List.of("interfaces", "ipv6");
    private static final List<String> ROUTING_KEYS = List.of("lan-table", "rule-priority");
    /** Tables the kernel reserves: default, main, local. */
    private static final Map<Long, String> RESERVED_TABLES = Map.of(253L, "default", 254L, "main", 255L, "local");

    private static final Pattern HEX = Pattern.compile("0[xX]([0-9a-fA-F]{1,16})");
    private static final Pattern TCP = Pattern.compile("tcp:([0-9]{1,5})");

    private final DnsLoader dnsLoader = new DnsLoader(this);
    private final Ipv6Loader ipv6Loader = new Ipv6Loader(this);

    private ConfigLoader(Path file) {
        super(file, new ArrayList<>());
    }

    /**
     * Reads, parses and validates {@code file}.
     *
     * @throws ConfigException with every problem found, when the file is not a usable config
     * @throws IOException     when the file cannot be read at all
     */
    public static Config load(Path file) throws ConfigException, IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigException(List.of(new ConfigError(file, 0, "",
                    "the file is larger than " + MAX_FILE_BYTES / 1024 + " KiB; is it the right file?")));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(List.of(new ConfigError(file, 0, "",
                    "the file is not valid UTF-8 text; save it as UTF-8")));
        }
        return parse(file, text);
    }

    /**
     * Parses and validates config text.
     *
     * @param nameForMessages the file name used in errors and as {@link Config#source()}
     * @throws ConfigException with every problem found
     */
    public static Config parse(Path nameForMessages, String text) throws ConfigException {
        ConfigLoader loader = new ConfigLoader(nameForMessages);
        Config config = loader.run(text);
        if (!loader.errors.isEmpty() || config == null) {
            List<ConfigError> sorted = new ArrayList<>(loader.errors);
            sorted.sort(Comparator.comparingInt(ConfigError::line));
            throw new ConfigException(sorted);
        }
        return config;
    }

    // ------------------------------------------------------------------------------------------------ top level

    private Config run(String text) {
        if (text.length() > MAX_FILE_BYTES) {
            error(0, "", "the file is larger than " + MAX_FILE_BYTES / 1024 + " KiB; is it the right file?");
            return null;
        }
        int before = errors.size();
        Node root = YamlComposer.compose(text, this::error);
        if (errors.size() > before) {
            return null;
        }
        if (root == null || (root instanceof ScalarNode s && s.getTag().equals(Tag.NULL))) {
            error(0, "", "the file is empty; it needs at least a 'wans:' list (see dualwan.example.yaml)");
            return null;
        }
        if (!(root instanceof MappingNode rootMap)) {
            error(line(root), "", "the file must be a map of keys (" + String.join(", ", TOP_KEYS)
                    + "), found " + describe(root));
            return null;
        }
        Section top = new Section(rootMap, "", TOP_KEYS);

        RoutingDraft routing = routing(top);
        List<WanDraft> wans = wans(top);
        FailbackConfig failback = failback(top);
        Section lanSection = top.section("lan", LAN_KEYS);
        List<Located<String>> lanIfaces = lan(lanSection);
        Optional<LanIpv6Config> lanIpv6 = ipv6Loader.lan(lanSection);
        wans.forEach(w -> w.finishIpv6(ipv6Loader, lanIpv6));
        Path stateFile = stateFile(top);
        PolicyLoader policyLoader = new PolicyLoader(this);
        ConntrackConfig conntrack = policyLoader.conntrack(top);
        Optional<DnsConfig> dns = dnsLoader.dns(top);
        Optional<MqttConfig> mqtt = new MqttLoader(this).mqtt(top);
        Optional<WebConfig> web = new WebLoader(this).web(top);

        crossCheckWans(wans, lanIfaces, routing);
        List<String> wanNames = wans.stream().map(w -> w.name == null ? null : w.name.value).toList();
        Set<String> validNames = new HashSet<>(wanNames);
        validNames.remove(null);
        List<PolicyConfig> policies = policyLoader.policies(top, validNames, lanIfaces);
        Optional<GpioConfig> gpio = new GpioLoader(this).gpio(top, wanNames);

        if (!errors.isEmpty()) {
            return null;
        }
        List<WanConfig> wanConfigs = wans.stream().map(WanDraft::build).toList();
        return new Config(file, wanConfigs, failback,
                new LanConfig(lanIfaces.stream().map(l -> l.value).toList(), lanIpv6),
                new RoutingConfig((int) (long) routing.lanTable.value, (int) (long) routing.rulePriority.value), stateFile,
                conntrack, policies, gpio, dns, mqtt, web);
    }

    private record RoutingDraft(Located<Long> lanTable, Located<Long> rulePriority) {
    }

    private RoutingDraft routing(Section top) {
        Section s = top.section("routing", ROUTING_KEYS);
        Located<Long> lanTable = s.defaulted("lan-table", (long) Defaults.ROUTING_LAN_TABLE,
                (n, key) -> table(n, key));
        Located<Long> rulePriority = s.defaulted("rule-priority", (long) Defaults.ROUTING_RULE_PRIORITY,
                (n, key) -> ranged(n, key, 1, MAX_RULE_PRIORITY, "the rule-priority (dualwan owns "
                        + RoutingConfig.RULE_BLOCK + " priorities from there, below main's " + MAIN_RULE_PRIORITY
                        + ")"));
        return new RoutingDraft(lanTable, rulePriority);
    }

    private FailbackConfig failback(Section top) {
        Section s = top.section("failback", FAILBACK_KEYS);
        Located<Duration> hold = s.defaulted("hold", Defaults.FAILBACK_HOLD, this::duration);
        Located<Duration> max = s.defaulted("max-hold", Defaults.FAILBACK_MAX_HOLD, this::duration);
        if (hold.value == null || max.value == null) {
            return null;
        }
        if (!max.explicit) { // a long base hold raises the default ceiling with it
            return new FailbackConfig(hold.value);
        }
        if (max.value.compareTo(hold.value) < 0) {
            error(max.line, max.key, "must not be shorter than hold (" + Durations.format(hold.value)
                    + (hold.explicit ? "" : ", the default") + "), found " + Durations.format(max.value));
            return null;
        }
        return new FailbackConfig(hold.value, max.value);
    }

    private List<Located<String>> lan(Section s) {
        List<Located<String>> out = new ArrayList<>();
        Node list = s.value("interfaces");
        if (list == null) {
            return out;
        }
        SequenceNode seq = sequence(list, s.path("interfaces"));
        if (seq == null) {
            return out;
        }
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node n = seq.getValue().get(i);
            String key = s.path("interfaces") + "[" + i + "]";
            String ifname = ifname(n, key);
            if (ifname != null) {
                out.add(new Located<>(ifname, line(n), key, true));
            }
        }
        return out;
    }

    private Path stateFile(Section top) {
        Node n = top.value("state-file");
        if (n == null) {
            return Defaults.STATE_FILE;
        }
        return absolutePath(n, top.path("state-file"), Defaults.STATE_FILE);
    }


    // ------------------------------------------------------------------------------------------------ wans

    /** A WAN as read, before cross checks; fields are null where the file had an error. */
    private static final class WanDraft {
        final int index;
        final int line;
        Located<String> name;
        Located<String> iface;
        Located<Optional<Inet4Address>> gateway;
        Located<Long> priority;
        Located<Long> table;
        Located<Long> mark;
        Located<Nat> nat;
        CheckConfig check;
        Located<Boolean> metered;
        Located<Optional<List<Inet4Address>>> dns;
        Ipv6Loader.Draft ipv6Keys;
        int hosts6;
        int firstHost6Line;
        Located<Boolean> gatewayCheck;
        Optional<Wan6Config> ipv6 = Optional.empty();

        WanDraft(int index, int line) {
            this.index = index;
            this.line = line;
        }

        WanConfig build() {
            return new WanConfig(name.value, iface.value, gateway.value, (int) (long) priority.value, check,
                    (int) (long) table.value, (int) (long) mark.value, nat.value, dns.value, metered.value, ipv6);
        }

        void finishIpv6(Ipv6Loader loader, Optional<LanIpv6Config> lan) {
            if (ipv6Keys != null && gatewayCheck != null) {
                ipv6 = loader.finish(ipv6Keys, "wans[" + index + "]", hosts6, firstHost6Line, gatewayCheck, lan);
            }
        }
    }

    private List<WanDraft> wans(Section top) {
        List<WanDraft> out = new ArrayList<>();
        Node node = top.required("wans", "the list of uplinks");
        if (node == null) {
            return out;
        }
        SequenceNode seq = sequence(node, "wans");
        if (seq == null) {
            return out;
        }
        List<Node> items = seq.getValue();
        if (items.isEmpty()) {
            error(line(seq), "wans", "at least one uplink is needed");
        }
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String path = "wans[" + i + "]";
            if (i == MAX_WANS) {
                error(line(item), path, "at most " + MAX_WANS + " uplinks are supported, found " + items.size());
            }
            MappingNode map = mapping(item, path);
            if (map != null) {
                out.add(wan(new Section(map, path, WAN_KEYS), i));
            }
        }
        return out;
    }

    /** Names an uplink may not have, in any case. */
    static final java.util.Set<String> RESERVED_NAMES = java.util.Set.of("auto", "none");

    private WanDraft wan(Section s, int index) {
        WanDraft w = new WanDraft(index, s.mapLine());
        Node name = s.required("name", "a unique name such as isp1");
        if (name != null) {
            String key = s.path("name");
            String text = text(name, key, "a name such as isp1");
            if (text != null && !NAME.matcher(text).matches()) {
                error(line(name), key, "must be 1-32 characters of letters, digits, '_' and '-', found "
                        + quote(text));
            } else if (text != null && RESERVED_NAMES.contains(text.toLowerCase(java.util.Locale.ROOT))) {
                // "auto" is the mode, and Home Assistant's select treats "none" as no option: either would be
                // taken for something else by `dualwan mode`, MQTT and the page.
                error(line(name), key, quote(text) + " is a reserved word (a mode); name the uplink e.g. isp1");
            } else if (text != null) {
                w.name = new Located<>(text, line(name), key, true);
            }
        }
        Node iface = s.required("interface", "the Linux interface name, such as wan1 or eth1");
        if (iface != null) {
            String key = s.path("interface");
            String ifname = ifname(iface, key);
            if (ifname != null) {
                w.iface = new Located<>(ifname, line(iface), key, true);
            }
        }
        w.gateway = s.defaulted("gateway", Optional.empty(), this::gateway);
        w.priority = s.defaulted("priority", (long) Defaults.wanPriority(index),
                (n, key) -> ranged(n, key, 0, Integer.MAX_VALUE, "the priority (lower wins)"));
        w.table = s.defaulted("table", (long) Defaults.wanTable(index), this::table);
        w.mark = s.defaulted("mark", (long) Defaults.wanMark(index), this::mark);
        w.nat = s.defaulted("nat", Defaults.WAN_NAT, (n, key) -> choice(n, key, Nat.values(), Nat::label));
        w.metered = s.defaulted("metered", Defaults.WAN_METERED, this::bool);
        w.ipv6Keys = ipv6Loader.wan(s, w.iface == null ? null : w.iface.value);
        w.check = check(s.section("check", CHECK_KEYS), w);
        w.dns = s.defaulted("dns", Optional.empty(), dnsLoader::wanDns);
        return w;
    }

    private Optional<Inet4Address> gateway(Node n, String key) {
        String text = text(n, key, "'" + Defaults.WAN_GATEWAY + "' or an IPv4 address");
        if (text == null) {
            return null;
        }
        if (text.equals(Defaults.WAN_GATEWAY)) {
            return Optional.empty();
        }
        if (text.indexOf(':') >= 0 && Ipv6.tryParse(text.split("%", 2)[0]).isPresent()) {
            error(line(n), key, quote(text) + " is an IPv6 address; write it as gateway6 (gateway is the IPv4 one)");
            return null;
        }
        Inet4Address address = unicastAddress(text, n, key, "'" + Defaults.WAN_GATEWAY + "' or ");
        return address == null ? null : Optional.of(address);
    }

    private Long table(Node n, String key) {
        Long t = ranged(n, key, 1, MAX_TABLE, "a routing table id");
        if (t != null && RESERVED_TABLES.containsKey(t)) {
            error(line(n), key, "table " + t + " is the kernel's '" + RESERVED_TABLES.get(t)
                    + "' table; pick another id (1-252, or 256 and up)");
            return null;
        }
        return t;
    }

    private Long mark(Node n, String key) {
        if (!(n instanceof ScalarNode s)) {
            typeError(n, key, "a number such as 101 or a hex string such as \"0x65\"");
            return null;
        }
        String v = s.getValue();
        long value;
        var hex = HEX.matcher(v);
        if ((s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.STR)) && hex.matches()) {
            value = Long.parseUnsignedLong(hex.group(1), 16);
            if (value < 0 || value > MAX_MARK) {
                error(line(n), key, "must be between 1 and 0xFFFFFFFF, found " + quote(v));
                return null;
            }
        } else if (s.getTag().equals(Tag.INT)) {
            Long parsed = integer(n, key);
            if (parsed == null) {
                return null;
            }
            value = parsed;
        } else {
            typeError(n, key, "a number such as 101 or a hex string such as \"0x65\"");
            return null;
        }
        if (value < 1 || value > MAX_MARK) {
            error(line(n), key, "must be between 1 and 0xFFFFFFFF (" + MAX_MARK + "), found " + quote(v));
            return null;
        }
        return value;
    }

    private CheckConfig check(Section s, WanDraft w) {
        // hosts: IPv4 and IPv6 mixed; each family is judged on its own, min-up counted among its hosts
        List<Inet4Address> hosts = new ArrayList<>();
        List<Inet6Address> hosts6 = new ArrayList<>();
        int hostEntries = 0;
        boolean hostsOk = true;
        Node hostsNode = s.value("hosts");
        if (hostsNode != null) {
            SequenceNode seq = sequence(hostsNode, s.path("hosts"));
            if (seq == null) {
                hostsOk = false;
            } else {
                int listed = seq.getValue().size();
                if (listed > MAX_HOSTS) {
                    error(line(seq), s.path("hosts"), "at most " + MAX_HOSTS + " hosts per uplink, found "
                            + listed);
                }
                Map<java.net.InetAddress, Integer> seen = new HashMap<>();
                for (int i = 0; i < listed; i++) {
                    Node n = seq.getValue().get(i);
                    String key = s.path("hosts") + "[" + i + "]";
                    String text = text(n, key, "an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1");
                    if (text != null && text.indexOf(':') >= 0) {
                        Inet6Address a6 = ipv6Loader.host(text, n, key);
                        if (a6 == null) {
                            continue;
                        }
                        Integer first = seen.putIfAbsent(a6, line(n));
                        if (first != null) {
                            error(line(n), key, Ipv6.text(a6) + " is listed twice (first at line " + first
                                    + "); list each host once");
                        } else {
                            hosts6.add(a6);
                            w.firstHost6Line = w.firstHost6Line == 0 ? line(n) : w.firstHost6Line;
                        }
                        continue;
                    }
                    hostEntries++;
                    Inet4Address a = text == null ? null : unicastAddress(text, n, key, "");
                    if (a == null) {
                        continue;
                    }
                    Integer first = seen.putIfAbsent(a, line(n));
                    if (first != null) {
                        error(line(n), key, a.getHostAddress() + " is listed twice (first at line " + first
                                + "); list each host once");
                    } else {
                        hosts.add(a);
                    }
                }
            }
        }

        // min-up (quorum)
        Located<Long> minUp = s.defaulted("min-up", (long) Defaults.checkMinUp(hostEntries), this::integer);
        if (minUp.value != null && minUp.explicit && minUp.value < 0) {
            error(minUp.line, minUp.key, "cannot be negative; use " + (hostEntries == 0 ? "0" : "1.." + hostEntries));
        } else if (hostsOk && minUp.value != null && minUp.explicit && !hosts6.isEmpty()) {
            minUpMixed(minUp, hostEntries, hosts6.size());
        } else if (hostsOk && minUp.value != null && minUp.explicit) {
            long m = minUp.value;
            if (m > hostEntries) {
                error(minUp.line, minUp.key, "quorum larger than host count: min-up is " + m + " but "
                        + (hostEntries == 0 ? "hosts is empty" : "only " + hostEntries + " host"
                        + (hostEntries == 1 ? " is" : "s are") + " listed")
                        + "; use " + (hostEntries == 0 ? "0" : "1.." + hostEntries));
            } else if (m == 0 && hostEntries > 0) {
                error(minUp.line, minUp.key, "min-up 0 is only allowed when hosts is empty; use 1.."
                        + hostEntries);
            }
        }

        Located<Boolean> gateway = s.defaulted("gateway", Defaults.CHECK_GATEWAY, this::bool);
        w.gatewayCheck = gateway;
        w.hosts6 = hosts6.size();
        if (hostsOk && hostEntries == 0 && Boolean.FALSE.equals(gateway.value)) {
            error(gateway.line, gateway.key, "must be true when hosts is empty: with neither hosts nor a gateway"
                    + " check nothing would tell whether the uplink works");
        }

        Located<ProbeMethod> method = s.defaulted("method", Defaults.CHECK_METHOD, this::method);

        Located<Duration> interval = s.defaulted("interval", Defaults.CHECK_INTERVAL, this::duration);
        boolean intervalOk = interval.value != null;
        if (intervalOk && interval.value.compareTo(MIN_INTERVAL) < 0) {
            error(interval.line, interval.key, "must be at least " + Durations.format(MIN_INTERVAL) + ", found "
                    + Durations.format(interval.value));
            intervalOk = false;
        }
        Located<Duration> timeout = s.defaulted("timeout", Defaults.CHECK_TIMEOUT, this::duration);
        if (timeout.value != null
                && (timeout.value.compareTo(MIN_TIMEOUT) < 0 || timeout.value.compareTo(MAX_TIMEOUT) > 0)) {
            error(timeout.line, timeout.key, "must be between " + Durations.format(MIN_TIMEOUT) + " and "
                    + Durations.format(MAX_TIMEOUT) + ", found " + Durations.format(timeout.value));
        }
        Located<Long> downAfter = s.defaulted("down-after", (long) Defaults.CHECK_DOWN_AFTER,
                (n, key) -> ranged(n, key, MIN_COUNT, MAX_COUNT, "the number of misses in a row"));
        Located<Long> upAfter = s.defaulted("up-after", (long) Defaults.CHECK_UP_AFTER,
                (n, key) -> ranged(n, key, MIN_COUNT, MAX_COUNT, "the number of replies in a row"));
        Located<Duration> confirm = s.defaulted("confirm-interval", Defaults.CHECK_CONFIRM_INTERVAL,
                this::duration);
        if (confirm.value != null) {
            if (confirm.value.compareTo(MIN_CONFIRM_INTERVAL) < 0) {
                error(confirm.line, confirm.key, "must be at least " + Durations.format(MIN_CONFIRM_INTERVAL)
                        + ", found " + Durations.format(confirm.value));
            } else if (intervalOk && confirm.value.compareTo(interval.value) > 0) {
                error(confirm.line, confirm.key, "must not be longer than interval ("
                        + Durations.format(interval.value) + (interval.explicit ? "" : ", the default")
                        + "), found " + Durations.format(confirm.value));
            }
        }
        if (!errors.isEmpty()) {
            return null;
        }
        int minUp4 = minUp.explicit && hostEntries == 0 ? Defaults.checkMinUp(0) : (int) (long) minUp.value;
        int minUp6 = hosts6.isEmpty() ? 0 : minUp.explicit ? (int) (long) minUp.value
                : Defaults.checkMinUp(hosts6.size());
        return new CheckConfig(hosts, minUp4, gateway.value, method.value, interval.value,
                timeout.value, (int) (long) downAfter.value, (int) (long) upAfter.value, confirm.value, hosts6, minUp6);
    }

    /** min-up with IPv4 and IPv6 hosts: each family needs that many of its own hosts up. */
    private void minUpMixed(Located<Long> minUp, int count4, int count6) {
        int smallest = count4 == 0 ? count6 : Math.min(count4, count6);
        if (minUp.value == 0 || minUp.value > smallest) {
            error(minUp.line, minUp.key, "is counted among each family's hosts, and " + count4 + " IPv4 and "
                    + count6 + " IPv6 host" + (count6 == 1 ? " is" : "s are") + " listed; use 1.." + smallest);
        }
    }

    private ProbeMethod method(Node n, String key) {
        String text = text(n, key, "icmp, dns or tcp:PORT");
        if (text == null) {
            return null;
        }
        switch (text) {
            case "icmp":
                return ProbeMethod.ICMP;
            case "dns":
                return ProbeMethod.DNS;
            default:
                break;
        }
        var tcp = TCP.matcher(text);
        if (tcp.matches()) {
            int port = Integer.parseInt(tcp.group(1));
            if (port >= 1 && port <= 65535) {
                return new ProbeMethod.Tcp(port);
            }
        }
        if (text.startsWith("tcp")) {
            error(line(n), key, "'tcp' needs a port 1..65535, written tcp:PORT such as tcp:443, found "
                    + quote(text));
        } else {
            error(line(n), key, "unknown method " + quote(text) + "; use icmp, dns or tcp:PORT (e.g. tcp:443)");
        }
        return null;
    }

    private void crossCheckWans(List<WanDraft> wans, List<Located<String>> lanIfaces, RoutingDraft routing) {
        unique(wans.stream().map(w -> w.name).toList(), "name", "names must be unique");
        List<Located<String>> ifaces = new ArrayList<>();
        wans.forEach(w -> ifaces.add(w.iface));
        ifaces.addAll(lanIfaces);
        unique(ifaces, "interface", "each interface belongs to one uplink or to the LAN");
        unique(wans.stream().map(w -> w.priority).toList(), "priority",
                "give each uplink its own priority");
        unique(wans.stream().map(w -> w.table).toList(), "table", "each uplink needs its own table");
        unique(wans.stream().map(w -> w.mark).toList(), "mark", "each uplink needs its own mark");
        if (routing.lanTable.value != null) {
            for (WanDraft w : wans) {
                if (w.table != null && w.table.value != null && w.table.value.equals(routing.lanTable.value)) {
                    error(w.table.line, w.table.key, how(w.table) + "table " + w.table.value
                            + " is also routing.lan-table" + (routing.lanTable.explicit
                            ? " (line " + routing.lanTable.line + ")" : " (the default)")
                            + "; pick another table");
                }
            }
        }
    }
}
