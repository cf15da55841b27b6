package dualwan.linux;

import dualwan.plan.Route6Spec;
import dualwan.plan.Rule6Spec;
import dualwan.plan.RuleSpec;
import dualwan.plan.RouteSpec;

import dualwan.health.LinkState;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** What the daemon asks of the kernel. The real one is {@link LinuxKernel}; tests of the daemon use a fake. */
public interface Kernel {

    LinkState link(String iface);

    /**
     * Every interface's first global IPv4 address and, on a point-to-point link, its peer (else null in slot 1),
     * by interface name. One read for all uplinks.
     */
    Map<String, Inet4Address[]> addressesAndPeers() throws IOException;

    /**
     * The gateway of the main table's lowest-metric default route through each interface (what the DHCP client
     * installed), by interface name. One read for all uplinks.
     */
    Map<String, Inet4Address> mainDefaultGateways() throws IOException;

    List<RuleSpec> rules() throws IOException;

    Map<Integer, List<RouteSpec>> tables(Iterable<Integer> ids) throws IOException;

    /**
     * Calls {@code onChange} (from another thread) soon after any link, address, route or rule changes, so that
     * nothing needs to be polled often. Closing the result stops it. The default never calls: poll instead.
     */
    default AutoCloseable watch(Consumer<KernelEvent> onChange) {
        return () -> { };
    }

    /** Each interface's usable global IPv6 addresses, preferred first. Only read when the config has IPv6. */
    default Map<String, List<Inet6Address>> addresses6() throws IOException {
        return Map.of();
    }

    /** Per interface, the gateway of the main table's IPv6 default through it (router adverts): {@code gateway6: auto}. */
    default Map<String, Inet6Address> mainDefaultGateways6() throws IOException {
        return Map.of();
    }

    /** Every IPv6 rule ({@code ip -6 rule}). */
    default List<Rule6Spec> rules6() throws IOException {
        return List.of();
    }

    /** IPv6 contents of the tables {@code ids}. */
    default Map<Integer, List<Route6Spec>> tables6(Iterable<Integer> ids) throws IOException {
        return Map.of();
    }

    /** Runs {@code ip ARGS}; returns the error text, or empty on success. */
    Optional<String> ip(List<String> args) throws IOException;

    /**
     * dualwan's nftables table as nft lists it without set contents and counters (so it only changes when the
     * rules do), or empty when it does not exist.
     */
    Optional<String> nftTable() throws IOException;

    /** Checks the script ({@code nft -c}), then applies it in one transaction; the error text, or empty on success. */
    Optional<String> nft(String script) throws IOException;

    /** Runs {@code conntrack ARGS} (a delete or flush); returns how many entries it deleted. */
    int conntrack(List<String> args) throws IOException;
}
