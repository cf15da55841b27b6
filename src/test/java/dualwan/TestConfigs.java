package dualwan;

import dualwan.config.CheckConfig;
import dualwan.config.Config;
import dualwan.config.ConntrackConfig;
import dualwan.config.FailbackConfig;
import dualwan.config.Ipv4;
import dualwan.config.LanConfig;
import dualwan.config.Nat;
import dualwan.config.RoutingConfig;
import dualwan.config.WanConfig;
import dualwan.model.ProbeMethod;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Configs for tests, built directly (the loader has its own tests). Shaped like the lab: isp1 and isp2. */
public final class TestConfigs {

    public static final Duration INTERVAL = dualwan.config.Defaults.CHECK_INTERVAL;
    public static final Duration TIMEOUT = dualwan.config.Defaults.CHECK_TIMEOUT;
    public static final int DOWN_AFTER = dualwan.config.Defaults.CHECK_DOWN_AFTER;
    public static final int UP_AFTER = dualwan.config.Defaults.CHECK_UP_AFTER;
    public static final Duration CONFIRM = dualwan.config.Defaults.CHECK_CONFIRM_INTERVAL;

    private TestConfigs() {
    }

    public static Inet4Address ip(String dotted) {
        return Ipv4.of(dotted);
    }

    public static CheckConfig check(int minUp, boolean gateway, String... hosts) {
        return new CheckConfig(Arrays.stream(hosts).map(TestConfigs::ip).toList(), minUp, gateway, ProbeMethod.ICMP,
                INTERVAL, TIMEOUT, DOWN_AFTER, UP_AFTER, CONFIRM);
    }

    public static WanConfig wan(int n, CheckConfig check) {
        return new WanConfig("isp" + n, "wan" + n, Optional.of(ip("100.64." + n + ".1")), n, check, 100 + n, 100 + n,
                Nat.MASQUERADE, Optional.empty());
    }

    /** Two uplinks, three hosts each, gateway checked, quorum 1, 30 s failback hold. */
    public static Config twoWans() {
        return twoWans(Duration.ofSeconds(30));
    }

    public static Config twoWans(Duration hold) {
        return of(hold, wan(1, check(1, true, "192.0.2.1", "198.51.100.1", "203.0.113.1")),
                wan(2, check(1, true, "192.0.2.2", "198.51.100.2", "203.0.113.2")));
    }

    public static Config of(Duration hold, WanConfig... wans) {
        return new Config(Path.of("test.yaml"), List.of(wans), new FailbackConfig(hold), new LanConfig(List.of("lan0")),
                RoutingConfig.defaults(), Path.of("/tmp/dualwan-test-state.json"), ConntrackConfig.defaults(), List.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Two uplinks with IPv6 (each with two IPv4 and two IPv6 hosts, quorum 1), an IPv4-only lte, lan.ipv6. */
    public static final String DUAL_STACK_YAML = """
            wans:
              - name: isp1
                interface: wan1
                gateway: 100.64.1.1
                priority: 1
                check:
                  hosts: [192.0.2.1, 192.0.2.2, 2001:db8:ffff::1, 2001:db8:ffff::2]
                  min-up: 1
              - name: isp2
                interface: wan2
                gateway: 100.64.2.1
                priority: 2
                check:
                  hosts: [198.51.100.1, 198.51.100.2, 2001:db8:ffff::3, 2001:db8:ffff::4]
                  min-up: 1
              - name: lte
                interface: wwan0
                gateway: 100.64.3.1
                priority: 3
                check:
                  hosts: [203.0.113.1]
            lan:
              interfaces: [lan0]
              ipv6:
                prefix: fd00:1::/64
            failback:
              hold: 30s
            """;
}
