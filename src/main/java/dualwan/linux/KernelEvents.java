package dualwan.linux;

import org.tinylog.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Wakes the daemon when the kernel reports a link, address, route or rule change, instead of polling. Runs
 * {@code ip monitor link address route rule} (iproute2 6.1 has no JSON for it) and hands each line, reduced to a
 * {@link KernelEvent}, to the daemon, which re-reads only what that event can have changed.
 * <p>
 * The reader never dies: whatever ends a run — the monitor exiting, a read error, a line the parser throws on, an
 * exception from the consumer — the monitor is killed, the reason logged, and it starts again after a pause
 * that doubles from 1 s up to 30 s while runs keep failing, and is 1 s again after a run that lasted a minute.
 * An {@link KernelEvent.Kind#OTHER} event (re-read everything) follows every (re)start to cover the gap.
 */
final class KernelEvents implements AutoCloseable {

    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration MAX_PAUSE = Duration.ofSeconds(30);
    /** A run at least this long was healthy: the next failure pauses {@link #FIRST_PAUSE} again. */
    static final Duration HEALTHY_RUN = Duration.ofMinutes(1);

    private static final int STDERR_KEPT = 512;

    private final List<String> argv;
    private final Consumer<KernelEvent> onChange;
    private final Function<String, Optional<KernelEvent>> parser;
    private final Duration firstPause;
    private final Duration maxPause;
    private final Duration healthyRun;
    private final Thread reader;
    private volatile Process process;
    private volatile boolean closed;

    KernelEvents(Path ip, Consumer<KernelEvent> onChange) {
        this(ip, onChange, KernelEvent::parse, FIRST_PAUSE, MAX_PAUSE, HEALTHY_RUN);
    }

    /** With another parser and pauses: for tests. */
    KernelEvents(Path ip, Consumer<KernelEvent> onChange, Function<String, Optional<KernelEvent>> parser,
                 Duration firstPause, Duration maxPause, Duration healthyRun) {
        // -N: table numbers, as in the reads, so events about a table named in rt_tables are still ours.
        this.argv = List.of(ip.toString(), "-N", "monitor", "link", "address", "route", "rule");
        this.onChange = onChange;
        this.parser = parser;
        this.firstPause = firstPause;
        this.maxPause = maxPause;
        this.healthyRun = healthyRun;
        this.reader = new Thread(this::run, "dualwan-kernel-events");
        reader.setDaemon(true);
        // Nothing should reach it (run() catches every Throwable), but a thread that died must never be silent.
        reader.setUncaughtExceptionHandler((t, e) -> Logger.error(e, "kernel events reader died"));
        reader.start();
    }

    private void run() {
        Optional<Duration> lastPause = Optional.empty();
        while (!closed) {
            long started = System.nanoTime();
            String ended = runOnce();
            if (closed) {
                return;
            }
            Duration ran = Duration.ofNanos(System.nanoTime() - started);
            Duration pause = nextPause(lastPause, ran, firstPause, maxPause, healthyRun);
            lastPause = Optional.of(pause);
            Logger.warn("ip monitor stopped after {} ms ({}); restarting it in {} ms", ran.toMillis(), ended,
                    pause.toMillis());
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                // an interrupt that is not a close: restart now rather than lose the monitor
            }
        }
    }

    /**
     * The pause before the next start: {@code first} after the first failure and after a run of at least
     * {@code healthy}; otherwise twice the last one, up to {@code max}.
     */
    static Duration nextPause(Optional<Duration> last, Duration ran, Duration first, Duration max, Duration healthy) {
        if (last.isEmpty() || ran.compareTo(healthy) >= 0) {
            return first;
        }
        Duration doubled = last.get().multipliedBy(2);
        return doubled.compareTo(max) > 0 ? max : doubled;
    }

    /** One run of the monitor, until it ends or anything throws; returns why it ended. Never throws. */
    private String runOnce() {
        Process p = null;
        StderrTail stderr = null;
        try {
            p = ProcessRunner.builder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            process = p;
            stderr = StderrTail.start(p.getErrorStream());
            if (closed) {
                return "closed";
            }
            onChange.accept(KernelEvent.other()); // whatever changed while no monitor was listening
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null && !closed; ) {
                    parser.apply(line).ifPresent(onChange);
                }
            }
            return exitReason(p, stderr);
        } catch (IOException e) {
            return e.toString(); // the pipe or the process: no stack trace to learn from
        } catch (Throwable t) {
            if (!closed) {
                Logger.error(t, "kernel events: a bug ended this run of ip monitor");
            }
            return t.toString();
        } finally {
            if (p != null && p.isAlive()) {
                ProcessRunner.killTree(p); // after a throw it is still running: never leave one behind
            }
        }
    }

    private static String exitReason(Process p, StderrTail stderr) throws InterruptedException {
        if (!p.waitFor(1, TimeUnit.SECONDS)) {
            return "its output ended";
        }
        String said = stderr.text(Duration.ofMillis(100));
        return "exit " + p.exitValue() + (said.isEmpty() ? "" : ": " + said);
    }

    @Override
    public void close() {
        closed = true;
        Process p = process;
        if (p != null) {
            p.destroy();
        }
        reader.interrupt();
    }

    /** The last few hundred bytes the monitor printed on stderr, for the log when it exits. */
    private static final class StderrTail {

        private final StringBuilder tail = new StringBuilder();
        private Thread thread;

        static StderrTail start(InputStream in) {
            StderrTail t = new StderrTail();
            t.thread = Thread.ofVirtual().name("dualwan-kernel-events-stderr").start(() -> t.read(in));
            return t;
        }

        private void read(InputStream in) {
            byte[] buf = new byte[512];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (this) {
                        tail.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        if (tail.length() > STDERR_KEPT) {
                            tail.delete(0, tail.length() - STDERR_KEPT);
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }

        /** What it printed, once the stream ended (waiting at most {@code wait} for that). */
        String text(Duration wait) throws InterruptedException {
            thread.join(wait);
            synchronized (this) {
                return tail.toString().trim();
            }
        }
    }
}
