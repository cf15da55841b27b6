package dualwan.sim;

import dualwan.config.Config;
import dualwan.decide.Decider;
import dualwan.decide.Decision;
import dualwan.model.Mode;
import dualwan.health.HealthSnapshot;
import dualwan.health.Monitor;
import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * Replays the real {@link Monitor} and {@link Decider} against a simulated network on a simulated clock:
 * seeded random loss per probe, hosts that are dead, an uplink that dies at a given moment. Days of probing
 * run in seconds, and the same seed always gives the same figures.
 */
public final class Simulator {

    /**
     * What the simulated network does.
     *
     * @param lossPercent independent loss applied to every probe of every target
     * @param deadHosts   hosts that never answer
     * @param cutWan      an uplink whose every probe fails from {@code cutAt} on
     * @param cutAt       when that uplink dies (ignored without {@code cutWan})
     * @param seed        random seed
     */
    public record Network(double lossPercent, Set<Inet4Address> deadHosts, Optional<String> cutWan,
                          Duration cutAt, long seed) {
    }

    /**
     * @param switches       how many times the active uplink changed (after the first choice)
     * @param firstSwitchAt  when the first switch happened, from the start
     * @param probes         probes sent
     * @param probeRatePerTarget probes per second per target, averaged over the run
     */
    public record Outcome(int switches, Optional<Duration> firstSwitchAt, long probes, double probeRatePerTarget) {
    }

    private record Pending(long atNanos, long order, ProbeResult result) {
    }

    private Simulator() {
    }

    public static Outcome run(Config config, Network net, Duration length) {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Random random = new Random(net.seed());
        Monitor monitor = new Monitor(config, start);
        Map<Long, String> wanOfProbe = new HashMap<>();
        Map<String, String> wanOfIface = new HashMap<>();
        config.wans().forEach(w -> wanOfIface.put(w.iface(), w.name()));
        PriorityQueue<Pending> pending = new PriorityQueue<>((a, b) -> a.atNanos != b.atNanos
                ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.order, b.order));
        Decision decision = Decision.initial(Optional.empty(), start);
        long endNanos = length.toNanos();
        long cutNanos = net.cutWan().isPresent() ? net.cutAt().toNanos() : Long.MAX_VALUE;
        long probes = 0;
        long order = 0;
        int switches = 0;
        Optional<Duration> firstSwitch = Optional.empty();
        long now = 0;
        long seenChanges = -1;
        while (now <= endNanos) {
            Instant t = start.plusNanos(now);
            while (!pending.isEmpty() && pending.peek().atNanos <= now) {
                monitor.onResult(pending.poll().result, t);
            }
            for (ProbeRequest req : monitor.due(t)) {
                probes++;
                String wan = wanOfIface.get(req.device());
                boolean cut = net.cutWan().filter(wan::equals).isPresent() && now >= cutNanos;
                boolean lost = cut || net.deadHosts().contains(req.target())
                        || random.nextDouble() * 100 < net.lossPercent();
                long rtt = lost ? req.timeout().toNanos() : 5_000_000 + random.nextLong(25_000_000);
                Duration d = Duration.ofNanos(rtt);
                pending.add(new Pending(now + rtt, order++, new ProbeResult(req.id(), !lost, d, lost ? "timeout" : "ok")));
            }
            boolean holdEnded = decision.reconsiderAt().filter(r -> !r.isAfter(t)).isPresent();
            if (monitor.verdictChanges() == seenChanges && !holdEnded) {
                now = nextWake(monitor, pending, decision, start, now, cutNanos);
                continue;
            }
            seenChanges = monitor.verdictChanges();
            HealthSnapshot health = monitor.snapshot(t);
            Decision next = Decider.decide(config, health, Mode.AUTO, decision, t);
            if (next.switchedFrom(decision)) {
                if (decision.active().isPresent()) {
                    switches++;
                    if (firstSwitch.isEmpty()) {
                        firstSwitch = Optional.of(Duration.ofNanos(now));
                    }
                }
            }
            decision = next;
            now = nextWake(monitor, pending, decision, start, now, cutNanos);
        }
        int targets = config.wans().stream().mapToInt(w -> w.check().hosts().size() + (w.check().gateway() ? 1 : 0)).sum();
        double rate = probes / (length.toNanos() / 1e9) / targets;
        return new Outcome(switches, firstSwitch, probes, rate);
    }

    private static long nextWake(Monitor monitor, PriorityQueue<Pending> pending, Decision decision, Instant start,
                             long now, long cutNanos) {
        long wake = Long.MAX_VALUE;
        Instant due = monitor.nextDue();
        if (!due.equals(Instant.MAX)) {
            wake = Duration.between(start, due).toNanos();
        }
        if (!pending.isEmpty()) {
            wake = Math.min(wake, pending.peek().atNanos);
        }
        if (decision.reconsiderAt().isPresent()) {
            wake = Math.min(wake, Duration.between(start, decision.reconsiderAt().get()).toNanos());
        }
        if (now < cutNanos && wake > cutNanos) {
            wake = cutNanos;
        }
        return Math.max(now + 1, wake);
    }
}
