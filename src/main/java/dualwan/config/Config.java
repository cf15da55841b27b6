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
 * @param mqtt      the MQTT reporter's settings; empty: MQTT off
 */
public record Config(Path source, List<WanConfig> wans, FailbackConfig failback, LanConfig lan,
                     RoutingConfig routing, Path stateFile, Optional<MqttConfig> mqtt) {

    public Config {
        wans = List.copyOf(wans);
    }

    public Optional<WanConfig> wan(String name) {
        return wans.stream().filter(w -> w.name().equals(name)).findFirst();
    }
}
