package dualwan.web;

import dualwan.model.DaemonState;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * RTT and loss per uplink over the last hour, for the page's chart: one point per {@link #STEP}, at most
 * {@link #MAX_POINTS}, in memory only. A point holds the mean of the uplink's RTT figures seen during its step
 * and the worst loss, so a short outage still shows. Not thread-safe: the web worker owns it.
 */
final class History {

    static final Duration STEP = Duration.ofSeconds(10);
    static final Duration SPAN = Duration.ofHours(1);
    static final int MAX_POINTS = (int) (SPAN.toMillis() / STEP.toMillis());

    /** One uplink in one step; empty figures where it had none (nothing answered). */
    record Sample(Optional<Double> rttMs, Optional<Double> lossPct) {
    }

    /** One step: its start (wall clock, epoch milliseconds) and each uplink's sample. */
    record Point(long at, Map<String, Sample> wans) {
    }

    private final ArrayDeque<Point> points = new ArrayDeque<>();
    private long bucket = Long.MIN_VALUE;
    private final Map<String, double[]> sums = new LinkedHashMap<>(); // rtt sum, rtt count, worst loss (-1: none)

    /**
     * Adds the figures of one state. Returns the point that a step just completed, if this state began a new
     * step. A wall clock stepped backwards (NTP after a boot without a real-time clock) starts afresh.
     */
    Optional<Point> add(DaemonState state) {
        long at = state.updated().toEpochMilli();
        long step = Math.floorDiv(at, STEP.toMillis()) * STEP.toMillis();
        Optional<Point> done = Optional.empty();
        if (step < bucket) {
            points.clear();
            sums.clear();
        } else if (step > bucket && bucket != Long.MIN_VALUE) {
            done = Optional.of(close());
        }
        bucket = step;
        state.wans().forEach((name, u) -> {
            double[] s = sums.computeIfAbsent(name, n -> new double[] {0, 0, -1});
            u.latencyMs().ifPresent(rtt -> {
                s[0] += rtt;
                s[1]++;
            });
            u.lossPct().ifPresent(loss -> s[2] = Math.max(s[2], loss));
        });
        return done;
    }

    private Point close() {
        Map<String, Sample> wans = new LinkedHashMap<>();
        sums.forEach((name, s) -> wans.put(name, new Sample(s[1] > 0 ? Optional.of(s[0] / s[1]) : Optional.empty(),
                s[2] >= 0 ? Optional.of(s[2]) : Optional.empty())));
        sums.clear();
        Point p = new Point(bucket, wans);
        points.addLast(p);
        while (points.size() > MAX_POINTS || points.getFirst().at() <= bucket - SPAN.toMillis()) {
            points.removeFirst();
        }
        return p;
    }

    List<Point> points() {
        return new ArrayList<>(points);
    }

    /** The tree the page reads: {@code {"at": ms, "wans": {"isp1": {"rtt_ms": 12.5, "loss_pct": 0.0}}}}. */
    static Map<String, Object> tree(Point p) {
        Map<String, Object> wans = new LinkedHashMap<>();
        p.wans().forEach((name, s) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rtt_ms", s.rttMs().map(History::round).orElse(null));
            m.put("loss_pct", s.lossPct().map(History::round).orElse(null));
            wans.put(name, m);
        });
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", p.at());
        m.put("wans", wans);
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
