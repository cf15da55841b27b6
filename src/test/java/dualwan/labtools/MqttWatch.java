package dualwan.labtools;

import dualwan.config.MqttConfig;
import dualwan.mqtt.Broker;
import dualwan.mqtt.Credentials;
import dualwan.mqtt.PahoBroker;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Prints what a broker delivers for one topic filter, one line per message ({@code topic [retained] payload}),
 * for the lab, the demo and the MQTT lab test:
 * {@code MqttWatch --broker tcp://127.0.0.1:1883 --topic 'dualwan/#' --seconds 5}. Prints {@code subscribed}
 * once it listens.
 */
public final class MqttWatch {

    private MqttWatch() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("broker", "topic", "seconds"));
        URI broker = URI.create(args.required("broker"));
        String topic = args.required("topic");
        Duration seconds = Duration.ofSeconds(Long.parseLong(Optional.ofNullable(args.get("seconds")).orElse("5")));
        MqttConfig config = new MqttConfig(broker, "dualwan-watch-" + ProcessHandle.current().pid(), Optional.empty(),
                Optional.empty(), Optional.empty(), "dualwan-watch", "homeassistant", Duration.ofSeconds(30));
        CountDownLatch lost = new CountDownLatch(1);
        Broker.Factory factory = PahoBroker.factory(config, new Credentials(Optional.empty(), Optional.empty()));
        try (Broker b = factory.open(new Broker.Events() {
            @Override
            public void received(Broker.Message m) {
                synchronized (System.out) {
                    System.out.println(m.topic() + (m.retained() ? " [retained] " : " ")
                            + new String(m.payload(), StandardCharsets.UTF_8));
                    System.out.flush();
                }
            }

            @Override
            public void lost(String cause) {
                System.err.println("connection lost: " + cause);
                lost.countDown();
            }
        })) {
            for (int attempt = 1; ; attempt++) { // the broker may still be starting
                try {
                    b.connect(Optional.empty());
                    break;
                } catch (java.io.IOException e) {
                    if (attempt == 25) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
            if (!b.subscribe(List.of(topic)).isEmpty()) {
                System.err.println("the broker refused the subscription to " + topic);
                System.exit(1);
            }
            System.out.println("subscribed");
            System.out.flush();
            lost.await(seconds.toMillis(), TimeUnit.MILLISECONDS);
            b.disconnect(Duration.ofMillis(100));
        }
        System.exit(0);
    }
}
