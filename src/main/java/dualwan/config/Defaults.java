package dualwan.config;

import dualwan.model.ProbeMethod;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Every default the config loader applies when a key is left out. The loader, the example file's comments and
 * the tests all refer to these constants, so a default is changed here and nowhere else.
 *
 * <p>Per-WAN defaults depend on the WAN's position {@code i} in the {@code wans} list (0-based, file order):
 * see {@link #wanTable(int)}, {@link #wanMark(int)} and {@link #wanPriority(int)}.
 */
public final class Defaults {

    private Defaults() {
    }

    /** {@code wans[i].gateway}: discover the gateway from the kernel. */
    public static final String WAN_GATEWAY = "auto";
    public static final Nat WAN_NAT = Nat.MASQUERADE;
    /** {@code wans[i].metered}: not a data plan. */
    public static final boolean WAN_METERED = false;
    public static final ConntrackConfig.Flush CONNTRACK_FLUSH = ConntrackConfig.Flush.AFFECTED;

    /** {@code wans[i].table} is {@code WAN_TABLE_BASE + i}. */
    public static final int WAN_TABLE_BASE = 101;

    /** {@code wans[i].priority} is {@code WAN_PRIORITY_BASE + i}: file order, lower wins. */
    public static final int WAN_PRIORITY_BASE = 1;

    /** {@code check.hosts}: none, so the uplink is judged by link and gateway only. */
    public static final int CHECK_HOSTS_COUNT = 0;

    /** {@code check.min-up} when {@code check.hosts} is not empty. */
    public static final int CHECK_MIN_UP = 1;

    /** {@code check.min-up} when {@code check.hosts} is empty (the only value allowed then). */
    public static final int CHECK_MIN_UP_NO_HOSTS = 0;

    /** {@code check.gateway}. */
    public static final boolean CHECK_GATEWAY = true;

    /** {@code check.method}. */
    public static final ProbeMethod CHECK_METHOD = ProbeMethod.ICMP;

    /** {@code check.interval}. */
    public static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    /** {@code check.timeout}. */
    public static final Duration CHECK_TIMEOUT = Duration.ofMillis(500);

    /** {@code check.down-after}. */
    public static final int CHECK_DOWN_AFTER = 8;

    /** {@code check.up-after}. */
    public static final int CHECK_UP_AFTER = 3;

    /** {@code check.confirm-interval}. */
    public static final Duration CHECK_CONFIRM_INTERVAL = Duration.ofMillis(50);

    /** {@code failback.hold}. */
    public static final Duration FAILBACK_HOLD = Duration.ofSeconds(30);

    /** {@code failback.max-hold}: the ceiling a flapping uplink's hold doubles up to. */
    public static final Duration FAILBACK_MAX_HOLD = Duration.ofMinutes(15);

    /** {@code routing.lan-table}. */
    public static final int ROUTING_LAN_TABLE = 200;

    /** {@code routing.rule-priority}. */
    public static final int ROUTING_RULE_PRIORITY = 1000;

    /** {@code state-file}. */
    public static final Path STATE_FILE = Path.of("/run/dualwan/state.json");

    /** {@code wans[i].dns}: learned from the uplink's DHCP or PPP client. */
    public static final String WAN_DNS = "auto";

    /** {@code dns.follow-active} when the {@code dns} section is present. */
    public static final boolean DNS_FOLLOW_ACTIVE = true;

    /** {@code dns.resolv-file}: in the unit's runtime directory (0755, also made at boot by tmpfiles.d). */
    public static final Path DNS_RESOLV_FILE = Path.of("/run/dualwan/resolv.conf");

    /** {@code dns.learned-dir}: written by the hooks in board/dns-hooks. */
    public static final Path DNS_LEARNED_DIR = Path.of("/run/dualwan-dns");

    /** {@code wans[i].gateway6}: the main table's IPv6 default through the interface (router adverts). */
    public static final String WAN_GATEWAY6 = "auto";

    /** {@code wans[i].nat6} once {@code lan.ipv6} is present. */
    public static final Nat6 WAN_NAT6 = Nat6.MASQUERADE;

    /** {@code lan.ipv6.learned-dir}: written by the DHCPv6-PD hooks in board/prefix-hooks. */
    public static final Path LAN_IPV6_LEARNED_DIR = Path.of("/run/dualwan-prefix6");

    /** {@code mqtt.discovery-prefix}: Home Assistant's default. */
    public static final String MQTT_DISCOVERY_PREFIX = "homeassistant";

    /**
     * {@code mqtt.birth-topic}: Home Assistant's default birth message topic. Home Assistant keeps it at
     * {@code homeassistant/status} when its discovery prefix is changed, so it is not derived from that.
     */
    public static final String MQTT_BIRTH_TOPIC = "homeassistant/status";

    /** {@code mqtt.keep-alive}. */
    public static final Duration MQTT_KEEP_ALIVE = Duration.ofSeconds(30);

    /** {@code mqtt.client-id}: {@code dualwan-} and the host name made safe ({@link Hostname#topicSafe}). */
    public static String mqttClientId(String hostId) {
        return "dualwan-" + hostId;
    }

    /** {@code mqtt.topic-prefix}: {@code dualwan/} and the host name made safe. */
    public static String mqttTopicPrefix(String hostId) {
        return "dualwan/" + hostId;
    }

    /** Default routing table of the WAN at 0-based position {@code index}. */
    public static int wanTable(int index) {
        return WAN_TABLE_BASE + index;
    }

    /** Default firewall mark of the WAN at 0-based position {@code index}: the same number as its default table. */
    public static int wanMark(int index) {
        return wanTable(index);
    }

    /** Default priority of the WAN at 0-based position {@code index}. */
    public static int wanPriority(int index) {
        return WAN_PRIORITY_BASE + index;
    }

    /** Default {@code check.min-up} for a host list of the given size. */
    public static int checkMinUp(int hostCount) {
        return hostCount == 0 ? CHECK_MIN_UP_NO_HOSTS : CHECK_MIN_UP;
    }
}
