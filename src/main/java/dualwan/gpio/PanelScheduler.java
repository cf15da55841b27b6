package dualwan.gpio;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the panel's work runs, one task at a time: its own thread in the daemon ({@link #ownThread}), the
 * test's thread under a fake clock in timeline tests.
 */
public interface PanelScheduler extends AutoCloseable {

    /** Runs {@code task} soon, after the tasks already queued; ignored once closed. */
    void execute(Runnable task);

    /** Runs {@code task} at {@code at} (or soon after); running the result cancels it. */
    Runnable schedule(Runnable task, Instant at);

    /** Longest {@link #close} waits for the tasks already handed over. */
    Duration CLOSE_WAIT = Duration.ofSeconds(2);

    /** Runs the tasks already handed over (waiting at most {@link #CLOSE_WAIT}), drops timers, stops. */
    @Override
    void close();

    /** One daemon thread named {@code dualwan-panel}; times are read from {@code clock}. */
    static PanelScheduler ownThread(Clock clock) {
        return new OwnThread(clock);
    }

    final class OwnThread implements PanelScheduler {
        private final Clock clock;
        private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dualwan-panel");
            t.setDaemon(true);
            return t;
        });

        private OwnThread(Clock clock) {
            this.clock = clock;
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }

        @Override
        public void execute(Runnable task) {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException e) {
                // closed: the panel is going away
            }
        }

        @Override
        public Runnable schedule(Runnable task, Instant at) {
            long delay = Math.max(0, Duration.between(clock.instant(), at).toNanos());
            try {
                ScheduledFuture<?> f = executor.schedule(task, delay, TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException e) {
                return () -> { };
            }
        }

        @Override
        public void close() {
            executor.shutdown();
            try {
                executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.shutdownNow(); // a task stuck in a GPIO call is left behind (daemon thread)
        }
    }
}
