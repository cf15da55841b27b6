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
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The follower on real files: it only replaces dnsmasq's resolv-file (dnsmasq re-reads it by itself, see
 * DhcpDnsTest for a real dnsmasq), so each replacement is seen as a new inode.
 */
class DnsFollowerTest {

    @TempDir
    Path dir;

    final Map<String, Object> sections = new ConcurrentHashMap<>();

    @org.junit.jupiter.api.BeforeEach
    void learnedDir() throws Exception {
        Files.createDirectories(dir.resolve("learned"));
    }

    private DnsFollower follower(Config config) throws Exception {
        Files.createDirectories(dir.resolve("learned"));
        return new DnsFollower(config, new DnsConfig(true, resolvFile(), dir.resolve("learned")), sections::put);
    }

    private Path resolvFile() {
        return dir.resolve("resolv.conf");
    }

    /** The file's identity: a rename-replace gives a new inode, an untouched file keeps its own. */
    private Object inode() throws Exception {
        return Files.readAttributes(resolvFile(), BasicFileAttributes.class).fileKey();
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
            return Files.readString(resolvFile());
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void writesTheActiveUplinksServersOncePerChangeReadableByDnsmasq() throws Exception {
        Files.writeString(dir.resolve("learned").resolve("wan2"), "nameserver 100.64.2.53\n");
        try (DnsFollower f = follower(config())) {
            f.stateChanged(active("isp1"));
            await("isp1's configured server", () -> servers().contains("nameserver 100.64.1.1\n"));
            // dnsmasq runs as its own user: rw-r--r-- whatever the daemon's umask (the unit's is 0077).
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(resolvFile())));
            Object first = inode();
            f.stateChanged(active("isp1")); // nothing changed: the file is left alone
            f.stateChanged(active("isp2"));
            await("isp2's learned server", () -> servers().contains("nameserver 100.64.2.53\n"));
            assertFalse(servers().contains("100.64.1.1"), servers());
            assertNotEquals(first, inode(), "replaced by a rename (dnsmasq's inotify sees IN_MOVED_TO)");
            assertEquals(List.of("resolv.conf"), names(), "no temporary file is left beside it");
            await("the dns section shows isp2", () -> sections.get("dns") instanceof Map<?, ?> m
                    && "isp2".equals(m.get("uplink")) && List.of("100.64.2.53").equals(m.get("servers")));
        }
    }

    @Test
    void anUnchangedListIsNotRewrittenEvenAfterARestart() throws Exception {
        try (DnsFollower f = follower(config())) {
            f.stateChanged(active("isp1"));
            await("isp1's server", () -> servers().contains("nameserver 100.64.1.1\n"));
        }
        Object before = inode();
        sections.clear();
        try (DnsFollower f = follower(config())) {
            f.stateChanged(active("isp1"));
            await("the restarted follower shows isp1", () -> sections.get("dns") instanceof Map<?, ?> m
                    && "isp1".equals(m.get("uplink")));
            assertEquals(before, inode(), "same servers: dnsmasq is not made to re-read (and clear its cache)");
        }
    }

    @Test
    void aNewLeaseOfTheActiveUplinkIsPassedOnAtOnce() throws Exception {
        Path learned = dir.resolve("learned").resolve("wan2");
        Files.writeString(learned, "nameserver 100.64.2.53\n");
        try (DnsFollower f = follower(config())) {
            f.stateChanged(active("isp2"));
            await("first lease", () -> servers().contains("nameserver 100.64.2.53\n"));
            Files.writeString(dir.resolve("learned").resolve(".wan2.new"), "nameserver 100.64.33.1\n");
            Files.move(dir.resolve("learned").resolve(".wan2.new"), learned,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            await("new lease", () -> servers().contains("nameserver 100.64.33.1\n") && !servers().contains("100.64.2.53"));
        }
    }

    @Test
    void anUplinkWithNothingLearnedLeavesTheFileAsItIs() throws Exception {
        try (DnsFollower f = follower(config())) {
            f.stateChanged(active("isp1"));
            await("isp1's server", () -> servers().contains("nameserver 100.64.1.1\n"));
            Object before = inode();
            f.stateChanged(active("isp2")); // wan2 learned nothing
            Thread.sleep(300);
            assertTrue(servers().contains("nameserver 100.64.1.1\n"), servers());
            assertEquals(before, inode());
        }
    }

    @Test
    void anUnwritableDirectoryIsLoggedAndChangesNothing() throws Exception {
        Path gone = dir.resolve("missing").resolve("resolv.conf");
        try (DnsFollower f = new DnsFollower(config(), new DnsConfig(true, gone, dir.resolve("learned")), sections::put)) {
            f.stateChanged(active("isp1"));
            Thread.sleep(300);
            assertFalse(Files.exists(gone.getParent()));
            assertFalse(sections.containsKey("dns"), "no section claims servers that were not written");
        }
    }

    private List<String> names() throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("learned")).sorted().toList();
        }
    }
}
