package dualwan.dns;

import dualwan.model.StateListener;
import dualwan.model.DaemonState;
import dualwan.config.Config;
import dualwan.config.DnsConfig;
import dualwan.config.WanConfig;
import org.tinylog.Logger;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * DNS follows the active uplink: the LAN's dnsmasq gets the active uplink's DNS servers in its
 * {@code resolv-file}, which dnsmasq polls and re-reads by itself when it changes ({@link ResolvFile}). Servers are the uplink's {@code dns} list, or for
 * {@code dns: auto} what its DHCP/PPP client's hook wrote to {@code learned-dir/IFACE} (watched with inotify,
 * so a new lease is passed on at once). All file work runs on this adapter's own thread; the loop only hands
 * over the active uplink's name.
 */
public final class DnsFollower implements StateListener, AutoCloseable {

    private final Config config;
    private final DnsConfig dns;
    private final BiConsumer<String, Object> section;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> thread(r, "dualwan-dns"));
    private final Thread watcher;
    private volatile WatchService watch;
    private volatile boolean closed;

    /** Loop thread only. */
    private Optional<String> told = Optional.empty();
    /** Worker thread only. */
    private Optional<String> active = Optional.empty();
    private String written;
    private String published;

    /**
     * @param section publishes the {@code dns} section of the state (Daemon::setSection)
     */
    public DnsFollower(Config config, DnsConfig dns, BiConsumer<String, Object> section) {
        this.config = config;
        this.dns = dns;
        this.section = section;
        this.watcher = thread(this::watchLearned, "dualwan-dns-watch");
        watcher.start();
    }

    @Override
    public void stateChanged(DaemonState state) {
        Optional<String> now = state.active();
        if (!now.equals(told)) {
            told = now;
            worker.execute(() -> {
                active = now;
                update("active uplink " + now.orElse("none"));
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
        WatchService w = watch;
        if (w != null) {
            try {
                w.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        worker.shutdown();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The servers of an uplink: configured, or learned. */
    List<Inet4Address> servers(WanConfig w) {
        return w.dns().orElseGet(() -> LearnedServers.read(dns.learnedDir().resolve(w.iface())));
    }

    /** Worker thread: writes the active uplink's servers if they differ from what the resolv-file holds. */
    private void update(String why) {
        Optional<WanConfig> w = active.flatMap(config::wan);
        if (w.isEmpty()) {
            return;
        }
        List<Inet4Address> servers = servers(w.get());
        if (servers.isEmpty()) {
            Logger.warn("dns: {} has no known DNS servers ({}); dnsmasq keeps the ones it has", w.get().name(),
                    w.get().dns().isPresent() ? "configured" : "nothing learned in " + dns.learnedDir().resolve(w.get().iface()));
            return;
        }
        String content = ResolvFile.content(w.get().name(), servers);
        if (written == null) {
            written = readQuietly(dns.resolvFile()); // after a restart, an unchanged file is left alone
        }
        List<String> shown = servers.stream().map(Inet4Address::getHostAddress).toList();
        if (!content.equals(written)) {
            try {
                ResolvFile.write(dns.resolvFile(), content);
                written = content;
            } catch (IOException e) {
                Logger.warn("dns: cannot write {}: {}", dns.resolvFile(), e.getMessage());
                return;
            }
            Logger.info("dns: {} -> servers of {} {} in {} (dnsmasq re-reads it when it changes)", why,
                    w.get().name(), shown, dns.resolvFile());
        }
        if (!content.equals(published)) { // also after a restart that found the file already right
            published = content;
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("uplink", w.get().name());
            s.put("servers", shown);
            s.put("resolv-file", dns.resolvFile().toString());
            s.put("updated", Instant.now().toString());
            section.accept("dns", Map.copyOf(s));
        }
    }

    /** Watches learned-dir (once it exists: the hooks create it) and re-reads when the active uplink's file changes. */
    private void watchLearned() {
        Path dir = dns.learnedDir();
        while (!closed) {
            try {
                if (!Files.isDirectory(dir)) {
                    Thread.sleep(5000);
                    continue;
                }
                try (WatchService w = dir.getFileSystem().newWatchService()) {
                    watch = w;
                    dir.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE);
                    worker.execute(() -> update("watching " + dir)); // whatever changed before the watch
                    while (!closed) {
                        WatchKey key = w.take();
                        List<String> names = key.pollEvents().stream().map(e -> String.valueOf(e.context())).toList();
                        boolean valid = key.reset();
                        worker.execute(() -> {
                            String iface = active.flatMap(config::wan).map(WanConfig::iface).orElse(null);
                            if (names.contains(iface)) {
                                update(dir.resolve(iface) + " changed");
                            }
                        });
                        if (!valid) {
                            break; // the directory went away; wait for it again
                        }
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (IOException e) {
                Logger.warn("dns: cannot watch {}: {}", dir, e.getMessage());
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
