package dualwan.linux;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.config.ConntrackConfig;
import dualwan.linux.Preflight.Version;
import dualwan.linux.Tools.Found;
import dualwan.linux.Tools.Tool;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which tools a config needs and when one is missing or too old, against tools as a fake resolver found them. */
class PreflightTest {

    private static final List<Path> SEARCHED = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));

    private final Config affected = TestConfigs.twoWans();
    private final Config noFlush = withFlush(ConntrackConfig.Flush.NONE);

    private static Config withFlush(ConntrackConfig.Flush flush) {
        Config c = TestConfigs.twoWans();
        return new Config(c.source(), c.wans(), c.failback(), c.lan(), c.routing(), c.stateFile(),
                new ConntrackConfig(flush, List.of()), c.policies(), c.gpio(), c.dns(), c.mqtt(), c.web());
    }

    /** Tools found with these version texts (tool → text); a tool not in the map was not found. */
    private static Tools tools(Map<Tool, String> versions) {
        Map<Tool, Found> found = new EnumMap<>(Tool.class);
        versions.forEach((t, v) -> found.put(t, new Found(Path.of("/usr/sbin", t.command), v)));
        return new Tools(SEARCHED, found);
    }

    private static Tools debian12Without(Tool... missing) {
        Map<Tool, String> v = new EnumMap<>(FakeTools.DEBIAN_12);
        for (Tool t : missing) {
            v.remove(t);
        }
        return tools(v);
    }

    @Test
    void ipAndNftAreAlwaysNeededAndConntrackUnlessFlushIsNone() {
        assertEquals(Set.of(Tool.IP, Tool.NFT, Tool.CONNTRACK), Preflight.needed(affected));
        assertEquals(Set.of(Tool.IP, Tool.NFT, Tool.CONNTRACK), Preflight.needed(withFlush(ConntrackConfig.Flush.ALL)));
        assertEquals(Set.of(Tool.IP, Tool.NFT), Preflight.needed(noFlush));
    }

    @Test
    void debian12HasEverythingAConfigNeeds() {
        assertEquals(List.of(), Preflight.check(affected, debian12Without()));
    }

    @Test
    void aMissingToolIsOneLineSayingWhereItWasLookedForWhyItIsNeededAndWhatToInstall() {
        assertEquals(List.of("nft not found (searched /usr/sbin:/sbin): dualwan keeps its nftables table (NAT,"
                + " policies) with nft; install the Debian package nftables"),
                Preflight.check(affected, debian12Without(Tool.NFT)));
        assertEquals(List.of("ip not found (searched /usr/sbin:/sbin): dualwan sets its routes and rules with ip;"
                        + " install the Debian package iproute2",
                "conntrack not found (searched /usr/sbin:/sbin): conntrack.flush: affected deletes moved flows with"
                        + " conntrack; install the Debian package conntrack, or set conntrack.flush: none"),
                Preflight.check(affected, debian12Without(Tool.IP, Tool.CONNTRACK)));
    }

    @Test
    void withoutFlushesAMissingConntrackIsNoProblem() {
        assertEquals(List.of(), Preflight.check(noFlush, debian12Without(Tool.CONNTRACK)));
    }

    @Test
    void aToolOlderThanTheFeaturesDualwanUsesIsAProblem() {
        Map<Tool, String> old = new EnumMap<>(FakeTools.DEBIAN_12);
        old.put(Tool.NFT, "nftables v0.9.6 (Capital Idea #2)");
        assertEquals(List.of("/usr/sbin/nft is too old (nftables v0.9.6 (Capital Idea #2)): dualwan keeps its nftables"
                + " table (NAT, policies) with nft, which needs 0.9.7 or later"), Preflight.check(affected, tools(old)));
        old.put(Tool.NFT, FakeTools.DEBIAN_12.get(Tool.NFT));
        old.put(Tool.IP, "ip utility, iproute2-ss180402"); // 4.16
        old.put(Tool.CONNTRACK, "conntrack v1.0.1 (conntrack-tools)");
        List<String> problems = Preflight.check(affected, tools(old));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("/usr/sbin/ip is too old (ip utility, iproute2-ss180402)")
                && problems.get(0).endsWith("which needs 4.17.0 or later"), problems.get(0));
        assertTrue(problems.get(1).startsWith("/usr/sbin/conntrack is too old (conntrack v1.0.1 (conntrack-tools))")
                && problems.get(1).endsWith("which needs 1.2.0 or later"), problems.get(1));
    }

    @Test
    void aVersionTextThatCannotBeReadIsNoProblem() {
        Map<Tool, String> odd = new EnumMap<>(FakeTools.DEBIAN_12);
        odd.put(Tool.NFT, "");                     // --version failed or printed nothing
        odd.put(Tool.CONNTRACK, "conntrack, the next generation");
        assertEquals(List.of(), Preflight.check(affected, tools(odd)));
    }

    @Test
    void readsTheVersionFormatsEachToolHasPrinted() {
        assertEquals(Optional.of(new Version(6, 1, 0)), Preflight.version(Tool.IP, "ip utility, iproute2-6.1.0, libbpf 1.1.2"));
        assertEquals(Optional.of(new Version(5, 8, 0)), Preflight.version(Tool.IP, "ip utility, iproute2-v5.8.0-7-gabcdef"));
        assertEquals(Optional.of(new Version(6, 15, 0)), Preflight.version(Tool.IP, "ip utility, iproute2-6.15.0, libbpf 1.5.0"));
        // snapshot dates until 5.7: 4.17's was 180608
        assertEquals(Optional.of(Preflight.MIN_IPROUTE2), Preflight.version(Tool.IP, "ip utility, iproute2-ss200602"));
        assertTrue(Preflight.version(Tool.IP, "ip utility, iproute2-ss171113").orElseThrow()
                .compareTo(Preflight.MIN_IPROUTE2) < 0);
        assertEquals(Optional.of(new Version(1, 0, 6)), Preflight.version(Tool.NFT, "nftables v1.0.6 (Lester Gooch #5)"));
        assertEquals(Optional.of(new Version(0, 9, 0)), Preflight.version(Tool.NFT, "nftables v0.9.0 (Fearless Fosdick)"));
        assertEquals(Optional.of(new Version(1, 4, 7)), Preflight.version(Tool.CONNTRACK, "conntrack v1.4.7 (conntrack-tools)"));
        assertEquals(Optional.empty(), Preflight.version(Tool.CONNTRACK, "conntrack v99999999999.1 (conntrack-tools)"));
    }

    @Test
    void versionsCompareByNumberNotByText() {
        assertTrue(new Version(0, 10, 0).compareTo(new Version(0, 9, 7)) > 0);
        assertTrue(new Version(1, 0, 0).compareTo(new Version(0, 9, 7)) > 0);
        assertTrue(new Version(0, 9, 6).compareTo(new Version(0, 9, 7)) < 0);
    }
}
