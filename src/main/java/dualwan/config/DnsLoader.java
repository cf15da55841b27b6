package dualwan.config;

import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DNS: each uplink's {@code dns} servers and the top-level {@code dns} section.
 */
final class DnsLoader extends YamlReader {

    private static final List<String> DNS_KEYS =
            List.of("follow-active", "resolv-file", "learned-dir");

    DnsLoader(YamlReader same) {
        super(same);
    }

    // ------------------------------------------------------------------------------------------------ dns

    /** {@code wans[].dns}: {@code auto}, or a list of 1..MAX_DNS_SERVERS IPv4 addresses. */
    Optional<List<Inet4Address>> wanDns(Node n, String key) {
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
        if (count == 0 || count > ConfigLoader.MAX_DNS_SERVERS) {
            error(line(seq), key, "list 1 to " + ConfigLoader.MAX_DNS_SERVERS + " DNS servers, found " + count
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
    Optional<DnsConfig> dns(Section top) {
        if (top.value("dns") == null) {
            return Optional.empty();
        }
        Section s = top.section("dns", DNS_KEYS);
        Located<Boolean> follow = s.defaulted("follow-active", Defaults.DNS_FOLLOW_ACTIVE, this::bool);
        Located<Path> resolv = s.defaulted("resolv-file", Defaults.DNS_RESOLV_FILE,
                (n, key) -> absolutePath(n, key, Defaults.DNS_RESOLV_FILE));
        Located<Path> learned = s.defaulted("learned-dir", Defaults.DNS_LEARNED_DIR,
                (n, key) -> absolutePath(n, key, Defaults.DNS_LEARNED_DIR));
        if (follow.value == null || resolv.value == null || learned.value == null) {
            return Optional.empty();
        }
        return Optional.of(new DnsConfig(follow.value, resolv.value, learned.value));
    }
}
