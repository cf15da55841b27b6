package dualwan.linux;

import dualwan.config.Config;
import dualwan.config.LanIpv6Config;
import dualwan.config.Prefix6;
import dualwan.config.Wan6Config;
import dualwan.config.WanConfig;
import dualwan.health.LinkState;
import dualwan.plan.Planner6.Uplink6;

import java.io.IOException;
import java.net.Inet6Address;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads each IPv6 uplink's facts: global addresses, gateway6 (configured, or main's IPv6 default through the
 * interface for {@code auto}), delegated prefix (static, or the hook's file). {@link Discovery}'s counterpart;
 * two {@code ip} runs in all, none without IPv6 in the config.
 */
public final class Discovery6 {

    private Discovery6() {
    }

    public static Map<String, Uplink6> readAll(Kernel kernel, Config config) throws IOException {
        Map<String, Uplink6> out = new LinkedHashMap<>();
        List<WanConfig> six = config.wans().stream().filter(w -> w.ipv6().isPresent()).toList();
        if (six.isEmpty()) {
            return out;
        }
        Map<String, List<Inet6Address>> addresses = kernel.addresses6();
        Map<String, Inet6Address> gateways = six.stream().anyMatch(w -> w.ipv6().get().gateway().isEmpty())
                ? kernel.mainDefaultGateways6() : Map.of();
        for (WanConfig w : six) {
            if (kernel.link(w.iface()) == LinkState.MISSING) {
                out.put(w.name(), Uplink6.missing(w));
                continue;
            }
            Wan6Config c = w.ipv6().get();
            Optional<Inet6Address> gateway = c.gateway().or(() -> Optional.ofNullable(gateways.get(w.iface())));
            out.put(w.name(), new Uplink6(true, addresses.getOrDefault(w.iface(), List.of()), gateway,
                    delegated(config.lan().ipv6(), w, c)));
        }
        return out;
    }

    static Optional<Prefix6> delegated(Optional<LanIpv6Config> lan, WanConfig w, Wan6Config c) {
        if (c.prefix().isPresent()) {
            return c.prefix();
        }
        if (c.prefixLearned() && lan.isPresent()) {
            return LearnedPrefix.read(lan.get().learnedDir(), w.iface());
        }
        return Optional.empty();
    }
}
