package dualwan.mqtt;

import dualwan.model.ModeControl;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Acts on messages on the command topics. {@link Commands} checks each one; an accepted command goes to the mode
 * API, a rejected one is logged and changes nothing. A rejected retained command is removed from the broker, as
 * it would be rejected again at every reconnect. Reporter's thread only.
 */
final class CommandHandler {

    private final Topics topics;
    private final List<String> wans;
    private final ModeControl modes;
    private final Supplier<Optional<String>> activeUplink;
    private final Broker broker;
    private final Consumer<IOException> publishFailed;
    /** Command topics we cleared a retained message from: the empty message that echoes back is ours. */
    private final Set<String> clearing = new HashSet<>();

    /**
     * @param activeUplink  the uplink the daemon uses now, for the fail-over button
     * @param publishFailed told when clearing a retained command could not be published
     */
    CommandHandler(Topics topics, List<String> wans, ModeControl modes, Supplier<Optional<String>> activeUplink,
                   Broker broker, Consumer<IOException> publishFailed) {
        this.topics = topics;
        this.wans = wans;
        this.modes = modes;
        this.activeUplink = activeUplink;
        this.broker = broker;
        this.publishFailed = publishFailed;
    }

    /** A message on any topic but Home Assistant's status; those that are not commands are ignored. */
    void received(Broker.Message m) {
        String topic = m.topic();
        if (m.payload().length == 0 && !m.retained() && clearing.remove(topic)) {
            return; // the echo of our own clearing
        }
        Commands.Outcome outcome;
        if (topic.equals(topics.modeCommand())) {
            outcome = Commands.mode(m.payload(), m.retained(), wans);
        } else if (topic.equals(topics.failoverCommand())) {
            outcome = Commands.failover(m.payload(), m.retained(), wans, activeUplink.get());
        } else {
            return;
        }
        switch (outcome) {
            case Commands.Rejected r -> {
                Logger.warn("mqtt: rejected {} on {}: {}; nothing changed", Commands.preview(m.payload()), topic,
                        r.reason());
                if (m.retained() && m.payload().length > 0) {
                    clearRetained(topic);
                }
            }
            case Commands.Accepted a -> {
                Logger.info("mqtt: {}: mode {}", a.why(), a.mode());
                modes.setMode(a.mode()).whenComplete((decision, e) -> {
                    if (e != null) {
                        Logger.warn("mqtt: mode {} refused: {}", a.mode(), e.getMessage());
                    }
                });
            }
        }
    }

    private void clearRetained(String topic) {
        try {
            broker.publish(new Broker.Message(topic, new byte[0], true));
            clearing.add(topic);
            Logger.info("mqtt: removed the retained message from {}", topic);
        } catch (IOException e) {
            publishFailed.accept(e);
        }
    }
}
