package dualwan.dns;

import dualwan.TestConfigs;
import dualwan.TestStates;
import dualwan.model.DaemonState;
import dualwan.config.Config;
import dualwan.config.DnsConfig;
import dualwan.config.Nat;
import dualwan.config.WanConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The follower on real files, with dnsmasq's SIGHUP recorded instead of sent. */
class DnsFollowerTest {

    @TempDir
    Path dir;

    @org.junit.jupiter.api.BeforeEach
    void learnedDir() throws Exception {
        Files.createDirectories(dir.resolve("learned"));
    }

    final List<String> hangUps = new CopyOnWriteArrayList<>();
    final Map<String, Object> sections = new ConcurrentHashMap<>();

    private DnsFollower follower(Config config) throws Exception {
        Path pid = dir.resolve("dnsmasq.pid");
        Files.writeString(pid, ProcessHandle.current().pid() + "\n");
        Dnsmasq dnsmasq = new Dnsmasq(pid) {
            @Override
            public Optional<String> reload() {
                hangUps.add("HUP");
                return Optional.of("1");
            }
        };
        Files.createDirectories(dir.resolve("learned"));
        return new DnsFollower(config, new DnsConfig(true, dir.resolve("servers.conf"), pid, dir.resolve("learned")),
                dnsmasq, sections::put);
    }

    private static Config config() {
        WanConfig isp1 = new WanConfig("isp1", "wan1", Optional.of(ip("100.64.1.1")), 1,
                TestConfigs.check(1, true, "192.0.2.1"), 101, 101, Nat.MASQUERADE, Optional.of(List.of(ip("100.64.1.1"))));
        WanConfig isp2 = new WanConfig("isp2", "wan2", Optional.of(ip("100.64.2.1")), 2,
                TestConfigs.check(1, true, "192.0.2.2"), 102, 102, Nat.MASQUERADE, Optional.empty());
        return TestConfigs.of(Duration.ofSeconds(30), isp1, isp2);
    }

    private static DaemonState active(String name) {
        return TestStates.active(config(), Optional.ofNullable(name));
    }

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        for (int i = 0; i < 100 && !cond.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertTrue(cond.getAsBoolean(), what);
    }

    private String servers() {
        try {
            return Files.readString(dir.resolve("servers.conf"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void writesTheActiveUplinksServersAndReloadsOncePerChange() throws Exception {
        Files.writeString(dir.resolve("learned").resolve("wan2"), "nameserver 100.64.2.53\n");
        try (DnsFollower f = follower(config())) {
            f.stateChanged(active("isp1"));
            await("isp1's configured server", () -> servers().contains("server=100.64.1.1\n"));
            await("one reload", () -> hangUps.size() == 1);
            f.stateChanged(active("isp1")); // nothing changed: no write, no reload
            f.stateChanged(active("isp2"));
            await("isp2's learned server", () -> servers().contains("server=100.64.2.53\n"));
            await("second reload", () -> hangUps.size() == 2);
            // The section follows the reload on the follower's thread: wait for it rather than race it.
            await("the dns section shows isp2", () -> sections.get("dns") instanceof Map<?, ?> m
                    && "isp2".equals(m.get("uplink")));
        }
    }

    @Test
    void aNewLeaseOfTheActiveUplinkIsPassedOnAtOnce() throws Exception {
        Path learned = dir.resolve("learned").resolve("wan2");
        Files.writeString(learned, "nameserver 100.64.2.53\n");
        try (DnsFollower f = follower(config())) {
            f.stateChanged(active("isp2"));
            await("first lease", () -> servers().contains("server=100.64.2.53\n"));
            Files.writeString(dir.resolve("learned").resolve(".wan2.new"), "nameserver 100.64.33.1\n");
            Files.move(dir.resolve("learned").resolve(".wan2.new"), learned,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            await("new lease", () -> servers().contains("server=100.64.33.1\n") && !servers().contains("100.64.2.53"));
            await("reloaded for it", () -> hangUps.size() == 2);
        }
    }

    @Test
    void anUplinkWithNothingLearnedLeavesTheFileAsItIs() throws Exception {
        try (DnsFollower f = follower(config())) {
            f.stateChanged(active("isp1"));
            await("isp1's server", () -> servers().contains("server=100.64.1.1\n"));
            f.stateChanged(active("isp2")); // wan2 learned nothing
            Thread.sleep(300);
            assertTrue(servers().contains("server=100.64.1.1\n"), servers());
            assertEquals(1, hangUps.size());
        }
    }

    @Test
    void reloadSignalsOnlyARealDnsmasq() throws Exception {
        Path pid = dir.resolve("pid");
        Files.writeString(pid, ProcessHandle.current().pid() + "\n"); // a java process, not dnsmasq
        List<String> sent = new CopyOnWriteArrayList<>();
        Dnsmasq d = new Dnsmasq(pid) {
            @Override
            protected boolean hangUp(String p) {
                sent.add(p);
                return true;
            }
        };
        assertEquals(Optional.empty(), d.reload());
        Files.writeString(pid, "12; rm -rf /\n");
        assertEquals(Optional.empty(), d.reload());
        Files.delete(pid);
        assertEquals(Optional.empty(), d.reload());
        assertEquals(List.of(), sent);
    }
}
