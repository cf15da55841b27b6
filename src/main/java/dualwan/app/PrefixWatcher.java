package dualwan.app;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Watches the directory where the DHCPv6 clients' hooks write each uplink's delegated prefix
 * ({@code lan.ipv6} learned-dir, one file per interface) with inotify, and asks for an addressing read when an
 * uplink's file appears, changes or goes: a renumbered prefix reaches the translation, the rules and the flushes
 * within a second, without a restart. The file itself is read and validated by the address read
 * ({@code LearnedPrefix}); this only says when. A directory that does not exist yet is looked for every second.
 */
final class PrefixWatcher implements AutoCloseable {

    private static final Duration MISSING_DIR_POLL = Duration.ofSeconds(1);

    private final Path dir;
    private final Set<String> files;
    private final Runnable onChange;
    private final Thread thread;
    private volatile WatchService watch;
    private volatile boolean closed;

    private PrefixWatcher(Path dir, Set<String> files, Runnable onChange) {
        this.dir = dir;
        this.files = files;
        this.onChange = onChange;
        this.thread = Thread.ofVirtual().name("dualwan-prefix-watch").start(this::run);
    }

    /** A watcher when some uplink learns its prefix from a hook, else empty. */
    static Optional<PrefixWatcher> start(Config config, Runnable onChange) {
        if (config.lan().ipv6().isEmpty()) {
            return Optional.empty();
        }
        Set<String> files = config.wans().stream().filter(w -> w.ipv6().filter(x -> x.prefixLearned()).isPresent())
                .map(WanConfig::iface).collect(Collectors.toUnmodifiableSet());
        return files.isEmpty() ? Optional.empty()
                : Optional.of(new PrefixWatcher(config.lan().ipv6().get().learnedDir(), files, onChange));
    }

    private void run() {
        boolean wasMissing = false;
        while (!closed) {
            try {
                if (!Files.isDirectory(dir)) {
                    wasMissing = true;
                    Thread.sleep(MISSING_DIR_POLL.toMillis());
                    continue;
                }
                try (WatchService w = dir.getFileSystem().newWatchService()) {
                    watch = w;
                    dir.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE);
                    if (wasMissing) {
                        onChange.run(); // the directory came with its files before the watch saw them
                    }
                    watchUntilGone(w);
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (IOException | RuntimeException e) {
                Logger.warn("watching {} for delegated prefixes: {}; trying again", dir, e.getMessage());
                try {
                    Thread.sleep(MISSING_DIR_POLL.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
            wasMissing = true;
        }
    }

    /** Reports changes to the uplinks' files until the directory goes away. */
    private void watchUntilGone(WatchService w) throws InterruptedException {
        while (!closed) {
            WatchKey key = w.take();
            boolean ours = false;
            for (WatchEvent<?> e : key.pollEvents()) {
                // A hook writes a temporary file and renames it: the rename's CREATE names the uplink's file.
                ours |= e.kind() == StandardWatchEventKinds.OVERFLOW
                        || (e.context() instanceof Path p && files.contains(p.toString()));
            }
            if (ours) {
                onChange.run();
            }
            if (!key.reset()) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        WatchService w = watch;
        if (w != null) {
            try {
                w.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
