package dualwan.linux;

import org.tinylog.Logger;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link CommandRunner} on {@link ProcessBuilder}, for the short commands dualwan runs ({@code ip}, {@code nft},
 * {@code conntrack}).
 * <ul>
 *   <li>The timeout is real: at the deadline the command and every process it started are killed (SIGKILL) and
 *       the call throws, whatever state its output pipes are in.</li>
 *   <li>Standard output and error are read concurrently while it runs, so a command that fills one pipe never
 *       blocks on it; each is kept up to {@link #OUTPUT_LIMIT}.</li>
 *   <li>A command that exited is done, even if a process it left behind still holds its output open: the rest
 *       is not waited for.</li>
 *   <li>{@code LC_ALL=C}, so the messages parsed (conntrack's "N flow entries have been deleted", nft's errors)
 *       are the same on every machine; standard input is /dev/null unless input is given.</li>
 * </ul>
 */
public final class ProcessRunner implements CommandRunner {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Per stream. The largest output dualwan reads is {@code ip -json route show table all}, about 150 bytes a
     * route: 4 MiB is some 25,000 routes, far more than a home router has. More than that is an error rather
     * than a silently cut JSON text; the rest is still read (and dropped) so the command never blocks.
     */
    static final int OUTPUT_LIMIT = 4 << 20;

    /**
     * After the command exited, how long its output may still take to reach end-of-file. Normally that is at
     * once; only a process it left behind keeps a pipe open, and that one is not waited for.
     */
    static final Duration LINGER = Duration.ofMillis(200);

    private static final File NO_INPUT = new File("/dev/null");

    private final Duration timeout;

    public ProcessRunner() {
        this(DEFAULT_TIMEOUT);
    }

    public ProcessRunner(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
    }

    @Override
    public Result run(List<String> argv) throws IOException {
        return run(argv, null, timeout);
    }

    @Override
    public Result run(List<String> argv, String input) throws IOException {
        return run(argv, java.util.Objects.requireNonNull(input, "input"), timeout);
    }

    /**
     * Runs {@code argv} with {@code input} on standard input (null: /dev/null), killing it and its descendants
     * if it has not exited within {@code limit}.
     *
     * @throws IOException it could not start, did not finish in time (the message names the command and the
     *                     limit), printed more than {@link #OUTPUT_LIMIT} on a stream, or the calling thread was
     *                     interrupted ({@link InterruptedIOException}, interrupt status kept)
     */
    public Result run(List<String> argv, String input, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        Process p = builder(argv)
                .redirectInput(input == null ? ProcessBuilder.Redirect.from(NO_INPUT) : ProcessBuilder.Redirect.PIPE)
                .start();
        Drain out = Drain.start(p.getInputStream(), "stdout");
        Drain err = Drain.start(p.getErrorStream(), "stderr");
        if (input != null) {
            feed(p.getOutputStream(), input);
        }
        try {
            if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                int killed = killTree(p);
                throw new IOException(describe(argv) + ": did not finish within " + seconds(limit) + "; killed it"
                        + (killed > 0 ? " and " + killed + " process(es) it started" : ""));
            }
            long lingerEnd = System.nanoTime() + LINGER.toNanos();
            if (!(out.await(lingerEnd) & err.await(lingerEnd))) {
                Logger.warn("{}: exited, but a process it started still holds its output open; not waiting for it",
                        describe(argv));
            }
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + describe(argv));
        }
        for (Drain d : List.of(out, err)) {
            if (d.overflowed()) {
                throw new IOException(describe(argv) + ": printed more than " + (OUTPUT_LIMIT >> 20) + " MiB on "
                        + d.name + "; output dropped");
            }
        }
        return new Result(p.exitValue(), out.text(), err.text());
    }

    /**
     * A builder with the environment every child of dualwan gets: {@code LC_ALL=C} and no other locale variable,
     * so that what we parse does not depend on the user's language.
     */
    static ProcessBuilder builder(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_"));
        env.put("LC_ALL", "C");
        return pb;
    }

    /**
     * Kills {@code p} and every process below it (SIGKILL), then reaps {@code p} (at most a second). The tree is
     * listed before the parent dies: its orphans would no longer be found under it. Returns how many
     * descendants were killed.
     */
    static int killTree(Process p) {
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return descendants.size();
    }

    private static void feed(OutputStream stdin, String input) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        // Its own thread: a command that reads nothing and hangs must not block the caller past the deadline.
        Thread.ofVirtual().name("dualwan-stdin").start(() -> {
            try (stdin) {
                stdin.write(bytes);
            } catch (IOException e) {
                // it exited (or was killed) without reading it all; its exit code and stderr tell why
            }
        });
    }

    private static String describe(List<String> argv) {
        String s = String.join(" ", argv);
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Reads one stream to its end on a virtual thread, keeping the first {@link #OUTPUT_LIMIT} bytes. */
    private static final class Drain {

        private final String name;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CountDownLatch ended = new CountDownLatch(1);
        private boolean overflowed;

        private Drain(String name) {
            this.name = name;
        }

        static Drain start(InputStream in, String name) {
            Drain d = new Drain(name);
            Thread.ofVirtual().name("dualwan-" + name).start(() -> d.read(in));
            return d;
        }

        private void read(InputStream in) {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (this) {
                        int room = OUTPUT_LIMIT - kept.size();
                        kept.write(buf, 0, Math.min(n, room));
                        overflowed |= n > room;
                    }
                }
            } catch (IOException e) {
                // the stream was closed under us (the process is gone): what was read is what there is
            } finally {
                ended.countDown();
            }
        }

        /** True if the stream ended by {@code deadline} (a {@link System#nanoTime()} value). */
        boolean await(long deadline) throws InterruptedException {
            return ended.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        synchronized boolean overflowed() {
            return overflowed;
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
