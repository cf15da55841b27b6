package dualwan.app;

import dualwan.linux.IpJson;
import dualwan.linux.Links;
import dualwan.linux.Links.Link;
import dualwan.plan.RouteSpec;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The config {@code dualwan init} writes, from what the board shows: its interfaces (carrier, addresses), the
 * main table's default routes and which interface faces the LAN. Pure: tested on captured {@code ip -json}.
 *
 * <p>An uplink is an interface with a default route in the main table (what a DHCP client installs) or a
 * point-to-point peer (PPP), best metric first. The LAN is every other interface with an IPv4 address that is
 * not a bridge's port (a bridge itself counts).
 */
final class StarterConfig {

    /** Probed through each uplink: public anycast resolvers, distinct per uplink so one outage is not two. */
    static final List<List<String>> HOSTS = List.of(
            List.of("1.1.1.1", "8.8.8.8", "9.9.9.9"),
            List.of("1.0.0.1", "8.8.4.4", "149.112.112.112"));
    static final int MAX_UPLINKS = 8;

    /** What {@code ip -json} printed: {@code -details link show}, {@code -4 addr show}, {@code -4 route show table main}. */
    record Board(List<Link> links, Map<String, Inet4Address[]> addresses, List<RouteSpec> mainRoutes) {

        static Board parse(String linkJson, String addrJson, String mainRouteJson) throws IOException {
            return new Board(Links.parse(linkJson), IpJson.addressesAndPeers(addrJson), IpJson.routes(mainRouteJson));
        }

        Optional<RouteSpec> defaultVia(String iface) {
            return mainRoutes.stream().filter(r -> "default".equals(r.dst()) && r.dev().equals(Optional.of(iface)))
                    .min(Comparator.comparingLong(RouteSpec::metric));
        }

        Optional<Inet4Address> peer(String iface) {
            return Optional.ofNullable(addresses.get(iface)).map(a -> a[1]);
        }

        Optional<Inet4Address> address(String iface) {
            return Optional.ofNullable(addresses.get(iface)).map(a -> a[0]);
        }
    }

    /** The YAML, the uplinks and LAN interfaces it names (empty uplinks: placeholders were written). */
    record Result(String yaml, List<String> uplinks, List<String> lan) {
    }

    private StarterConfig() {
    }

    static Result generate(Board board, String hostname) {
        List<Link> candidates = board.links().stream()
                .filter(l -> !"loopback".equals(l.type()) && l.master().isEmpty()).toList();
        List<Link> uplinks = candidates.stream()
                .filter(l -> board.defaultVia(l.name()).isPresent() || board.peer(l.name()).isPresent())
                .sorted(Comparator.comparingLong((Link l) -> board.defaultVia(l.name()).map(RouteSpec::metric)
                        .orElse(Long.MAX_VALUE)).thenComparing(Link::name))
                .limit(MAX_UPLINKS).toList();
        List<Link> lan = candidates.stream()
                .filter(l -> !uplinks.contains(l) && board.address(l.name()).isPresent()).toList();
        List<Link> unused = candidates.stream().filter(l -> !uplinks.contains(l) && !lan.contains(l)).toList();

        StringBuilder y = new StringBuilder();
        y.append("# dualwan configuration, written by \"dualwan init\" on ").append(hostname)
                .append(" from what the board showed.\n");
        y.append("# Uplinks are the interfaces with a default route in the main table (DHCP) or a point-to-point\n");
        y.append("# peer (PPP), best route metric first; the LAN is every other interface with an IPv4 address.\n");
        y.append("# Every key, with its default: /usr/share/doc/dualwan/examples/dualwan.example.yaml\n");
        y.append("# After an edit: dualwan check --config /etc/dualwan/dualwan.yaml && systemctl restart dualwan\n");
        if (!unused.isEmpty()) {
            y.append("# Not used: ").append(String.join(", ", unused.stream().map(l -> l.name() + " ("
                    + describe(board, l) + ")").toList())).append('\n');
        }
        y.append("\nwans:\n");
        if (uplinks.isEmpty()) {
            y.append("  # NO UPLINK FOUND: no default route in the main table and no point-to-point link. Plug in the\n");
            y.append("  # uplinks (their DHCP clients install the default routes) and run \"dualwan init\" again,\n");
            y.append("  # or put the interface names in place of these placeholders.\n");
            appendWan(y, 0, "wan1", "placeholder");
            appendWan(y, 1, "wan2", "placeholder");
        } else {
            for (int i = 0; i < uplinks.size(); i++) {
                appendWan(y, i, uplinks.get(i).name(), describe(board, uplinks.get(i)));
            }
            if (uplinks.size() == 1) {
                y.append("  # Only one uplink found: plug in the second one and run \"dualwan init\" again.\n");
            }
        }
        y.append("\nfailback:\n");
        y.append("  hold: 30s                   # a better uplink must be healthy this long before traffic returns\n");
        y.append("\nlan:\n");
        if (lan.isEmpty()) {
            y.append("  interfaces: []              # no LAN interface with an address found\n");
        } else {
            y.append("  interfaces: [").append(String.join(", ", lan.stream().map(Link::name).toList()))
                    .append("]\n");
            lan.forEach(l -> y.append("  # ").append(l.name()).append(": ").append(describe(board, l)).append('\n'));
        }
        return new Result(y.toString(), uplinks.stream().map(Link::name).toList(), lan.stream().map(Link::name).toList());
    }

    private static void appendWan(StringBuilder y, int index, String iface, String found) {
        y.append("  - name: isp").append(index + 1).append("               # ").append(found).append('\n');
        y.append("    interface: ").append(iface).append('\n');
        y.append("    gateway: auto             # followed as the DHCP/PPP client changes it\n");
        y.append("    check:\n");
        y.append("      hosts: [").append(String.join(", ", HOSTS.get(index % HOSTS.size())))
                .append("]   # probed through this uplink only; 1 answer is enough\n");
    }

    /** "carrier, 192.168.1.1, default via 100.64.1.1 metric 100", for the comments. */
    static String describe(Board board, Link l) {
        List<String> parts = new ArrayList<>();
        l.kind().ifPresent(parts::add);
        parts.add(!l.up() ? "down" : l.carrier() ? "carrier" : "no carrier");
        board.address(l.name()).ifPresent(a -> parts.add(a.getHostAddress()));
        board.peer(l.name()).ifPresent(p -> parts.add("peer " + p.getHostAddress()));
        board.defaultVia(l.name()).ifPresent(r -> parts.add("default"
                + r.gateway().map(g -> " via " + g.getHostAddress()).orElse("") + " metric " + r.metric()));
        return String.join(", ", parts);
    }
}
