package dualwan.app;

import dualwan.config.Config;
import dualwan.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The learned-prefix watcher: a hook's rename of an uplink's file asks for a read; other files do not. */
class PrefixWatcherTest {

    private static Config config(Path dir) throws Exception {
        return ConfigLoader.parse(Path.of("t.yaml"), """
                wans:
                  - name: isp1
                    interface: wan1
                    nat6: prefix
                    prefix6: learned
                    check:
                      hosts: [192.0.2.1, 2001:db8:ffff::1]
                lan:
                  interfaces: [lan0]
                  ipv6:
                    prefix: fd00:1::/64
                    learned-dir: %s
                """.formatted(dir));
    }

    @Test
    void aRenamedPrefixFileAsksForAReadAndUnrelatedFilesDoNot(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("prefix6"); // missing at start, as before the DHCPv6 client's first lease
        Semaphore reads = new Semaphore(0);
        try (PrefixWatcher w = PrefixWatcher.start(config(dir), reads::release).orElseThrow()) {
            Thread.sleep(200);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(".wan1.new"), "prefix 2001:db8:1100::/56\n");
            Files.move(dir.resolve(".wan1.new"), dir.resolve("wan1"), StandardCopyOption.ATOMIC_MOVE);
            assertTrue(reads.tryAcquire(3, TimeUnit.SECONDS), "the new directory and its file are seen");
            reads.drainPermits();
            Thread.sleep(100);
            Files.writeString(dir.resolve("wan9"), "prefix 2001:db8:9900::/56\n");
            assertFalse(reads.tryAcquire(500, TimeUnit.MILLISECONDS), "another interface's file is not ours");
            Files.writeString(dir.resolve(".wan1.new"), "prefix 2001:db8:1200::/56\n");
            Files.move(dir.resolve(".wan1.new"), dir.resolve("wan1"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            assertTrue(reads.tryAcquire(2, TimeUnit.SECONDS), "a renumbered prefix is seen");
        }
    }

    @Test
    void noLearnedPrefixNoWatcher() throws Exception {
        Config c = ConfigLoader.parse(Path.of("t.yaml"), """
                wans:
                  - name: isp1
                    interface: wan1
                    check:
                      hosts: [192.0.2.1, 2001:db8:ffff::1]
                """);
        assertTrue(PrefixWatcher.start(c, () -> { }).isEmpty());
    }
}
