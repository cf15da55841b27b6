package dualwan.dns;

import org.tinylog.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The LAN's dnsmasq: the servers file it reads with {@code --servers-file}, and the SIGHUP after which it
 * re-reads that file (dnsmasq(8): "the file is re-read and the configuration therein is updated when dnsmasq
 * receives SIGHUP").
 */
public class Dnsmasq {

    private static final Pattern PID = Pattern.compile("[1-9][0-9]{0,9}");

    private final Path pidFile;

    public Dnsmasq(Path pidFile) {
        this.pidFile = pidFile;
    }

    /** Only {@code server=} lines of parsed addresses: nothing learned from the network is copied as text. */
    static String serversFile(String uplink, List<Inet4Address> servers) {
        StringBuilder b = new StringBuilder("# written by dualwan: the DNS servers of the active uplink, ")
                .append(uplink).append('\n');
        servers.forEach(s -> b.append("server=").append(s.getHostAddress()).append('\n'));
        return b.toString();
    }

    /**
     * Sends SIGHUP to the pid in the pid file, if that process is dnsmasq (a stale pid file must not make us
     * signal whatever process got the number since). Returns the pid signalled.
     */
    public Optional<String> reload() {
        String pid;
        try (InputStream in = Files.newInputStream(pidFile)) {
            pid = new String(in.readNBytes(32), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            Logger.warn("dns: no dnsmasq pid in {}: {}", pidFile, e.getMessage());
            return Optional.empty();
        }
        if (!PID.matcher(pid).matches()) {
            Logger.warn("dns: {} does not hold a pid", pidFile);
            return Optional.empty();
        }
        String comm;
        try {
            comm = Files.readString(Path.of("/proc", pid, "comm")).strip();
        } catch (IOException e) {
            Logger.warn("dns: dnsmasq (pid {} from {}) is not running", pid, pidFile);
            return Optional.empty();
        }
        if (!comm.equals("dnsmasq")) {
            Logger.warn("dns: pid {} from {} is '{}', not dnsmasq; not signalled", pid, pidFile, comm);
            return Optional.empty();
        }
        return hangUp(pid) ? Optional.of(pid) : Optional.empty();
    }

    /** {@code kill -HUP PID}; the daemon needs CAP_KILL when dnsmasq runs as another user. */
    protected boolean hangUp(String pid) {
        try {
            Process p = new ProcessBuilder(List.of("kill", "-HUP", pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                Logger.warn("dns: kill -HUP {} failed: {}", pid, out);
                return false;
            }
            return true;
        } catch (IOException e) {
            Logger.warn("dns: kill -HUP {}: {}", pid, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
