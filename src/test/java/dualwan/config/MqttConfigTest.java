package dualwan.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loader's {@code mqtt} section: values, defaults and every error with its line. */
class MqttConfigTest {

    private static final Path FILE = Path.of("/etc/dualwan/dualwan.yaml");
    private static final String WANS = """
            wans:
              - name: isp1
                interface: wan1
            """;

    private static Config parse(String mqtt) throws ConfigException {
        return ConfigLoader.parse(FILE, WANS + mqtt);
    }

    /** Exactly one error, at {@code line} (of the whole file: the mqtt text starts at line 4) and {@code key}. */
    private static void single(String mqtt, int line, String key, String words) {
        ConfigErrors.single(FILE, WANS + mqtt, line, key, words);
    }

    @Test
    void noSectionMeansNoMqtt() throws Exception {
        assertEquals(Optional.empty(), parse("").mqtt());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        MqttConfig m = parse("""
                mqtt:
                  broker: ssl://broker.lan:8883
                  client-id: router.kitchen_1
                  username: dualwan
                  password-file: /etc/dualwan/mqtt.secret
                  ca-file: /etc/dualwan/ca.pem
                  topic-prefix: home/router
                  discovery-prefix: ha
                  keep-alive: 1m
                  birth-topic: hass/status
                """).mqtt().orElseThrow();
        assertEquals(URI.create("ssl://broker.lan:8883"), m.broker());
        assertTrue(m.tls());
        assertEquals("router.kitchen_1", m.clientId());
        assertEquals("router_kitchen_1", m.deviceId());
        assertEquals(Optional.of("dualwan"), m.username());
        assertEquals(Optional.of(new FileSetting(Path.of("/etc/dualwan/mqtt.secret"), 8)), m.passwordFile());
        assertEquals(Optional.of(new FileSetting(Path.of("/etc/dualwan/ca.pem"), 9)), m.caFile());
        assertEquals("home/router", m.topicPrefix());
        assertEquals("ha", m.discoveryPrefix());
        assertEquals(Duration.ofMinutes(1), m.keepAlive());
        assertEquals("hass/status", m.birthTopic());
    }

    @Test
    void defaultsComeFromTheHostname() throws Exception {
        MqttConfig m = parse("mqtt:\n  broker: tcp://192.168.1.10\n").mqtt().orElseThrow();
        String host = Hostname.id();
        assertEquals("dualwan-" + host, m.clientId());
        assertEquals("dualwan/" + host, m.topicPrefix());
        assertEquals("homeassistant", m.discoveryPrefix());
        assertEquals(Duration.ofSeconds(30), m.keepAlive());
        assertEquals("homeassistant/status", m.birthTopic());
        assertEquals(Optional.empty(), m.username());
        assertEquals(Optional.empty(), m.passwordFile());
        assertTrue(!m.tls());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "pi|pi",
            "Router-1.example.lan|router-1",
            "my router|my_router",
            "a+b#c/d|a_b_c_d",
            "''|dualwan",
            "ÄÖ-box|__-box",
            "abcdefghijklmnopqrstuvwxyz0123456789|abcdefghijklmnopqrstuvwxyz012345",
    })
    void hostnamesBecomeTopicSafeIds(String hostname, String id) {
        assertEquals(id, Hostname.topicSafe(hostname));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mqtt://broker:1883|the scheme must be tcp:// or ssl://, found 'mqtt://broker:1883'; for a plain connection write tcp://",
            "mqtts://broker|for TLS write ssl://",
            "ws://broker:9001|WebSocket brokers are not supported",
            "broker.lan:1883|the scheme must be tcp:// or ssl://",
            "192.168.1.10|the scheme must be tcp:// or ssl://",
            "tcp://user:secret@broker|use mqtt.username and mqtt.password-file",
            "tcp://my_broker:1883|needs a host name or address",
            "tcp://broker:1883/topic|must be only a scheme, a host and a port",
            "tcp://broker:1883/|must be only a scheme, a host and a port",
            "tcp://broker?x=1|must be only a scheme, a host and a port",
            "tcp://broker:70000|the port must be between 1 and 65535, found 70000",
            "tcp://broker:0|the port must be between 1 and 65535",
            "tcp://bro ker|is not a URI",
    })
    void badBrokersAreLocated(String broker, String words) {
        single("mqtt:\n  broker: '" + broker + "'\n", 5, "mqtt.broker", words);
    }

    @Test
    void theBrokerIsRequired() {
        single("mqtt:\n  username: x\n", 5, "mqtt.broker", "missing");
    }

    @Test
    void theSectionMustBeAMap() {
        single("mqtt: tcp://broker\n", 4, "mqtt", "expected a map");
        single("mqtt:\n", 4, "mqtt", "has no value");
    }

    @Test
    void unknownKeysListTheAllowedOnes() {
        single("mqtt:\n  broker: tcp://b\n  password: hunter2\n", 6, "mqtt.password",
                "allowed keys here: broker, client-id, username, password-file, ca-file, topic-prefix,"
                        + " discovery-prefix, keep-alive, birth-topic");
    }

    @Test
    void aCaFileNeedsTls() {
        single("mqtt:\n  broker: tcp://broker:1883\n  ca-file: /etc/ca.pem\n", 6, "mqtt.ca-file",
                "is only used for TLS, but the broker (line 5) is tcp://broker:1883");
    }

    @Test
    void aPasswordFileNeedsAUsername() {
        single("mqtt:\n  broker: tcp://b\n  password-file: /etc/dualwan/mqtt.secret\n", 6, "mqtt.password-file",
                "needs mqtt.username");
    }

    @Test
    void filesMustBeAbsolute() {
        single("mqtt:\n  broker: ssl://b\n  ca-file: ca.pem\n", 6, "mqtt.ca-file", "must be an absolute file path");
        single("mqtt:\n  broker: ssl://b\n  username: u\n  password-file: /etc/\n", 7, "mqtt.password-file",
                "must be an absolute file path");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "dualwan/+|wildcards",
            "dualwan/#|wildcards",
            "/dualwan|single '/'",
            "dualwan/|single '/'",
            "a//b|single '/'",
            "$SYS/x|must not start with '$'",
    })
    void topicPrefixesAreLevelsWithoutWildcards(String prefix, String words) {
        single("mqtt:\n  broker: tcp://b\n  topic-prefix: '" + prefix + "'\n", 6, "mqtt.topic-prefix", words);
        single("mqtt:\n  broker: tcp://b\n  discovery-prefix: '" + prefix + "'\n", 6, "mqtt.discovery-prefix", words);
        single("mqtt:\n  broker: tcp://b\n  birth-topic: '" + prefix + "'\n", 6, "mqtt.birth-topic", words);
    }

    @Test
    void otherValuesAreChecked() {
        single("mqtt:\n  broker: tcp://b\n  client-id: 'has space'\n", 6, "mqtt.client-id", "1-64 characters");
        single("mqtt:\n  broker: tcp://b\n  username: ''\n", 6, "mqtt.username", "1-256 characters");
        single("mqtt:\n  broker: tcp://b\n  keep-alive: 1500ms\n", 6, "mqtt.keep-alive", "whole seconds");
        single("mqtt:\n  broker: tcp://b\n  keep-alive: 2h\n", 6, "mqtt.keep-alive", "between 1s and 1h");
        single("mqtt:\n  broker: [tcp://b]\n", 5, "mqtt.broker", "expected a URI");
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> parse("""
                mqtt:
                  broker: mqtt://b
                  ca-file: relative
                  topic-prefix: a/#
                """)).errors();
        assertEquals(List.of(5, 6, 7), errors.stream().map(ConfigError::line).toList(), errors::toString);
    }
}
