package dualwan.linux;

import dualwan.plan.Planner;

import dualwan.config.WanConfig;
import dualwan.health.LinkState;
import dualwan.plan.Planner.UplinkAddressing;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the uplinks' addressing from the kernel; the daemon and {@code dualwan plan} share it. */
public final class Discovery {

    private Discovery() {
    }

    /**
     * Each uplink's address, and its gateway: the configured one, or for {@code auto} the main table's default
     * route through the interface (DHCP), else the peer of a point-to-point link (PPP). Two {@code ip} runs in all,
     * however many uplinks there are.
     */
    public static Map<String, UplinkAddressing> readAll(Kernel kernel, List<WanConfig> wans) throws IOException {
        Map<String, Inet4Address[]> addresses = kernel.addressesAndPeers();
        Map<String, Inet4Address> gateways = wans.stream().anyMatch(w -> w.gateway().isEmpty())
                ? kernel.mainDefaultGateways() : Map.of();
        Map<String, UplinkAddressing> out = new LinkedHashMap<>();
        for (WanConfig w : wans) {
            if (kernel.link(w.iface()) == LinkState.MISSING) {
                out.put(w.name(), UplinkAddressing.missing(w));
                continue;
            }
            Optional<Inet4Address[]> addressAndPeer = Optional.ofNullable(addresses.get(w.iface()));
            Optional<Inet4Address> gateway = w.gateway()
                    .or(() -> Optional.ofNullable(gateways.get(w.iface())))
                    .or(() -> addressAndPeer.map(x -> x[1]));
            out.put(w.name(), new UplinkAddressing(true, addressAndPeer.map(x -> x[0]), gateway));
        }
        return out;
    }

}
