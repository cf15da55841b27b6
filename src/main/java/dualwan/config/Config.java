package dualwan.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A validated configuration. Only {@link ConfigLoader} builds one from a file; tests may build one directly.
 *
 * @param source    the file it came from (for messages)
 * @param wans      uplinks in file order; names and interfaces are unique
 * @param failback  when traffic may return to a better uplink
 * @param lan       the LAN side
 * @param routing   table ids and rule priorities the daemon owns
 * @param stateFile where the JSON state is written
 * @param conntrack what a switch does to established connections
 * @param policies  routing-mark policies, first match wins; traffic matching none follows the priorities
 * @param gpio      the front panel, if there is one
 * @param dns       the LAN's dnsmasq follows the active uplink's DNS servers, if present
 * @param mqtt      the MQTT reporter's settings; empty: MQTT off
 * @param web       the status page and metrics server; empty: no server
 */
public record Config(Path source, List<WanConfig> wans, FailbackConfig failback, LanConfig lan,
                     RoutingConfig routing, Path stateFile, ConntrackConfig conntrack, List<PolicyConfig> policies,
                     Optional<GpioConfig> gpio, Optional<DnsConfig> dns, Optional<MqttConfig> mqtt,
                     Optional<WebConfig> web) {

    public Config {
        wans = List.copyOf(wans);
        policies = List.copyOf(policies);
    }

    /** 1-based number of an uplink in file order: the low byte of the connection marks of its balanced flows. */
    public int wanNumber(String name) {
        for (int i = 0; i < wans.size(); i++) {
            if (wans.get(i).name().equals(name)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("no uplink named " + name);
    }

    public Optional<WanConfig> wan(String name) {
        return wans.stream().filter(w -> w.name().equals(name)).findFirst();
    }
}
