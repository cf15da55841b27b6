package dualwan.gpio;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.PriorityQueue;

/**
 * A {@link PanelScheduler} on the test's thread with a fake clock: nothing runs until the test lets time pass,
 * then tasks run in time order with the clock set to each one's time. Also the clock itself.
 */
final class ManualScheduler extends Clock implements PanelScheduler {

    private record Timer(Instant at, long seq, Runnable task) {
    }

    private Instant now;
    private long seq;
    private final Deque<Runnable> ready = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers =
            new PriorityQueue<>(Comparator.comparing(Timer::at).thenComparingLong(Timer::seq));
    private boolean closed;

    ManualScheduler(Instant start) {
        this.now = start;
    }

    @Override
    public void execute(Runnable task) {
        if (!closed) {
            ready.add(task);
        }
    }

    @Override
    public Runnable schedule(Runnable task, Instant at) {
        Timer t = new Timer(at, seq++, task);
        if (!closed) {
            timers.add(t);
        }
        return () -> timers.remove(t);
    }

    @Override
    public void close() {
        runReady(); // like the real one: a task handed over before close may still finish
        closed = true;
        ready.clear();
        timers.clear();
    }

    /** Runs what is ready now, then lets {@code d} pass. */
    void advance(Duration d) {
        Instant end = now.plus(d);
        runReady();
        while (!timers.isEmpty() && !timers.peek().at().isAfter(end)) {
            Timer t = timers.poll();
            now = t.at().isAfter(now) ? t.at() : now;
            t.task().run();
            runReady();
        }
        now = end;
        runReady();
    }

    void runReady() {
        for (Runnable r; (r = ready.poll()) != null; ) {
            r.run();
        }
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
