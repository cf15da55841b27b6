package dualwan.mqtt;

import dualwan.config.Config;
import dualwan.model.Mode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The reporter alone in its own JVM, for the test that kills it with SIGKILL: {@code BROKER PREFIX KEEPALIVE_S}.
 * Reports one state, prints {@code connected} once connected, and exits by itself after a minute at the latest.
 */
public final class ReporterProcess {

    private ReporterProcess() {
    }

    public static void main(String[] args) throws Exception {
        Config config = MqttFixtures.config(Path.of("/nonexistent/state.json"), MqttFixtures.mqtt(args[0], args[1],
                "dualwan-child", Duration.ofSeconds(Long.parseLong(args[2])), Optional.empty(), Optional.empty(),
                Optional.empty()));
        MqttReporter reporter = MqttReporter.create(config, Credentials.load(config.source(), config.mqtt().orElseThrow()),
                MqttFixtures.acceptingEveryMode(""),
                section -> { });
        reporter.stateChanged(MqttFixtures.status("isp1", Mode.AUTO));
        reporter.start();
        for (int i = 0; i < 600 && reporter.connections() == 0; i++) {
            Thread.sleep(100);
        }
        System.out.println(reporter.connections() > 0 ? "connected" : "not connected");
        System.out.flush();
        Thread.sleep(60_000);
        System.exit(0);
    }
}
