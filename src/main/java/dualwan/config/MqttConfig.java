package dualwan.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code mqtt} section: report state to a broker and take mode commands from it. No section, no MQTT.
 *
 * @param broker          {@code tcp://host[:port]} or {@code ssl://host[:port]}
 * @param clientId        the MQTT client id (default {@code dualwan-<hostname>})
 * @param username        sent when given
 * @param passwordFile    file holding the password, read at start (the password is never in the YAML)
 * @param caFile          PEM certificate(s) trusted for {@code ssl://} (default: the JVM's trust store)
 * @param topicPrefix     every topic of this device starts here (default {@code dualwan/<hostname>})
 * @param discoveryPrefix Home Assistant's discovery prefix (default {@code homeassistant})
 * @param keepAlive       MQTT keep-alive: a board that loses power shows {@code lost} after about 1.5 times this
 * @param birthTopic      where Home Assistant announces its start ({@code online}); its own setting, not derived
 *                        from the discovery prefix (default {@code homeassistant/status})
 */
public record MqttConfig(URI broker, String clientId, Optional<String> username, Optional<FileSetting> passwordFile,
                         Optional<FileSetting> caFile, String topicPrefix, String discoveryPrefix, Duration keepAlive,
                         String birthTopic) {

    /** With Home Assistant's default birth topic. */
    public MqttConfig(URI broker, String clientId, Optional<String> username, Optional<FileSetting> passwordFile,
                      Optional<FileSetting> caFile, String topicPrefix, String discoveryPrefix, Duration keepAlive) {
        this(broker, clientId, username, passwordFile, caFile, topicPrefix, discoveryPrefix, keepAlive,
                Defaults.MQTT_BIRTH_TOPIC);
    }

    public boolean tls() {
        return "ssl".equals(broker.getScheme());
    }

    /** The id Home Assistant knows this device by; entity unique ids start with it. */
    public String deviceId() {
        return clientId.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
