package dualwan.config;

import dualwan.probe.ProbeMethod;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates the YAML config file.
 *
 * <p>The file is read with SnakeYAML's node API only (compose, never construct), so no object other than
 * plain nodes is ever built from it. Every problem found is collected, located (file, 1-based line, dotted key
 * path such as {@code wans[1].check.min-up}) and reported together in one {@link ConfigException}.
 *
 * <p>Defaults are in {@link Defaults}; the limits enforced are the public constants below.
 */
public final class ConfigLoader {

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
    /** Most DNS servers per uplink (dnsmasq asks them in turn; a resolv.conf holds three). */
    public static final int MAX_DNS_SERVERS = 3;
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
    /** Policies are numbered into bits 8..15 of the connection mark. */
    public static final int MAX_POLICIES = 32;
    public static final int MAX_WEIGHT = 100;

    private static final List<String> TOP_KEYS = List.of("wans", "failback", "lan", "routing", "state-file",
            "conntrack", "policies", "gpio", "dns", "mqtt");
    private static final List<String> WAN_KEYS =
            List.of("name", "interface", "gateway", "priority", "table", "mark", "nat", "check", "dns");
    private static final List<String> DNS_KEYS =
            List.of("follow-active", "servers-file", "dnsmasq-pid-file", "learned-dir");
    private static final List<String> CHECK_KEYS = List.of("hosts", "min-up", "gateway", "method", "interval",
            "timeout", "down-after", "up-after", "confirm-interval");
    private static final List<String> FAILBACK_KEYS = List.of("hold");
    private static final List<String> LAN_KEYS = List.of("interfaces");
    private static final List<String> CONNTRACK_KEYS = List.of("flush", "filter");
    private static final List<String> POLICY_KEYS = List.of("name", "match", "order", "balance", "sticky");
    private static final List<String> MATCH_KEYS = List.of("sources", "destinations", "protocol", "ports", "input");
    private static final List<String> ROUTING_KEYS = List.of("lan-table", "rule-priority");
    /** Tables the kernel reserves: default, main, local. */
    private static final Map<Long, String> RESERVED_TABLES = Map.of(253L, "default", 254L, "main", 255L, "local");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]{0,18})");
    private static final Pattern HEX = Pattern.compile("0[xX]([0-9a-fA-F]{1,16})");
    private static final Pattern TCP = Pattern.compile("tcp:([0-9]{1,5})");
    private static final Pattern PORT_RANGE = Pattern.compile("([0-9]{1,5})-([0-9]{1,5})");
    private static final Pattern FLOW_FILTER = Pattern.compile("([a-z]+)(?:/([0-9]{1,5}))?");
    private static final Set<String> TRUE = Set.of("true", "True", "TRUE");
    private static final Set<String> FALSE = Set.of("false", "False", "FALSE");

    private final Path file;
    private final List<ConfigError> errors = new ArrayList<>();

    private ConfigLoader(Path file) {
        this.file = file;
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
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(MAX_FILE_BYTES);
            options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
            options.setNestingDepthLimit(MAX_NESTING);
            options.setAllowRecursiveKeys(false);
            options.setAllowDuplicateKeys(false);
            options.setMergeOnCompose(false);
            Composer composer = new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options);
            root = composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            error(mark == null ? 0 : mark.getLine() + 1, "", "YAML syntax error: " + problem + context);
            return null;
        } catch (ReaderException e) {
            error(lineOfCodePoint(text, e.getPosition()), "", String.format(
                    "the file contains the control character U+%04X, which YAML does not allow; remove it",
                    e.getCodePoint()));
            return null;
        } catch (YAMLException e) {
            error(0, "", "YAML error: " + e.getMessage());
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
        Duration hold = failback(top);
        List<Located<String>> lanIfaces = lan(top);
        Path stateFile = stateFile(top);
        ConntrackConfig conntrack = conntrack(top);
        Optional<DnsConfig> dns = dns(top);
        Optional<MqttConfig> mqtt = mqtt(top);

        crossCheckWans(wans, lanIfaces, routing);
        List<PolicyConfig> policies = policies(top, wans, lanIfaces);
        Optional<GpioConfig> gpio = gpio(top, wans);

        if (!errors.isEmpty()) {
            return null;
        }
        List<WanConfig> wanConfigs = wans.stream().map(WanDraft::build).toList();
        return new Config(file, wanConfigs, new FailbackConfig(hold),
                new LanConfig(lanIfaces.stream().map(Located::value).toList()),
                new RoutingConfig((int) (long) routing.lanTable.value, (int) (long) routing.rulePriority.value), stateFile,
                conntrack, policies, gpio, dns, mqtt);
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

    private Duration failback(Section top) {
        Section s = top.section("failback", FAILBACK_KEYS);
        Located<Duration> hold = s.defaulted("hold", Defaults.FAILBACK_HOLD, this::duration);
        return hold.value;
    }

    private List<Located<String>> lan(Section top) {
        Section s = top.section("lan", LAN_KEYS);
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

    private Path absolutePath(Node n, String key, Path example) {
        String text = text(n, key, "an absolute file path such as " + example);
        if (text == null) {
            return null;
        }
        if (!text.startsWith("/") || text.endsWith("/")) {
            error(line(n), key, "must be an absolute file path such as " + example + ", found "
                    + quote(text));
            return null;
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            error(line(n), key, "is not a usable file path: " + e.getReason());
            return null;
        }
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
        Located<Optional<List<Inet4Address>>> dns;

        WanDraft(int index, int line) {
            this.index = index;
            this.line = line;
        }

        WanConfig build() {
            return new WanConfig(name.value, iface.value, gateway.value, (int) (long) priority.value, check,
                    (int) (long) table.value, (int) (long) mark.value, nat.value, dns.value);
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

    private WanDraft wan(Section s, int index) {
        WanDraft w = new WanDraft(index, s.mapLine());
        Node name = s.required("name", "a unique name such as isp1");
        if (name != null) {
            String key = s.path("name");
            String text = text(name, key, "a name such as isp1");
            if (text != null && !NAME.matcher(text).matches()) {
                error(line(name), key, "must be 1-32 characters of letters, digits, '_' and '-', found "
                        + quote(text));
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
        w.check = check(s.section("check", CHECK_KEYS));
        w.dns = s.defaulted("dns", Optional.empty(), this::wanDns);
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

    private CheckConfig check(Section s) {
        // hosts
        List<Inet4Address> hosts = new ArrayList<>();
        int hostEntries = 0;
        boolean hostsOk = true;
        Node hostsNode = s.value("hosts");
        if (hostsNode != null) {
            SequenceNode seq = sequence(hostsNode, s.path("hosts"));
            if (seq == null) {
                hostsOk = false;
            } else {
                hostEntries = seq.getValue().size();
                if (hostEntries > MAX_HOSTS) {
                    error(line(seq), s.path("hosts"), "at most " + MAX_HOSTS + " hosts per uplink, found "
                            + hostEntries);
                }
                Map<Inet4Address, Integer> seen = new HashMap<>();
                for (int i = 0; i < hostEntries; i++) {
                    Node n = seq.getValue().get(i);
                    String key = s.path("hosts") + "[" + i + "]";
                    String text = text(n, key, "an IPv4 address such as 192.0.2.1");
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
        return new CheckConfig(hosts, (int) (long) minUp.value, gateway.value, method.value, interval.value,
                timeout.value, (int) (long) downAfter.value, (int) (long) upAfter.value, confirm.value);
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

    // ------------------------------------------------------------------------------------------------ dns

    /** {@code wans[].dns}: {@code auto}, or a list of 1..MAX_DNS_SERVERS IPv4 addresses. */
    private Optional<List<Inet4Address>> wanDns(Node n, String key) {
        if (n instanceof ScalarNode) {
            String text = text(n, key, "'" + Defaults.WAN_DNS + "' or a list of IPv4 addresses");
            if (text == null) {
                return null;
            }
            if (!text.equals(Defaults.WAN_DNS)) {
                error(line(n), key, "write '" + Defaults.WAN_DNS + "' or a list such as [192.0.2.53], found "
                        + quote(text));
                return null;
            }
            return Optional.empty();
        }
        SequenceNode seq = sequence(n, key);
        if (seq == null) {
            return null;
        }
        int count = seq.getValue().size();
        if (count == 0 || count > MAX_DNS_SERVERS) {
            error(line(seq), key, "list 1 to " + MAX_DNS_SERVERS + " DNS servers, found " + count
                    + (count == 0 ? "; write '" + Defaults.WAN_DNS + "' to learn them" : ""));
            return null;
        }
        List<Inet4Address> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Node item = seq.getValue().get(i);
            String itemKey = key + "[" + i + "]";
            String text = text(item, itemKey, "an IPv4 address such as 192.0.2.53");
            Inet4Address a = text == null ? null : unicastAddress(text, item, itemKey, "");
            if (a == null) {
                return null;
            }
            if (out.contains(a)) {
                error(line(item), itemKey, a.getHostAddress() + " is listed twice; list each server once");
                return null;
            }
            out.add(a);
        }
        return Optional.of(out);
    }

    /** The top-level {@code dns} section: absent means dualwan leaves DNS alone. */
    private Optional<DnsConfig> dns(Section top) {
        if (top.value("dns") == null) {
            return Optional.empty();
        }
        Section s = top.section("dns", DNS_KEYS);
        Located<Boolean> follow = s.defaulted("follow-active", Defaults.DNS_FOLLOW_ACTIVE, this::bool);
        Located<Path> servers = s.defaulted("servers-file", Defaults.DNS_SERVERS_FILE,
                (n, key) -> absolutePath(n, key, Defaults.DNS_SERVERS_FILE));
        Located<Path> pid = s.defaulted("dnsmasq-pid-file", Defaults.DNS_DNSMASQ_PID_FILE,
                (n, key) -> absolutePath(n, key, Defaults.DNS_DNSMASQ_PID_FILE));
        Located<Path> learned = s.defaulted("learned-dir", Defaults.DNS_LEARNED_DIR,
                (n, key) -> absolutePath(n, key, Defaults.DNS_LEARNED_DIR));
        if (follow.value == null || servers.value == null || pid.value == null || learned.value == null) {
            return Optional.empty();
        }
        return Optional.of(new DnsConfig(follow.value, servers.value, pid.value, learned.value));
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

    private <T> void unique(List<Located<T>> values, String what, String advice) {
        Map<T, Located<T>> seen = new HashMap<>();
        for (Located<T> v : values) {
            if (v == null || v.value == null) {
                continue;
            }
            Located<T> first = seen.putIfAbsent(v.value, v);
            if (first != null) {
                String shown = v.value instanceof Long l && what.equals("mark") ? "0x" + Long.toHexString(l)
                        : String.valueOf(v.value);
                error(v.line, v.key, "duplicate " + what + ": " + how(v) + shown + " is already used by "
                        + first.key + (first.explicit ? "" : " (its default)") + " at line " + first.line + "; "
                        + advice + (v.explicit ? "" : ", so set " + what + " explicitly"));
            }
        }
    }

    private static String how(Located<?> v) {
        return v.explicit ? "" : "the default ";
    }

    // ------------------------------------------------------------------------------------------------ conntrack

    private ConntrackConfig conntrack(Section top) {
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

    private List<PolicyConfig> policies(Section top, List<WanDraft> wans, List<Located<String>> lanIfaces) {
        List<PolicyConfig> out = new ArrayList<>();
        Node node = top.value("policies");
        if (node == null) {
            return out;
        }
        SequenceNode seq = sequence(node, "policies");
        if (seq == null) {
            return out;
        }
        Set<String> wanNames = new HashSet<>();
        wans.stream().filter(w -> w.name != null && w.name.value != null).forEach(w -> wanNames.add(w.name.value));
        Set<String> lan = new HashSet<>();
        lanIfaces.forEach(l -> lan.add(l.value));
        List<Located<String>> names = new ArrayList<>();
        String catchAll = null;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String path = "policies[" + i + "]";
            if (i == MAX_POLICIES) {
                error(line(item), path, "at most " + MAX_POLICIES + " policies are supported");
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
                        Long w = ranged(t.getValueNode(), b.path(k.getValue()), 1, MAX_WEIGHT, "a weight");
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

    /** Calls {@code each} for every item of a list, or once for a single scalar written without brackets. */
    private void forEachItem(Node node, String key, java.util.function.BiConsumer<Node, String> each) {
        if (node instanceof ScalarNode) {
            each.accept(node, key);
            return;
        }
        SequenceNode seq = sequence(node, key);
        if (seq != null) {
            for (int i = 0; i < seq.getValue().size(); i++) {
                each.accept(seq.getValue().get(i), key + "[" + i + "]");
            }
        }
    }

    /** One of a fixed set of words, e.g. masquerade|snat|none. */
    private <E extends Enum<E>> E choice(Node n, String key, E[] values, java.util.function.Function<E, String> label) {
        List<String> words = java.util.Arrays.stream(values).map(label).toList();
        String text = text(n, key, "one of " + String.join(", ", words));
        if (text == null) {
            return null;
        }
        for (E v : values) {
            if (label.apply(v).equals(text)) {
                return v;
            }
        }
        error(line(n), key, "unknown value " + quote(text) + "; use one of " + String.join(", ", words));
        return null;
    }

    // ------------------------------------------------------------------------------------------------ gpio

    private static final List<String> GPIO_KEYS = List.of("provider", "chip", "button", "leds");
    private static final List<String> GPIO_LED_KEYS = List.of("health", "active");
    private static final Pattern GPIOCHIP = Pattern.compile("gpiochip[0-9]{1,3}");

    /** The front panel, when the file has a {@code gpio} section. */
    private Optional<GpioConfig> gpio(Section top, List<WanDraft> wans) {
        Node node = top.value("gpio");
        MappingNode map = node == null ? null : mapping(node, "gpio");
        if (map == null) {
            return Optional.empty();
        }
        int errorsBefore = errors.size();
        Section s = new Section(map, "gpio", GPIO_KEYS);
        Located<GpioConfig.Provider> provider = s.defaulted("provider", GpioConfig.Provider.GPIOD, this::gpioProvider);
        Located<Optional<String>> chip = s.defaulted("chip", Optional.empty(), this::gpioChip);
        List<Located<Long>> pins = new ArrayList<>();
        Located<Long> button = s.defaulted("button", null, this::gpioPin);
        pins.add(button);
        Map<String, GpioConfig.UplinkLeds> leds = new LinkedHashMap<>();
        Node ledsNode = s.value("leds");
        MappingNode ledsMap = ledsNode == null ? null : mapping(ledsNode, s.path("leds"));
        List<String> wanNames = wans.stream().map(w -> w.name == null ? null : w.name.value).toList();
        for (NodeTuple t : ledsMap == null ? List.<NodeTuple>of() : ledsMap.getValue()) {
            String wan = text(t.getKeyNode(), s.path("leds"), "an uplink name such as isp1");
            if (wan == null) {
                continue;
            }
            String path = s.path("leds") + "." + wan;
            if (!wanNames.contains(null) && !wanNames.contains(wan)) {
                error(line(t.getKeyNode()), path, "no uplink named " + quote(wan) + "; the uplinks are "
                        + String.join(", ", wanNames));
            }
            MappingNode entry = mapping(t.getValueNode(), path);
            if (entry == null) {
                continue;
            }
            Section ls = new Section(entry, path, GPIO_LED_KEYS);
            Located<Long> health = ls.defaulted("health", null, this::gpioPin);
            Located<Long> active = ls.defaulted("active", null, this::gpioPin);
            if (!health.explicit && !active.explicit) {
                error(line(entry), path, "give the BCM pin of its health LED, its active LED or both, such as"
                        + " {health: 17, active: 27}");
            }
            pins.add(health);
            pins.add(active);
            leds.put(wan, new GpioConfig.UplinkLeds(optionalPin(health), optionalPin(active)));
        }
        if (!button.explicit && leds.isEmpty() && ledsNode == null) {
            error(line(top.entries.get("gpio").getKeyNode()), "gpio", "a front panel needs leds, a button or both;"
                    + " remove the section if there is no panel");
        }
        unique(pins.stream().filter(p -> p.explicit).toList(), "pin", "each GPIO pin drives one LED or reads"
                + " the button");
        if (errors.size() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new GpioConfig(provider.value, chip.value, leds, optionalPin(button)));
    }

    private static OptionalInt optionalPin(Located<Long> pin) {
        return pin.value == null ? OptionalInt.empty() : OptionalInt.of((int) (long) pin.value);
    }

    private Long gpioPin(Node n, String key) {
        return ranged(n, key, 0, GpioConfig.MAX_PIN, "a BCM GPIO number");
    }

    private GpioConfig.Provider gpioProvider(Node n, String key) {
        String text = text(n, key, "gpiod or mock");
        if (text == null) {
            return null;
        }
        for (GpioConfig.Provider p : GpioConfig.Provider.values()) {
            if (p.label().equals(text)) {
                return p;
            }
        }
        error(line(n), key, "unknown provider " + quote(text) + "; use gpiod (a Raspberry Pi's GPIO) or mock"
                + " (no hardware: the panel is only shown in the state file)");
        return null;
    }

    private Optional<String> gpioChip(Node n, String key) {
        String text = text(n, key, "auto or a chip name such as gpiochip0");
        if (text == null) {
            return null;
        }
        if (text.equals("auto")) {
            return Optional.empty();
        }
        if (!GPIOCHIP.matcher(text).matches()) {
            error(line(n), key, "write auto (the chip labelled pinctrl-*) or a chip name such as gpiochip0, found "
                    + quote(text));
            return null;
        }
        return Optional.of(text);
    }

    // ------------------------------------------------------------------------------------------------ mqtt

    private static final List<String> MQTT_KEYS = List.of("broker", "client-id", "username", "password-file",
            "ca-file", "topic-prefix", "discovery-prefix", "keep-alive");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** Longest {@code mqtt.topic-prefix} and {@code mqtt.discovery-prefix}. */
    public static final int MAX_TOPIC_PREFIX = 128;
    /** Longest {@code mqtt.username}. */
    public static final int MAX_USERNAME = 256;
    /** Range of {@code mqtt.keep-alive} (MQTT counts it in whole seconds). */
    public static final Duration MIN_KEEP_ALIVE = Duration.ofSeconds(1);
    public static final Duration MAX_KEEP_ALIVE = Duration.ofHours(1);

    /** The {@code mqtt} section; absent means MQTT off. Empty also after an error (which is recorded). */
    private Optional<MqttConfig> mqtt(Section top) {
        Node node = top.value("mqtt");
        MappingNode map = node == null ? null : mapping(node, "mqtt");
        if (map == null) {
            return Optional.empty();
        }
        Section s = new Section(map, "mqtt", MQTT_KEYS);
        Node brokerNode = s.required("broker", "the broker, such as tcp://192.168.1.10:1883 or ssl://broker.lan:8883");
        URI broker = brokerNode == null ? null : brokerUri(brokerNode, s.path("broker"));
        String host = Hostname.id();
        Located<String> clientId = s.defaulted("client-id", Defaults.mqttClientId(host), this::clientId);
        Located<Optional<String>> username = s.defaulted("username", Optional.empty(), this::username);
        Located<Optional<FileSetting>> passwordFile = s.defaulted("password-file", Optional.empty(), this::fileSetting);
        Located<Optional<FileSetting>> caFile = s.defaulted("ca-file", Optional.empty(), this::fileSetting);
        Located<String> topicPrefix = s.defaulted("topic-prefix", Defaults.mqttTopicPrefix(host), this::topicPrefix);
        Located<String> discoveryPrefix = s.defaulted("discovery-prefix", Defaults.MQTT_DISCOVERY_PREFIX,
                this::topicPrefix);
        Located<Duration> keepAlive = s.defaulted("keep-alive", Defaults.MQTT_KEEP_ALIVE, this::keepAlive);
        if (passwordFile.value != null && passwordFile.value.isPresent() && username.value != null
                && username.value.isEmpty()) {
            error(passwordFile.line, passwordFile.key, "a password needs mqtt.username too (MQTT sends no password"
                    + " without a user name)");
        }
        if (caFile.value != null && caFile.value.isPresent() && broker != null && "tcp".equals(broker.getScheme())) {
            error(caFile.line, caFile.key, "is only used for TLS, but the broker (line " + line(brokerNode)
                    + ") is " + broker + "; use ssl://HOST:8883, or remove ca-file");
        }
        if (broker == null || clientId.value == null || username.value == null || passwordFile.value == null
                || caFile.value == null || topicPrefix.value == null || discoveryPrefix.value == null
                || keepAlive.value == null) {
            return Optional.empty();
        }
        return Optional.of(new MqttConfig(broker, clientId.value, username.value, passwordFile.value, caFile.value,
                topicPrefix.value, discoveryPrefix.value, keepAlive.value));
    }

    private URI brokerUri(Node n, String key) {
        String text = text(n, key, "a URI such as tcp://192.168.1.10:1883");
        if (text == null) {
            return null;
        }
        String form = "; write tcp://HOST[:PORT] or, for TLS, ssl://HOST[:PORT]";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            error(line(n), key, "is not a URI (" + e.getReason() + "): " + quote(text) + form);
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("tcp") && !scheme.equals("ssl")) {
            String hint = switch (scheme.toLowerCase(java.util.Locale.ROOT)) {
                case "mqtt" -> "; for a plain connection write tcp://";
                case "mqtts" -> "; for TLS write ssl://";
                case "ws", "wss" -> "; WebSocket brokers are not supported";
                default -> form;
            };
            error(line(n), key, "the scheme must be tcp:// or ssl://, found " + quote(text) + hint);
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            error(line(n), key, "must not contain a user or password; use mqtt.username and mqtt.password-file");
            return null;
        }
        if (uri.getHost() == null) {
            error(line(n), key, "needs a host name or address, found " + quote(text) + form);
            return null;
        }
        boolean pathless = uri.getRawPath() == null || uri.getRawPath().isEmpty();
        if (!pathless || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            error(line(n), key, "must be only a scheme, a host and a port, found " + quote(text) + form);
            return null;
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            error(line(n), key, "the port must be between 1 and 65535, found " + uri.getPort());
            return null;
        }
        return uri;
    }

    private String clientId(Node n, String key) {
        String text = text(n, key, "a client id such as dualwan-pi");
        if (text != null && !CLIENT_ID.matcher(text).matches()) {
            error(line(n), key, "must be 1-64 characters of letters, digits, '_', '.' and '-', found " + quote(text));
            return null;
        }
        return text;
    }

    private Optional<String> username(Node n, String key) {
        String text = text(n, key, "a user name");
        if (text == null) {
            return null;
        }
        if (text.isEmpty() || text.length() > MAX_USERNAME || text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            error(line(n), key, "must be 1-" + MAX_USERNAME + " characters without control characters, found "
                    + quote(text));
            return null;
        }
        return Optional.of(text);
    }

    private Optional<FileSetting> fileSetting(Node n, String key) {
        String text = text(n, key, "an absolute file path");
        if (text == null) {
            return null;
        }
        if (!text.startsWith("/") || text.endsWith("/")) {
            error(line(n), key, "must be an absolute file path such as /etc/dualwan/mqtt.secret, found " + quote(text));
            return null;
        }
        try {
            return Optional.of(new FileSetting(Path.of(text), line(n)));
        } catch (InvalidPathException e) {
            error(line(n), key, "is not a usable file path: " + e.getReason());
            return null;
        }
    }

    /** Topic levels such as {@code dualwan/pi}: no wildcards, no empty level, not a {@code $} system topic. */
    private String topicPrefix(Node n, String key) {
        String text = text(n, key, "topic levels such as dualwan/pi");
        if (text == null) {
            return null;
        }
        String problem = null;
        if (text.isEmpty() || text.length() > MAX_TOPIC_PREFIX) {
            problem = "must be 1-" + MAX_TOPIC_PREFIX + " characters";
        } else if (text.contains("+") || text.contains("#")) {
            problem = "must not contain the wildcards '+' or '#'";
        } else if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            problem = "must not contain control characters";
        } else if (text.startsWith("$")) {
            problem = "must not start with '$' (the broker's own topics)";
        } else if (text.startsWith("/") || text.endsWith("/") || text.contains("//")) {
            problem = "must be levels separated by single '/', without a leading or trailing '/'";
        }
        if (problem != null) {
            error(line(n), key, problem + ", found " + quote(text));
            return null;
        }
        return text;
    }

    private Duration keepAlive(Node n, String key) {
        Duration d = duration(n, key);
        if (d == null) {
            return null;
        }
        if (d.toMillis() % 1000 != 0 || d.compareTo(MIN_KEEP_ALIVE) < 0 || d.compareTo(MAX_KEEP_ALIVE) > 0) {
            error(line(n), key, "must be whole seconds between " + Durations.format(MIN_KEEP_ALIVE) + " and "
                    + Durations.format(MAX_KEEP_ALIVE) + ", found " + Durations.format(d));
            return null;
        }
        return d;
    }

    // ------------------------------------------------------------------------------------------------ values

    /** A value with where it came from; for defaults, the line of the enclosing map. */
    private record Located<T>(T value, int line, String key, boolean explicit) {
    }

    @FunctionalInterface
    private interface ValueParser<T> {
        /** Returns the value, or null after recording an error. */
        T parse(Node node, String key);
    }

    /** One map of the file, checked for unknown and duplicate keys as it is opened. */
    private final class Section {
        private final Node node;
        private final String path;
        private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
        private final Set<String> reported = new HashSet<>();

        Section(MappingNode node, String path, List<String> allowed) {
            this.node = node;
            this.path = path;
            if (node == null) {
                return;
            }
            for (NodeTuple t : node.getValue()) {
                Node k = t.getKeyNode();
                if (!(k instanceof ScalarNode sk) || sk.getTag().equals(Tag.NULL)) {
                    error(line(k), path, "a key must be a plain word, found " + describe(k) + "; allowed keys"
                            + " here: " + String.join(", ", allowed));
                    continue;
                }
                String key = sk.getValue();
                if (sk.getTag().equals(Tag.MERGE)) {
                    error(line(k), path(key), "merge keys (<<) are not supported; write the keys out");
                    continue;
                }
                if (!allowed.contains(key)) {
                    error(line(k), path(key), "unknown key " + quote(key) + "; allowed keys here: "
                            + String.join(", ", allowed));
                    continue;
                }
                NodeTuple first = entries.putIfAbsent(key, t);
                if (first != null) {
                    error(line(k), path(key), "duplicate key (first given at line " + line(first.getKeyNode())
                            + "); give each key once");
                }
            }
        }

        /** Line of this map, used to locate defaulted values. */
        int mapLine() {
            return node == null ? 0 : ConfigLoader.line(node);
        }

        String path(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        /** The value node, or null when absent or written without a value (which is reported). */
        Node value(String key) {
            NodeTuple t = entries.get(key);
            if (t == null) {
                return null;
            }
            Node v = t.getValueNode();
            if (v instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
                if (reported.add(key)) {
                    error(ConfigLoader.line(t.getKeyNode()), path(key), "has no value; give one, or remove the"
                            + " line to use the default");
                }
                return null;
            }
            return v;
        }

        /** Like {@link #value} but reports a missing key. */
        Node required(String key, String what) {
            Node v = value(key);
            if (v == null && !reported.contains(key)) {
                error(defaultLine(), path(key), "missing; every " + (path.isEmpty() ? "config" : "entry")
                        + " needs " + quote(key) + " (" + what + ")");
            }
            return v;
        }

        /** A nested section; an absent one behaves as an empty map. */
        Section section(String key, List<String> allowed) {
            Node v = value(key);
            MappingNode map = v == null ? null : mapping(v, path(key));
            Section s = new Section(map, path(key), allowed);
            return map == null ? s.locatedAt(this) : s;
        }

        private Section parentForLine;

        private Section locatedAt(Section parent) {
            this.parentForLine = parent;
            return this;
        }

        private int defaultLine() {
            if (node != null) {
                return mapLine();
            }
            return parentForLine == null ? 0 : parentForLine.defaultLine();
        }

        /** The parsed value, or {@code fallback} when absent; the value is null when the file had an error. */
        <T> Located<T> defaulted(String key, T fallback, ValueParser<T> parser) {
            Node v = value(key);
            if (v == null) {
                return new Located<>(reported.contains(key) ? null : fallback, defaultLine(), path(key), false);
            }
            return new Located<>(parser.parse(v, path(key)), ConfigLoader.line(v), path(key), true);
        }
    }

    private MappingNode mapping(Node n, String key) {
        if (n instanceof MappingNode m) {
            return m;
        }
        typeError(n, key, "a map of keys (key: value)");
        return null;
    }

    private SequenceNode sequence(Node n, String key) {
        if (n instanceof SequenceNode s) {
            return s;
        }
        typeError(n, key, "a list (one '- item' per line, or [a, b])");
        return null;
    }

    /** The text of a plain scalar (string, number or boolean as written), or null after an error. */
    private String text(Node n, String key, String expected) {
        if (n instanceof ScalarNode s && isPlainType(s.getTag()) && !s.getTag().equals(Tag.NULL)) {
            return s.getValue();
        }
        typeError(n, key, expected);
        return null;
    }

    private static boolean isPlainType(Tag tag) {
        return tag.equals(Tag.STR) || tag.equals(Tag.INT) || tag.equals(Tag.FLOAT) || tag.equals(Tag.BOOL);
    }

    private Long integer(Node n, String key) {
        if (!(n instanceof ScalarNode s) || !s.getTag().equals(Tag.INT)) {
            String hint = n instanceof ScalarNode s && DECIMAL.matcher(s.getValue()).matches()
                    ? " (remove the quotes)" : "";
            typeError(n, key, "a whole number" + hint);
            return null;
        }
        String v = s.getValue();
        if (!DECIMAL.matcher(v).matches()) {
            error(line(n), key, "write a plain decimal number (no '+', leading zeros, '_' or 0x/0o/0b prefix),"
                    + " found " + quote(v));
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            error(line(n), key, "is far too large: " + quote(v));
            return null;
        }
    }

    private Long ranged(Node n, String key, long min, long max, String what) {
        Long v = integer(n, key);
        if (v == null) {
            return null;
        }
        if (v < min || v > max) {
            error(line(n), key, what + " must be between " + min + " and " + max + ", found " + v);
            return null;
        }
        return v;
    }

    private Boolean bool(Node n, String key) {
        if (n instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
            if (TRUE.contains(s.getValue())) {
                return true;
            }
            if (FALSE.contains(s.getValue())) {
                return false;
            }
            error(line(n), key, "write true or false, found " + quote(s.getValue()));
            return null;
        }
        typeError(n, key, "true or false");
        return null;
    }

    private Duration duration(Node n, String key) {
        String text = text(n, key, "a duration such as 500ms, 2s or 1m");
        if (text == null) {
            return null;
        }
        try {
            Duration d = Durations.parse(text);
            if (d.compareTo(MAX_DURATION) > 0) {
                error(line(n), key, "must be at most " + Durations.format(MAX_DURATION) + ", found " + quote(text));
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            error(line(n), key, e.getMessage());
            return null;
        }
    }

    private String ifname(Node n, String key) {
        String text = text(n, key, "a Linux interface name such as eth1");
        if (text == null) {
            return null;
        }
        if (!IFNAME.matcher(text).matches() || text.equals(".") || text.equals("..")) {
            error(line(n), key, "is not a Linux interface name (1-15 characters of letters, digits, '_', '.'"
                    + " and '-'): " + quote(text));
            return null;
        }
        return text;
    }

    /**
     * An IPv4 unicast address a probe or route can target: not 0.0.0.0/8, loopback, multicast, reserved or
     * broadcast. Parsed by hand; never resolves names.
     */
    private Inet4Address unicastAddress(String text, Node n, String key, String alternatives) {
        byte[] bytes;
        try {
            bytes = Ipv4.parse(text);
        } catch (IllegalArgumentException e) {
            error(line(n), key, e.getMessage() + (alternatives.isEmpty() ? "" : "; write " + alternatives
                    + "an IPv4 address"));
            return null;
        }
        int first = bytes[0] & 0xFF;
        String problem = null;
        if (first == 0) {
            problem = "is a 'this network' address (0.0.0.0/8)";
        } else if (first == 127) {
            problem = "is a loopback address";
        } else if (first >= 224 && first <= 239) {
            problem = "is a multicast address";
        } else if (text.equals("255.255.255.255")) {
            problem = "is the broadcast address";
        } else if (first >= 240) {
            problem = "is in the reserved range 240.0.0.0/4";
        }
        if (problem != null) {
            error(line(n), key, text + " " + problem + "; use a unicast address reachable through the uplink");
            return null;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, which Ipv4.parse rules out
        }
    }

    /** Dotted-quad IPv4 parsing without any name lookup. */
    // ------------------------------------------------------------------------------------------------ errors

    private void typeError(Node n, String key, String expected) {
        error(line(n), key, "expected " + expected + ", found " + describe(n));
    }

    private void error(int line, String key, String message) {
        errors.add(new ConfigError(file, line, key, message));
    }

    /** 1-based line of the code point at {@code index}. */
    private static int lineOfCodePoint(String text, int index) {
        int line = 1;
        int i = 0;
        for (int cp = 0; i < text.length() && cp < index; cp++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
            i += Character.charCount(text.codePointAt(i));
        }
        return line;
    }

    private static int line(Node n) {
        return n == null || n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    private static String describe(Node n) {
        if (n instanceof MappingNode) {
            return "a map";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        if (n instanceof ScalarNode s) {
            if (s.getTag().equals(Tag.NULL)) {
                return "nothing";
            }
            String kind = s.getTag().equals(Tag.STR) ? "text " : s.getTag().equals(Tag.INT) ? "the number "
                    : s.getTag().equals(Tag.BOOL) ? "the boolean " : s.getTag().equals(Tag.FLOAT)
                    ? "the number " : "the value tagged " + s.getTag().getValue() + " ";
            return kind + quote(s.getValue());
        }
        return "an unexpected node";
    }

    /** Quotes a value for a message, shortened and with control characters escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        int max = 60;
        for (int i = 0; i < s.length() && i < max; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > max) {
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
