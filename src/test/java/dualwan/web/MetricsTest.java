package dualwan.web;

import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.Verdict;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exposition text for known states, line by line. */
class MetricsTest {

    private static List<String> samples(DaemonState s) {
        return Metrics.render(s, "1.2.3").lines().filter(l -> !l.startsWith("#")).toList();
    }

    @Test
    void aFailedOverStateReadsAsMetrics() {
        List<String> lines = samples(States.failedOver(States.T0));
        for (String expected : List.of(
                "dualwan_build_info{version=\"1.2.3\"} 1",
                "dualwan_uplink_up{uplink=\"isp1\"} 0",
                "dualwan_uplink_up{uplink=\"isp2\"} 1",
                "dualwan_uplink_active{uplink=\"isp1\"} 0",
                "dualwan_uplink_active{uplink=\"isp2\"} 1",
                "dualwan_uplink_forced{uplink=\"isp2\"} 0",
                "dualwan_target_up{uplink=\"isp1\",target=\"100.64.1.1\"} 1",
                "dualwan_target_up{uplink=\"isp1\",target=\"192.0.2.1\"} 0",
                "dualwan_target_rtt_seconds{uplink=\"isp2\",target=\"198.51.100.2\"} 0.0255",
                "dualwan_target_loss_ratio{uplink=\"isp1\",target=\"203.0.113.1\"} 1",
                "dualwan_target_loss_ratio{uplink=\"isp2\",target=\"203.0.113.2\"} 0",
                "dualwan_switches_total 1",
                "dualwan_conntrack_flushes_total 1",
                "dualwan_conntrack_deleted_total 4",
                "dualwan_probe_bytes_total{uplink=\"isp1\"} 0",
                "dualwan_kernel_in_sync 1",
                "dualwan_active_since_timestamp_seconds 1795291200")) {
            assertTrue(lines.contains(expected), () -> "missing " + expected + " in\n" + String.join("\n", lines));
        }
    }

    @Test
    void withIpv6EachUplinksIpv6AndTheActiveIpv6UplinkAreMetricsOfTheirOwn() {
        List<String> lines = samples(dualwan.DualStack.isp1Ipv6Down(States.healthy("isp1", States.T0), States.T0));
        for (String expected : List.of(
                "dualwan_uplink_up{uplink=\"isp1\"} 1",
                "dualwan_uplink_active{uplink=\"isp1\"} 1",
                "dualwan_uplink6_up{uplink=\"isp1\"} 0",
                "dualwan_uplink6_up{uplink=\"isp2\"} 1",
                "dualwan_uplink6_active{uplink=\"isp1\"} 0",
                "dualwan_uplink6_active{uplink=\"isp2\"} 1",
                "dualwan_ipv6_unreachable 0",
                "dualwan_switches6_total 1",
                "dualwan_switches_total 0",
                "dualwan_active6_since_timestamp_seconds 1795291200",
                "dualwan_target_up{uplink=\"isp1\",target=\"fe80::1\"} 1",
                "dualwan_target_up{uplink=\"isp2\",target=\"fe80::1\"} 1",
                "dualwan_target_up{uplink=\"isp1\",target=\"2001:db8:100::1\"} 0",
                "dualwan_target_rtt_seconds{uplink=\"isp2\",target=\"2001:db8:200::2\"} 0.0275",
                "dualwan_target_loss_ratio{uplink=\"isp1\",target=\"2001:db8:200::1\"} 1")) {
            assertTrue(lines.contains(expected), () -> "missing " + expected + " in\n" + String.join("\n", lines));
        }
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("dualwan_target_rtt_seconds{uplink=\"isp1\",target=\"2001:")),
                "no RTT for IPv6 hosts that never answered");

        List<String> unreachable = samples(dualwan.DualStack.unreachable(States.healthy("isp2", States.T0),
                States.T0));
        assertTrue(unreachable.contains("dualwan_ipv6_unreachable 1"), String.join("\n", unreachable));
        assertTrue(unreachable.contains("dualwan_uplink6_active{uplink=\"isp1\"} 0"));
        assertFalse(unreachable.stream().anyMatch(l -> l.startsWith("dualwan_uplink6_up{uplink=\"isp2\"")),
                "isp2 has no IPv6: no IPv6 sample for it");
    }

    @Test
    void anIpv4OnlyStateHasNoIpv6Metrics() {
        String text = Metrics.render(States.failedOver(States.T0), "dev");
        for (String six : List.of("uplink6", "ipv6", "switches6", "active6", "2001:db8", "fe80")) {
            assertFalse(text.contains(six), () -> six + " in an IPv4-only scrape:\n" + text);
        }
    }

    @Test
    void everyFamilyHasHelpAndTypeBeforeItsSamples() {
        String text = Metrics.render(States.healthy("isp1", States.T0), "dev");
        String family = null;
        for (String line : text.lines().toList()) {
            if (line.startsWith("# HELP ")) {
                family = line.split(" ")[2];
            } else if (line.startsWith("# TYPE ")) {
                assertEquals(family, line.split(" ")[2]);
            } else {
                assertTrue(family != null && line.startsWith(family), line);
            }
        }
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void aTargetWithoutAnRttHasNoRttSample() {
        Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
        DaemonState.Uplink u = States.uplink(1, Verdict.UNKNOWN, "being judged", 1, 0);
        Map<String, DaemonState.Target> hosts = Map.of("192.0.2.1", States.target(Verdict.UNKNOWN, null, 0));
        wans.put("isp1", new DaemonState.Uplink(u.state(), u.reason(), u.since(), false, Optional.empty(),
                Optional.empty(), Optional.empty(), false, hosts, Optional.empty(), Optional.empty()));
        List<String> lines = samples(States.state(Optional.empty(), Mode.force("isp1"), "starting", wans, 0,
                Optional.empty(), States.T0));
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("dualwan_target_rtt_seconds")), lines::toString);
        assertTrue(lines.contains("dualwan_target_up{uplink=\"isp1\",target=\"192.0.2.1\"} 0"));
        assertTrue(lines.contains("dualwan_uplink_active{uplink=\"isp1\"} 0"), "nothing active yet");
        assertTrue(lines.contains("dualwan_uplink_forced{uplink=\"isp1\"} 1"));
        assertTrue(lines.contains("dualwan_uplink_carrier{uplink=\"isp1\"} 0"));
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", Metrics.escape("a\\b\"c\nd"));
        assertEquals("0.001", Metrics.number(0.001));
        assertEquals("1.0E-4", Metrics.number(0.0001));
        assertEquals("42", Metrics.number(42.0));
    }
}
