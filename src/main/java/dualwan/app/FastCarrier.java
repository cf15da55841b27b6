package dualwan.app;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Linux reports a USB NIC's carrier loss up to 1 s late when linkwatch ran (for any link) in the last second;
 * the sysfs flag is not delayed. So for {@link #WINDOW} after any link event, the active uplink's carrier is also
 * read every {@link #POLL} (one pread of a kept-open file), on the control loop. Outside that window the kernel
 * reports a loss at once, and polling all the time would cost about 1 % of a core. See the README.
 */
final class FastCarrier {

    static final Duration POLL = Duration.ofMillis(25);
    /** Linkwatch holds a plain NIC's event at most one second after its last run. */
    static final Duration WINDOW = Duration.ofMillis(1100);

    private final ScheduledExecutorService loop;
    private final Runnable check;
    /** System.nanoTime() until which the carrier is polled; set by any thread. */
    private final AtomicLong until = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();

    /** {@code check} runs on {@code loop} every {@link #POLL} while the window is open. */
    FastCarrier(ScheduledExecutorService loop, Runnable check) {
        this.loop = loop;
        this.check = check;
    }

    /** Any thread: poll for the next {@link #WINDOW}. */
    void arm() {
        until.set(System.nanoTime() + WINDOW.toNanos());
        if (running.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        try {
            loop.schedule(this::tick, POLL.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            running.set(false); // closing
        }
    }

    private void tick() {
        try {
            check.run();
        } catch (RuntimeException e) {
            org.tinylog.Logger.error(e, "carrier watch");
        } finally {
            if (System.nanoTime() - until.get() < 0) {
                schedule();
            } else {
                running.set(false);
                if (System.nanoTime() - until.get() < 0) {
                    arm(); // armed again just now, between the check and the reset
                }
            }
        }
    }
}
