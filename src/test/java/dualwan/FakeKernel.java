package dualwan;

import dualwan.health.LinkState;
import dualwan.linux.Kernel;
import dualwan.linux.KernelEvent;
import dualwan.plan.RouteSpec;
import dualwan.plan.RuleSpec;

import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;
import dualwan.probe.Prober;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A kernel in memory for a real {@link dualwan.app.Daemon}: links the test sets, every ip command accepted. */
public class FakeKernel implements Kernel {

    public final Map<String, LinkState> links = new ConcurrentHashMap<>();
    private volatile Consumer<KernelEvent> onChange = e -> { };

    /** Sets a link and raises a kernel event, as {@code ip monitor} would. */
    public void link(String iface, LinkState state) {
        links.put(iface, state);
        onChange.accept(new KernelEvent(KernelEvent.Kind.LINK, Optional.of(iface), Optional.empty(),
                OptionalInt.empty(), true, false));
    }

    /** A prober for the daemon that answers every probe at once. */
    public static Prober answering(Consumer<ProbeResult> listener) {
        return new Prober() {
            @Override
            public void start(ProbeRequest r) {
                listener.accept(new ProbeResult(r.id(), true, Duration.ofMillis(1), "ok"));
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public LinkState link(String iface) {
        return links.getOrDefault(iface, LinkState.CARRIER);
    }

    @Override
    public Map<String, Inet4Address[]> addressesAndPeers() {
        return Map.of();
    }

    @Override
    public Map<String, Inet4Address> mainDefaultGateways() {
        return Map.of();
    }

    @Override
    public List<RuleSpec> rules() {
        return List.of();
    }

    @Override
    public Map<Integer, List<RouteSpec>> tables(Iterable<Integer> ids) {
        Map<Integer, List<RouteSpec>> out = new HashMap<>();
        ids.forEach(id -> out.put(id, List.of()));
        return out;
    }

    @Override
    public AutoCloseable watch(Consumer<KernelEvent> onChange) {
        this.onChange = onChange;
        return () -> this.onChange = e -> { };
    }

    @Override
    public Optional<String> ip(List<String> args) {
        return Optional.empty();
    }

    @Override
    public Optional<String> nftTable() {
        return Optional.empty();
    }

    @Override
    public Optional<String> nft(String script) {
        return Optional.empty();
    }

    @Override
    public int conntrack(List<String> args) {
        return 0;
    }
}
