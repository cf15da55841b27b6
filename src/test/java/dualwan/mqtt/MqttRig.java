package dualwan.mqtt;

import dualwan.FakeKernel;

import dualwan.app.Daemon;
import dualwan.config.Config;
import dualwan.model.Mode;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real {@link Daemon} (over {@link FakeKernel}: every uplink up) with a real {@link MqttReporter} on Paho,
 * wired as {@code dualwan run} wires them. Every mode command the reporter passes on is recorded.
 */
final class MqttRig implements AutoCloseable {

    final Config config;
    final Daemon daemon;
    final MqttReporter reporter;
    final List<Mode> commands = new CopyOnWriteArrayList<>();

    MqttRig(Path dir, String broker, String prefix) throws Exception {
        this(MqttFixtures.config(dir.resolve("state.json"), MqttFixtures.mqtt(broker, prefix)));
    }

    /** The daemon and reporter of this config (its mqtt section names the broker). */
    MqttRig(Config config) throws Exception {
        this.config = config;
        daemon = new Daemon(config, new FakeKernel(), FakeKernel::answering, Clock.systemUTC());
        reporter = new MqttReporter(config, mode -> {
            commands.add(mode);
            return daemon.setMode(mode);
        }, section -> daemon.setSection("mqtt", section),
                PahoBroker.factory(config.mqtt().orElseThrow(), new Credentials(Optional.empty(), Optional.empty())),
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1))); // short waits: reconnect tests stay quick
        daemon.addListener(reporter);
        reporter.start();
        daemon.start();
    }

    @Override
    public void close() {
        reporter.close();
        daemon.close();
    }
}
