package dualwan;

import dualwan.health.LinkState;
import dualwan.linux.Kernel;
import dualwan.linux.RouteSpec;
import dualwan.linux.RuleSpec;

import dualwan.probe.ProbeRequest;
import dualwan.probe.ProbeResult;
import dualwan.probe.Prober;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A kernel in memory for a real {@link dualwan.app.Daemon}: links the test sets, every ip command accepted. */
public final class FakeKernel implements Kernel {

    public final Map<String, LinkState> links = new ConcurrentHashMap<>();
    private volatile Runnable onChange = () -> { };

    /** Sets a link and raises a kernel event, as {@code ip monitor} would. */
    public void link(String iface, LinkState state) {
        links.put(iface, state);
        onChange.run();
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
    public Optional<Inet4Address[]> addressAndPeer(String iface) {
        return Optional.empty();
    }

    @Override
    public Optional<Inet4Address> mainDefaultGateway(String iface) {
        return Optional.empty();
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
    public AutoCloseable watch(Runnable onChange) {
        this.onChange = onChange;
        return () -> this.onChange = () -> { };
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
