package dualwan.health;

import dualwan.model.Verdict;

import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drives a {@link Monitor} through a timeline in 1 ms steps: sends what is due and answers after 10 ms, or
 * reports a miss after the timeout, for targets (by interface and address) that are currently dead.
 */
final class FakeNet {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final Monitor monitor;
    final Set<String> dead = new HashSet<>();
    /** Per device: the queueing delay a host probe sent at a given moment meets (the gateway is before the queue). */
    final java.util.Map<String, java.util.function.Function<Instant, Duration>> queues = new java.util.HashMap<>();
    /** Devices whose probes get no reply at all from a moment on (a cut after the queue: queued probes still return). */
    final java.util.Map<String, Instant> cutAt = new java.util.HashMap<>();
    /**
     * Per device: packets per second arriving that are not replies to probes (an upload's acknowledgements); a
     * device listed here also reports its received-packet counter with every result, as the real prober does.
     * Foreign traffic stops at the device's {@link #cutAt}.
     */
    final java.util.Map<String, Double> foreignRate = new java.util.HashMap<>();
    private final java.util.Map<String, Double> rx = new java.util.HashMap<>();
    final List<Sent> sent = new ArrayList<>();
    private final List<Pending> pending = new ArrayList<>();
    Instant now = T0;

    record Sent(Instant at, String device, InetAddress target) {
    }

    private record Pending(Instant at, String device, ProbeResult result) {
    }

    /** Adds {@code packets} to the device's counter now (an ICMP error burst, ARP). */
    void receive(String device, int packets) {
        rx.merge(device, (double) packets, Double::sum);
    }

    FakeNet(Monitor monitor) {
        this.monitor = monitor;
    }

    void kill(String device, Inet4Address target) {
        dead.add(device + "/" + target.getHostAddress());
    }

    void killUplink(String device) {
        dead.add(device + "/*");
    }

    void heal() {
        dead.clear();
    }

    void run(Duration d) {
        Instant end = now.plus(d);
        while (now.isBefore(end)) {
            step();
            now = now.plusMillis(1);
        }
    }

    /** Runs until the condition holds (checked every ms); returns how long that took. */
    Duration runUntil(java.util.function.BooleanSupplier condition, Duration limit) {
        Instant start = now;
        while (!condition.getAsBoolean()) {
            if (Duration.between(start, now).compareTo(limit) > 0) {
                throw new AssertionError("condition not reached within " + limit);
            }
            step();
            now = now.plusMillis(1);
        }
        return Duration.between(start, now);
    }

    Verdict verdict(String wan) {
        return monitor.snapshot(now).verdict(wan);
    }

    long sentTo(Inet4Address target, Instant from, Instant to) {
        return sent.stream().filter(s -> s.target.equals(target) && !s.at.isBefore(from) && s.at.isBefore(to)).count();
    }

    private void step() {
        foreignRate.forEach((device, rate) -> {
            if (!cutAt.containsKey(device) || now.isBefore(cutAt.get(device))) {
                rx.merge(device, rate / 1000, Double::sum);
            }
        });
        pending.removeIf(p -> {
            if (p.at.isAfter(now)) {
                return false;
            }
            ProbeResult r = p.result;
            if (r.reachable()) {
                rx.merge(p.device, 1.0, Double::sum);
            }
            if (foreignRate.containsKey(p.device)) {
                r = r.withRxPackets((long) Math.floor(rx.getOrDefault(p.device, 0.0)));
            }
            monitor.onResult(r, now);
            return true;
        });
        for (ProbeRequest r : monitor.due(now)) {
            sent.add(new Sent(now, r.device(), r.target()));
            boolean gateway = r.target().getHostAddress().endsWith(".1") && r.target().getHostAddress().startsWith("100.64.");
            boolean lost = dead.contains(r.device() + "/*") || dead.contains(r.device() + "/" + r.target().getHostAddress())
                    || (!gateway && cutAt.containsKey(r.device()) && !now.isBefore(cutAt.get(r.device())));
            Duration rtt = Duration.ofMillis(10).plus(gateway || !queues.containsKey(r.device()) ? Duration.ZERO
                    : queues.get(r.device()).apply(now));
            if (!lost && rtt.compareTo(r.timeout()) > 0) { // a miss at the timeout, then the late reply
                pending.add(new Pending(now.plus(r.timeout()), r.device(), new ProbeResult(r.id(), false, r.timeout(), "timeout")));
                if (rtt.compareTo(ProbeRequest.LATE_HORIZON) <= 0) {
                    pending.add(new Pending(now.plus(rtt), r.device(), ProbeResult.lateReply(r.id(), rtt)));
                }
                continue;
            }
            Duration after = lost ? r.timeout() : rtt;
            pending.add(new Pending(now.plus(after), r.device(), new ProbeResult(r.id(), !lost, after, lost ? "timeout" : "ok")));
        }
    }
}
