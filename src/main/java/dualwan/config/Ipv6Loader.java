package dualwan.config;

import org.yaml.snakeyaml.nodes.Node;

import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * IPv6: the IPv6 hosts of {@code wans[].check.hosts}, {@code wans[].gateway6}, {@code nat6} and {@code prefix6},
 * and {@code lan.ipv6}. An uplink has IPv6 when it lists IPv6 hosts or gives a {@code gateway6}; the keys that
 * only make sense with IPv6 are errors on one that has none, so a typo never silently turns IPv6 off.
 */
final class Ipv6Loader extends YamlReader {

    static final List<String> WAN_KEYS = List.of("gateway6", "nat6", "prefix6");
    private static final List<String> LAN_IPV6_KEYS = List.of("prefix", "learned-dir");
    private static final String NONE = "none";
    private static final String LEARNED = "learned";

    /** Line of {@code lan.ipv6.prefix}, for messages about prefixes that must fit it. */
    private int lanPrefixLine;

    Ipv6Loader(YamlReader same) {
        super(same);
    }

    /** An uplink's IPv6 keys as read; a field is null where the file had an error. */
    static final class Draft {
        /** empty value: auto; null value: error */
        Located<Optional<Inet6Address>> gateway;
        boolean gatewayNone;
        Located<Nat6> nat;
        /** empty value: not given or {@code learned} */
        Located<Optional<Prefix6>> prefix;
        boolean prefixLearned;
    }

    /** An IPv6 probe host: a global or ULA unicast address (a link-local one names no remote host). */
    Inet6Address host(String text, Node n, String key) {
        Inet6Address a = address(text, n, key);
        if (a != null && Ipv6.linkLocal(a)) {
            error(line(n), key, text + " is link-local (fe80::/10); list remote hosts, whose answers prove the path"
                    + " beyond the gateway (gateway6 is probed by check.gateway)");
            return null;
        }
        return a;
    }

    private Inet6Address address(String text, Node n, String key) {
        Inet6Address a;
        try {
            a = Ipv6.of(text);
        } catch (IllegalArgumentException e) {
            error(line(n), key, e.getMessage());
            return null;
        }
        Optional<String> problem = Ipv6.notUnicast(a);
        if (problem.isPresent()) {
            error(line(n), key, text + " " + problem.get() + "; use a unicast address reachable through the uplink");
            return null;
        }
        return a;
    }

    Draft wan(Section s, String iface) {
        Draft d = new Draft();
        d.gateway = s.defaulted("gateway6", Optional.empty(), (n, key) -> gateway(n, key, iface, d));
        d.nat = s.defaulted("nat6", Defaults.WAN_NAT6, (n, key) -> choice(n, key, Nat6.values(), Nat6::label));
        d.prefix = s.defaulted("prefix6", Optional.empty(), (n, key) -> delegated(n, key, d));
        return d;
    }

    private Optional<Inet6Address> gateway(Node n, String key, String iface, Draft d) {
        String text = text(n, key, "'auto', 'none' or an IPv6 address such as fe80::1");
        if (text == null) {
            return null;
        }
        if (text.equals(Defaults.WAN_GATEWAY6)) {
            return Optional.empty();
        }
        if (text.equals(NONE)) {
            d.gatewayNone = true;
            return Optional.empty();
        }
        String literal = text;
        int pct = text.indexOf('%');
        if (pct >= 0) {
            literal = text.substring(0, pct);
            String scope = text.substring(pct + 1);
            if (iface != null && !scope.equals(iface)) {
                error(line(n), key, "the scope of " + quote(text) + " is the uplink's own interface " + iface
                        + "; write " + literal + " or " + literal + "%" + iface);
                return null;
            }
        }
        Inet6Address a = address(literal, n, key);
        if (a == null) {
            return null;
        }
        if (pct >= 0 && !Ipv6.linkLocal(a)) {
            error(line(n), key, literal + " is not link-local, so it takes no %scope; write " + literal);
            return null;
        }
        return Optional.of(a);
    }

    private Optional<Prefix6> delegated(Node n, String key, Draft d) {
        String text = text(n, key, "'learned' or a prefix such as 2001:db8:100::/56");
        if (text == null) {
            return null;
        }
        if (text.equals(LEARNED)) {
            d.prefixLearned = true;
            return Optional.empty();
        }
        Prefix6 p = prefix(text, n, key, "'learned' (from the DHCPv6 client's hook) or ");
        return p == null ? null : Optional.of(p);
    }

    /** A routable prefix of 1..128 bits, host bits zero. */
    private Prefix6 prefix(String text, Node n, String key, String alternatives) {
        Prefix6 p;
        try {
            p = Prefix6.parse(text);
        } catch (IllegalArgumentException e) {
            error(line(n), key, e.getMessage() + "; write " + alternatives + "a prefix such as 2001:db8:100::/56");
            return null;
        }
        Optional<String> problem = p.length() == 0 ? Optional.of("is the whole address space")
                : Ipv6.linkLocal(p.address()) ? Optional.of("is link-local") : Ipv6.notUnicast(p.address());
        if (problem.isPresent()) {
            error(line(n), key, text + " " + problem.get() + "; use a global or ULA (fc00::/7) prefix");
            return null;
        }
        return p;
    }

    /** {@code lan.ipv6}: absent, IPv6 is left alone. */
    Optional<LanIpv6Config> lan(Section lan) {
        if (lan.value("ipv6") == null) {
            return Optional.empty();
        }
        Section s = lan.section("ipv6", LAN_IPV6_KEYS);
        Node p = s.required("prefix", "the LAN's own IPv6 prefix, such as fd00:1::/64");
        Prefix6 prefix = null;
        if (p != null) {
            lanPrefixLine = line(p);
            String text = text(p, s.path("prefix"), "a prefix such as fd00:1::/64");
            prefix = text == null ? null : prefix(text, p, s.path("prefix"), "");
        }
        Located<Path> dir = s.defaulted("learned-dir", Defaults.LAN_IPV6_LEARNED_DIR,
                (n, key) -> absolutePath(n, key, Defaults.LAN_IPV6_LEARNED_DIR));
        if (prefix == null || dir.value == null) {
            return Optional.empty();
        }
        return Optional.of(new LanIpv6Config(prefix, dir.value));
    }

    /**
     * The uplink's IPv6, after its check and the LAN are read: empty when it has none.
     *
     * @param hostCount6    how many IPv6 hosts its check lists
     * @param firstHostLine the line of the first of them (0 when none)
     * @param gatewayCheck  {@code check.gateway}, with where it was set
     */
    Optional<Wan6Config> finish(Draft d, String wanPath, int hostCount6, int firstHostLine,
                                Located<Boolean> gatewayCheck, Optional<LanIpv6Config> lan) {
        if (d.gateway.value == null || d.nat.value == null || d.prefix.value == null) {
            return Optional.empty();
        }
        boolean hasIpv6 = !d.gatewayNone && (hostCount6 > 0 || d.gateway.explicit);
        if (d.gatewayNone && hostCount6 > 0) {
            error(d.gateway.line, d.gateway.key, "is none, but check.hosts lists IPv6 hosts (line " + firstHostLine
                    + ") whose probes need an IPv6 gateway; remove them or write gateway6: auto or an address");
            return Optional.empty();
        }
        for (Located<?> k : List.of(d.nat, d.prefix)) {
            if (k.explicit && !hasIpv6) {
                error(k.line, k.key, "is set, but " + wanPath + " has no IPv6 (" + (d.gatewayNone ? "gateway6 is"
                        + " none" : "no IPv6 hosts in check.hosts and no gateway6") + ")");
                return Optional.empty();
            }
        }
        if (!hasIpv6) {
            return Optional.empty();
        }
        if (hostCount6 == 0 && Boolean.FALSE.equals(gatewayCheck.value)) {
            error(gatewayCheck.line, gatewayCheck.key, "must be true for " + wanPath + "'s IPv6, which has no IPv6"
                    + " hosts: with neither hosts nor a gateway check nothing would tell whether it works");
            return Optional.empty();
        }
        if (d.nat.explicit && lan.isEmpty()) {
            error(d.nat.line, d.nat.key, "translates the LAN's IPv6 traffic, but there is no lan.ipv6 section;"
                    + " add lan.ipv6.prefix (the LAN's own prefix)");
            return Optional.empty();
        }
        boolean prefixKnown = d.prefixLearned || d.prefix.value.isPresent();
        if (d.nat.value == Nat6.PREFIX && !prefixKnown) {
            error(d.nat.line, d.nat.key, "prefix translation needs the uplink's delegated prefix: add prefix6:"
                    + " learned (written by the DHCPv6 client's hook, see board/prefix-hooks) or a static prefix6");
            return Optional.empty();
        }
        if (lan.isPresent() && d.prefix.value.isPresent()) {
            Prefix6 delegated = d.prefix.value.get();
            Prefix6 own = lan.get().prefix();
            if (d.nat.value == Nat6.PREFIX && delegated.length() > own.length()) {
                error(d.prefix.line, d.prefix.key, "/" + delegated.length() + " is longer than lan.ipv6.prefix " + own
                        + " (line " + lanPrefixLine + "): prefix translation maps the LAN's /" + own.length()
                        + " onto a delegated prefix of that length or shorter");
                return Optional.empty();
            }
            if (d.nat.value == Nat6.NONE && !(delegated.length() <= own.length() && delegated.contains(own.address()))) {
                error(d.prefix.line, d.prefix.key, delegated + " does not contain lan.ipv6.prefix " + own + " (line "
                        + lanPrefixLine + "): with nat6: none the LAN's addresses must be the ISP's own");
                return Optional.empty();
            }
        }
        return Optional.of(new Wan6Config(d.gateway.value, d.nat.value, d.prefix.value, d.prefixLearned));
    }
}
