package dualwan.labtools;

import dualwan.config.MqttConfig;
import dualwan.mqtt.Broker;
import dualwan.mqtt.Credentials;
import dualwan.mqtt.PahoBroker;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Publishes one message (QoS 1, not retained) and waits for the broker's acknowledgement, for lab tests that send
 * commands from inside a namespace: {@code MqttPublish --broker tcp://127.0.0.1:1883 --topic T --payload auto}.
 * Prints {@code published} and exits 0 once the broker has it.
 */
public final class MqttPublish {

    private MqttPublish() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("broker", "topic", "payload"));
        MqttConfig config = new MqttConfig(URI.create(args.required("broker")),
                "dualwan-publish-" + ProcessHandle.current().pid(), Optional.empty(), Optional.empty(),
                Optional.empty(), "dualwan-publish", "homeassistant", Duration.ofSeconds(30));
        try (Broker b = PahoBroker.factory(config, new Credentials(Optional.empty(), Optional.empty()))
                .open(new Broker.Events() {
                    @Override
                    public void received(Broker.Message m) {
                    }

                    @Override
                    public void lost(String cause) {
                        System.err.println("connection lost: " + cause);
                    }
                })) {
            b.connect(Optional.empty());
            b.publish(new Broker.Message(args.required("topic"),
                    args.required("payload").getBytes(StandardCharsets.UTF_8), false)).get(10, TimeUnit.SECONDS);
            System.out.println("published");
            b.disconnect(Duration.ofMillis(100));
        }
        System.exit(0);
    }
}
