package dualwan.mqtt;

import org.tinylog.Logger;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The reporter's own thread. Its tasks run one at a time, in order, so the reporter's state needs no locks;
 * once it is shut down, new tasks are dropped.
 */
final class ReporterThread {

    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "dualwan-mqtt");
        t.setDaemon(true);
        return t;
    });

    ReporterThread() {
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code task} soon. */
    void execute(Runnable task) {
        try {
            executor.execute(() -> guarded(task));
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    /** Runs {@code task} after {@code delay}; null when stopping. */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return executor.schedule(() -> guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Runs {@code task} with its exception left in the result; null when stopping. */
    Future<?> submit(Runnable task) {
        try {
            return executor.submit(task);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Interrupts the running task, drops the queued ones and waits up to a second for the thread to end. */
    void shutdown() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A bug in one task must not end the thread (and with it all reporting). */
    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            Logger.error(e, "mqtt reporter");
        }
    }
}
