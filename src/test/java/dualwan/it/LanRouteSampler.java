package dualwan.it;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.lab.Lab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks the router's kernel, every 10 ms, which route a LAN client's packet to the internet takes
 * ({@code ip route get DST from CLIENT iif LAN}: the rules and tables a forwarded packet meets), through one
 * {@code ip -batch} process in the router's namespace, so sampling forks nothing. With the main table's
 * defaults removed, "no route" means the LAN really has none. Records the longest time without one.
 */
final class LanRouteSampler implements AutoCloseable {
    static final long EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Process ip;
    private final Thread thread;
    private final String query;
    private final long maxNanos;
    private volatile boolean stop;
    private long samples;
    private long noRouteSamples;
    private long longestNoRouteNanos;
    private long longestIntervalNanos;
    private long noRouteSince = -1;
    private String lastDev;
    private String lastError = "";
    private String failure;

    /** Samples for at most {@code maxSeconds} (a bound on the loop, whatever the test does). */
    LanRouteSampler(Lab lab, String dst, String client, String lanIface, long maxSeconds) throws IOException {
        this.query = "route get " + dst + " from " + client + " iif " + lanIface + "\n";
        this.maxNanos = TimeUnit.SECONDS.toNanos(maxSeconds);
        this.ip = new ProcessBuilder("ip", "netns", "exec", lab.ns("rtr"), "ip", "-force", "-json", "-batch", "-")
                .redirectErrorStream(true).start();
        this.thread = new Thread(this::run, "lan-route-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long start = System.nanoTime();
        long previous = -1;
        try (Writer in = new java.io.OutputStreamWriter(ip.getOutputStream(), StandardCharsets.UTF_8);
             BufferedReader out = new BufferedReader(new InputStreamReader(ip.getInputStream(), StandardCharsets.UTF_8))) {
            long next = System.nanoTime();
            while (!stop && System.nanoTime() - start < maxNanos) {
                in.write(query);
                in.flush();
                String dev = answer(out);
                long now = System.nanoTime();
                record(now, previous, dev);
                previous = now;
                next += EVERY_NANOS;
                LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                failure = e.toString();
            }
        }
    }

    /** The device of the route, or null when the kernel has none (an error, then "Command failed -:N"). */
    @SuppressWarnings("unchecked")
    private String answer(BufferedReader out) throws IOException {
        while (true) {
            String line = out.readLine();
            if (line == null) {
                throw new IOException("ip -batch ended");
            }
            if (line.startsWith("[")) {
                List<Object> routes = JSON.std.listFrom(line);
                Object dev = routes.isEmpty() ? null : ((Map<String, Object>) routes.get(0)).get("dev");
                return dev == null ? null : dev.toString();
            }
            if (line.startsWith("Command failed")) {
                return null;
            }
            synchronized (this) {
                lastError = line;
            }
        }
    }

    private synchronized void record(long now, long previous, String dev) {
        samples++;
        if (previous >= 0) {
            longestIntervalNanos = Math.max(longestIntervalNanos, now - previous);
        }
        lastDev = dev;
        if (dev == null) {
            noRouteSamples++;
            if (noRouteSince < 0) {
                noRouteSince = previous >= 0 ? previous : now; // it had a route at the previous sample at most
            }
            longestNoRouteNanos = Math.max(longestNoRouteNanos, now - noRouteSince);
        } else {
            noRouteSince = -1;
        }
    }

    synchronized long samples() {
        return samples;
    }

    synchronized long noRouteSamples() {
        return noRouteSamples;
    }

    /** The longest stretch of samples without a route, from the last sample with one; 0 if every sample had one. */
    synchronized long longestNoRouteMillis() {
        return TimeUnit.NANOSECONDS.toMillis(longestNoRouteNanos);
    }

    synchronized long longestIntervalMillis() {
        return TimeUnit.NANOSECONDS.toMillis(longestIntervalNanos);
    }

    synchronized String lastDev() {
        return lastDev;
    }

    /** Why sampling stopped early, with the last error line ip printed; null while it runs. */
    synchronized String failure() {
        return failure == null ? null : failure + " (last ip error: " + lastError + ")";
    }

    synchronized String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ip.destroyForcibly();
    }
}
