package dualwan.gpio;

import dualwan.TestConfigs;
import dualwan.TestStates;
import dualwan.config.GpioConfig;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.health.HealthSnapshot;
import dualwan.health.TargetHealth;
import dualwan.health.UplinkHealth;
import dualwan.model.Verdict;

import java.net.Inet4Address;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static dualwan.TestConfigs.ip;

/** States and panels for the gpio tests: the lab's two uplinks, three hosts each. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Fixtures() {
    }

    /** isp1: health 17, active 27; isp2: health 22, active 23; button 24 (board/gpio-pi4.yaml). */
    static GpioConfig panel(GpioConfig.Provider provider) {
        Map<String, GpioConfig.UplinkLeds> leds = new LinkedHashMap<>();
        leds.put("isp1", new GpioConfig.UplinkLeds(OptionalInt.of(17), OptionalInt.of(27)));
        leds.put("isp2", new GpioConfig.UplinkLeds(OptionalInt.of(22), OptionalInt.of(23)));
        return new GpioConfig(provider, Optional.empty(), leds, OptionalInt.of(24));
    }

    static TargetHealth target(Verdict v, int samples, int misses) {
        long history = (1L << misses) - 1; // the newest results are the misses
        return new TargetHealth(v, v == Verdict.UP ? 0 : misses, v == Verdict.UP ? samples : 0, history, samples,
                v == Verdict.UP ? 1000 : -1, T0);
    }

    static TargetHealth up() {
        return target(Verdict.UP, 20, 0);
    }

    static UplinkHealth uplink(String wan, Verdict v, boolean confirming, TargetHealth... hosts) {
        Map<java.net.InetAddress, TargetHealth> m = new LinkedHashMap<>();
        for (int i = 0; i < hosts.length; i++) {
            m.put(ip("192.0.2." + (i + 1)), hosts[i]);
        }
        return new UplinkHealth(wan, v, v.label(), T0, v != Verdict.DOWN, Optional.of(ip("100.64.1.1")),
                Optional.of(up()), m, confirming);
    }

    static UplinkHealth healthy(String wan) {
        return uplink(wan, Verdict.UP, false, up(), up(), up());
    }

    static UplinkHealth down(String wan) {
        return uplink(wan, Verdict.DOWN, false, target(Verdict.DOWN, 20, 20), target(Verdict.DOWN, 20, 20),
                target(Verdict.DOWN, 20, 20));
    }

    /** The state the daemon shows for this health of isp1 and isp2 ({@code active} null: nothing chosen). */
    static DaemonState status(UplinkHealth isp1, UplinkHealth isp2, String active, Mode mode) {
        Map<String, UplinkHealth> m = new LinkedHashMap<>();
        m.put("isp1", isp1);
        m.put("isp2", isp2);
        return TestStates.of(TestConfigs.twoWans(), new HealthSnapshot(T0, m), Optional.ofNullable(active), mode);
    }

    /** One uplink as the daemon shows it. */
    static DaemonState.Uplink shown(UplinkHealth u) {
        return TestStates.of(TestConfigs.twoWans(), new HealthSnapshot(T0, Map.of(u.wan(), u)), Optional.empty(),
                Mode.AUTO).wan(u.wan()).orElseThrow();
    }
}
