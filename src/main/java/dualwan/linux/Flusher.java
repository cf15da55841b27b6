package dualwan.linux;

import org.tinylog.Logger;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs the conntrack deletions of a switch on a thread of its own, after the kernel worker applied the routes and
 * table they depend on: a {@code conntrack} that hangs until its timeout delays no route, no probe and no
 * decision. A command that fails is tried once more (an entry can vanish mid-dump; a table can be busy).
 */
final class Flusher implements AutoCloseable {

    /** Called when a batch is done: 1 batch, the entries deleted, and the last error if any command failed. */
    interface Done {
        void flushed(int batches, long deleted, Optional<String> error);
    }

    private final Kernel kernel;
    private final Done done;
    /** One batch at a time, on a virtual thread (no platform thread idles for the rare flush). */
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("dualwan-conntrack").factory());

    Flusher(Kernel kernel, Done done) {
        this.kernel = kernel;
        this.done = done;
    }

    void run(List<List<String>> commands, String what) {
        thread.execute(() -> {
            long deleted = 0;
            Optional<String> error = Optional.empty();
            for (List<String> c : commands) {
                for (int attempt = 1; attempt <= 2; attempt++) {
                    try {
                        int n = kernel.conntrack(c);
                        deleted += Math.max(0, n);
                        Logger.info("conntrack {}: {} entries deleted", String.join(" ", c), n < 0 ? "all" : n);
                        break;
                    } catch (IOException | RuntimeException e) {
                        Logger.warn("conntrack {} failed{}: {}", String.join(" ", c), attempt == 1 ? "" : " again",
                                e.getMessage());
                        error = Optional.of("conntrack " + String.join(" ", c) + ": " + e.getMessage());
                    }
                }
            }
            Logger.info("flushed {} conntrack entries for {}", deleted, what);
            done.flushed(1, deleted, error);
        });
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
