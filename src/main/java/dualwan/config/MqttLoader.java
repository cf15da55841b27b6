package dualwan.config;

import org.yaml.snakeyaml.nodes.Node;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code mqtt} section.
 */
final class MqttLoader extends YamlReader {

    private static final List<String> MQTT_KEYS = List.of("broker", "client-id", "username", "password-file",
            "ca-file", "topic-prefix", "discovery-prefix", "keep-alive",
            "birth-topic");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** Longest {@code mqtt.topic-prefix}, {@code mqtt.discovery-prefix} and {@code mqtt.birth-topic}. */
    public static final int MAX_TOPIC_PREFIX = 128;
    /** Longest {@code mqtt.username}. */
    public static final int MAX_USERNAME = 256;
    /** Range of {@code mqtt.keep-alive} (MQTT counts it in whole seconds). */
    public static final Duration MIN_KEEP_ALIVE = Duration.ofSeconds(1);
    public static final Duration MAX_KEEP_ALIVE = Duration.ofHours(1);

    MqttLoader(YamlReader same) {
        super(same);
    }

    /** The {@code mqtt} section; absent means MQTT off. Empty also after an error (which is recorded). */
    Optional<MqttConfig> mqtt(Section top) {
        Optional<Section> section = optionalSection(top, "mqtt", MQTT_KEYS);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        Section s = section.get();
        Node brokerNode = s.required("broker", "the broker, such as tcp://192.168.1.10:1883 or ssl://broker.lan:8883");
        URI broker = brokerNode == null ? null : brokerUri(brokerNode, s.path("broker"));
        String host = Hostname.id();
        Located<String> clientId = s.defaulted("client-id", Defaults.mqttClientId(host), this::clientId);
        Located<Optional<String>> username = s.defaulted("username", Optional.empty(), this::username);
        Located<Optional<FileSetting>> passwordFile = s.defaulted("password-file", Optional.empty(), this::fileSetting);
        Located<Optional<FileSetting>> caFile = s.defaulted("ca-file", Optional.empty(), this::fileSetting);
        Located<String> topicPrefix = s.defaulted("topic-prefix", Defaults.mqttTopicPrefix(host), this::topicPrefix);
        Located<String> discoveryPrefix = s.defaulted("discovery-prefix", Defaults.MQTT_DISCOVERY_PREFIX,
                this::topicPrefix);
        Located<Duration> keepAlive = s.defaulted("keep-alive", Defaults.MQTT_KEEP_ALIVE, this::keepAlive);
        Located<String> birthTopic = s.defaulted("birth-topic", Defaults.MQTT_BIRTH_TOPIC, this::topicPrefix);
        if (passwordFile.value != null && passwordFile.value.isPresent() && username.value != null
                && username.value.isEmpty()) {
            error(passwordFile.line, passwordFile.key, "a password needs mqtt.username too (MQTT sends no password"
                    + " without a user name)");
        }
        if (caFile.value != null && caFile.value.isPresent() && broker != null && "tcp".equals(broker.getScheme())) {
            error(caFile.line, caFile.key, "is only used for TLS, but the broker (line " + line(brokerNode)
                    + ") is " + broker + "; use ssl://HOST:8883, or remove ca-file");
        }
        if (broker == null || clientId.value == null || username.value == null || passwordFile.value == null
                || caFile.value == null || topicPrefix.value == null || discoveryPrefix.value == null
                || keepAlive.value == null || birthTopic.value == null) {
            return Optional.empty();
        }
        return Optional.of(new MqttConfig(broker, clientId.value, username.value, passwordFile.value, caFile.value,
                topicPrefix.value, discoveryPrefix.value, keepAlive.value, birthTopic.value));
    }

    private URI brokerUri(Node n, String key) {
        String text = text(n, key, "a URI such as tcp://192.168.1.10:1883");
        if (text == null) {
            return null;
        }
        String form = "; write tcp://HOST[:PORT] or, for TLS, ssl://HOST[:PORT]";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            error(line(n), key, "is not a URI (" + e.getReason() + "): " + quote(text) + form);
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("tcp") && !scheme.equals("ssl")) {
            String hint = switch (scheme.toLowerCase(java.util.Locale.ROOT)) {
                case "mqtt" -> "; for a plain connection write tcp://";
                case "mqtts" -> "; for TLS write ssl://";
                case "ws", "wss" -> "; WebSocket brokers are not supported";
                default -> form;
            };
            error(line(n), key, "the scheme must be tcp:// or ssl://, found " + quote(text) + hint);
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            error(line(n), key, "must not contain a user or password; use mqtt.username and mqtt.password-file");
            return null;
        }
        if (uri.getHost() == null) {
            error(line(n), key, "needs a host name or address, found " + quote(text) + form);
            return null;
        }
        boolean pathless = uri.getRawPath() == null || uri.getRawPath().isEmpty();
        if (!pathless || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            error(line(n), key, "must be only a scheme, a host and a port, found " + quote(text) + form);
            return null;
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            error(line(n), key, "the port must be between 1 and 65535, found " + uri.getPort());
            return null;
        }
        return uri;
    }

    private String clientId(Node n, String key) {
        String text = text(n, key, "a client id such as dualwan-pi");
        if (text != null && !CLIENT_ID.matcher(text).matches()) {
            error(line(n), key, "must be 1-64 characters of letters, digits, '_', '.' and '-', found " + quote(text));
            return null;
        }
        return text;
    }

    private Optional<String> username(Node n, String key) {
        String text = text(n, key, "a user name");
        if (text == null) {
            return null;
        }
        if (text.isEmpty() || text.length() > MAX_USERNAME || text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            error(line(n), key, "must be 1-" + MAX_USERNAME + " characters without control characters, found "
                    + quote(text));
            return null;
        }
        return Optional.of(text);
    }

    private Optional<FileSetting> fileSetting(Node n, String key) {
        String text = text(n, key, "an absolute file path");
        if (text == null) {
            return null;
        }
        if (!text.startsWith("/") || text.endsWith("/")) {
            error(line(n), key, "must be an absolute file path such as /etc/dualwan/mqtt.secret, found " + quote(text));
            return null;
        }
        try {
            return Optional.of(new FileSetting(Path.of(text), line(n)));
        } catch (InvalidPathException e) {
            error(line(n), key, "is not a usable file path: " + e.getReason());
            return null;
        }
    }

    /** Topic levels such as {@code dualwan/pi}: no wildcards, no empty level, not a {@code $} system topic. */
    private String topicPrefix(Node n, String key) {
        String text = text(n, key, "topic levels such as dualwan/pi");
        if (text == null) {
            return null;
        }
        String problem = null;
        if (text.isEmpty() || text.length() > MAX_TOPIC_PREFIX) {
            problem = "must be 1-" + MAX_TOPIC_PREFIX + " characters";
        } else if (text.contains("+") || text.contains("#")) {
            problem = "must not contain the wildcards '+' or '#'";
        } else if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            problem = "must not contain control characters";
        } else if (text.startsWith("$")) {
            problem = "must not start with '$' (the broker's own topics)";
        } else if (text.startsWith("/") || text.endsWith("/") || text.contains("//")) {
            problem = "must be levels separated by single '/', without a leading or trailing '/'";
        }
        if (problem != null) {
            error(line(n), key, problem + ", found " + quote(text));
            return null;
        }
        return text;
    }

    private Duration keepAlive(Node n, String key) {
        Duration d = duration(n, key);
        if (d == null) {
            return null;
        }
        if (d.toMillis() % 1000 != 0 || d.compareTo(MIN_KEEP_ALIVE) < 0 || d.compareTo(MAX_KEEP_ALIVE) > 0) {
            error(line(n), key, "must be whole seconds between " + Durations.format(MIN_KEEP_ALIVE) + " and "
                    + Durations.format(MAX_KEEP_ALIVE) + ", found " + Durations.format(d));
            return null;
        }
        return d;
    }
}
