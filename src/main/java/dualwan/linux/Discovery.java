package dualwan.linux;

import dualwan.config.WanConfig;
import dualwan.health.LinkState;
import dualwan.linux.Planner.UplinkAddressing;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.Optional;

/** Reads an uplink's addressing from the kernel; the daemon and {@code dualwan plan} share it. */
public final class Discovery {

    private Discovery() {
    }

    /**
     * The interface's address, and its gateway: the configured one, or for {@code auto} the main table's
     * default route through the interface (DHCP), else the peer of a point-to-point link (PPP).
     */
    public static UplinkAddressing read(Kernel kernel, WanConfig wan) throws IOException {
        if (kernel.link(wan.iface()) == LinkState.MISSING) {
            return new UplinkAddressing(false, Optional.empty(), wan.gateway());
        }
        Optional<Inet4Address[]> addressAndPeer = kernel.addressAndPeer(wan.iface());
        Optional<Inet4Address> gateway = wan.gateway();
        if (gateway.isEmpty()) {
            gateway = kernel.mainDefaultGateway(wan.iface()).or(() -> addressAndPeer.map(x -> x[1]));
        }
        return new UplinkAddressing(true, addressAndPeer.map(x -> x[0]), gateway);
    }
}
