package dualwan.app;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.engine.Input;
import dualwan.health.LinkState;
import dualwan.linux.Discovery;
import dualwan.linux.Discovery6;
import dualwan.plan.Planner6;
import dualwan.plan.Route6Spec;
import dualwan.linux.Kernel;
import dualwan.model.StateJson;
import dualwan.plan.Planner;
import dualwan.plan.RouteSpec;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the daemon finds in place when it starts — links, addresses, the uplink the LAN table points at, its own
 * nftables table, the previous run's state file — read once, each read contained: one that fails is reported
 * and the engine waits for the next one instead.
 */
record StartUp(Input.Start start) {

    static StartUp read(Config config, Kernel kernel, StateFile stateFile) {
        Map<String, LinkState> links = links(config, kernel);
        Optional<Map<String, Planner.UplinkAddressing>> addressing;
        Map<String, Planner6.Uplink6> addressing6 = Map.of();
        try {
            addressing = Optional.of(Discovery.readAll(kernel, config.wans()));
            addressing6 = Discovery6.readAll(kernel, config);
        } catch (IOException | RuntimeException e) {
            Logger.warn("cannot read addresses at start: {}", e.getMessage());
            addressing = Optional.empty();
        }
        boolean nftPresent;
        try {
            nftPresent = kernel.nftTable().isPresent();
        } catch (IOException | RuntimeException e) {
            Logger.warn("cannot read the nftables table: {}", e.getMessage());
            nftPresent = false;
        }
        StateJson.Saved saved = stateFile.saved();
        return new StartUp(new Input.Start(links, addressing, activeInKernel(config, kernel), nftPresent, saved,
                addressing6, active6InKernel(config, kernel)));
    }

    static Map<String, LinkState> links(Config config, Kernel kernel) {
        Map<String, LinkState> links = new LinkedHashMap<>();
        config.wans().forEach(w -> links.put(w.name(), link(kernel, w)));
        return links;
    }

    /** Carrier from sysfs, no process. A read that fails counts as no carrier, and says why. */
    static LinkState link(Kernel kernel, WanConfig w) {
        try {
            return kernel.link(w.iface());
        } catch (RuntimeException e) {
            Logger.warn("cannot read the link of {}: {}", w.iface(), e.toString());
            return LinkState.NO_CARRIER;
        }
    }

    /** Which uplink the LAN table's IPv6 default already points at (none without {@code lan.ipv6}). */
    static Optional<String> active6InKernel(Config config, Kernel kernel) {
        if (config.lan().ipv6().isEmpty()) {
            return Optional.empty();
        }
        try {
            List<Route6Spec> lan = kernel.tables6(List.of(config.routing().lanTable()))
                    .getOrDefault(config.routing().lanTable(), List.of());
            return lan.stream().filter(r -> r.dst().equals("default") && r.gateway().isPresent()).findFirst()
                    .flatMap(Route6Spec::dev)
                    .flatMap(dev -> config.wans().stream().filter(w -> w.iface().equals(dev)).findFirst())
                    .map(WanConfig::name);
        } catch (IOException | RuntimeException e) {
            Logger.warn("cannot read IPv6 table {}: {}", config.routing().lanTable(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Which uplink the LAN table already points at: a restart keeps it instead of switching. */
    static Optional<String> activeInKernel(Config config, Kernel kernel) {
        try {
            List<RouteSpec> lan = kernel.tables(List.of(config.routing().lanTable())).get(config.routing().lanTable());
            return lan.stream().filter(r -> r.dst().equals("default")).findFirst().flatMap(RouteSpec::dev)
                    .flatMap(dev -> config.wans().stream().filter(w -> w.iface().equals(dev)).findFirst())
                    .map(WanConfig::name);
        } catch (IOException | RuntimeException e) {
            Logger.warn("cannot read table {}: {}", config.routing().lanTable(), e.getMessage());
            return Optional.empty();
        }
    }
}
