package dualwan.mqtt;

import dualwan.health.LinkState;
import dualwan.linux.Kernel;
import dualwan.linux.RouteSpec;
import dualwan.linux.RuleSpec;
import dualwan.probe.ProbeResult;
import dualwan.probe.Prober;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Just enough kernel for a real {@link dualwan.app.Daemon} in a unit test: interfaces {@code wanN} with carrier
 * and address 100.64.N.2, no rules or routes yet, every {@code ip} command succeeds. Its probers answer every
 * probe at once, so every uplink is up.
 */
final class FakeKernel implements Kernel {

    final List<List<String>> commands = new ArrayList<>();

    @Override
    public LinkState link(String iface) {
        return LinkState.CARRIER;
    }

    @Override
    public Optional<Inet4Address[]> addressAndPeer(String iface) {
        return Optional.of(new Inet4Address[]{dualwan.TestConfigs.ip("100.64." + iface.replace("wan", "") + ".2"), null});
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
        Map<Integer, List<RouteSpec>> m = new HashMap<>();
        ids.forEach(id -> m.put(id, List.of()));
        return m;
    }

    @Override
    public synchronized Optional<String> ip(List<String> args) {
        commands.add(args);
        return Optional.empty();
    }

    static Prober.Factory answeringProbers() {
        return listener -> new Prober() {
            @Override
            public void start(dualwan.probe.ProbeRequest request) {
                listener.accept(new ProbeResult(request.id(), true, Duration.ofMillis(3), "ok"));
            }

            @Override
            public void close() {
            }
        };
    }
}
