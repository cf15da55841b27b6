package dualwan.sim;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.engine.Engine;
import dualwan.engine.Input;
import dualwan.engine.KernelTarget;
import dualwan.engine.Outputs;
import dualwan.health.LinkState;
import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;
import dualwan.model.StateJson;
import dualwan.plan.Planner.UplinkAddressing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * Drives the daemon's own {@link Engine} against a simulated network on a simulated clock: seeded random loss per
 * probe, hosts that are dead, an uplink that dies at a given moment. Days of probing run in seconds, and the same seed always gives the same figures.
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
     * @param bursts      bursty loss on every target besides {@code lossPercent}, if any
     * @param rttSwing    every host's RTT swings between 20 ms and this (late replies beyond the timeout), if any
     */
    public record Network(double lossPercent, Set<Inet4Address> deadHosts, Optional<String> cutWan,
                          Duration cutAt, long seed, Optional<GilbertElliott> bursts, Optional<Duration> rttSwing) {

        public Network(double lossPercent, Set<Inet4Address> deadHosts, Optional<String> cutWan, Duration cutAt,
                       long seed) {
            this(lossPercent, deadHosts, cutWan, cutAt, seed, Optional.empty(), Optional.empty());
        }

        /** Every probe answers. */
        public static Network perfect() {
            return new Network(0, Set.of(), Optional.empty(), Duration.ZERO, 1);
        }
    }

    /**
     * @param switches       how many times the active uplink changed (after the first choice)
     * @param firstSwitchAt  when the first switch happened, from the start
     * @param probes         probes sent
     * @param probeRatePerTarget probes per second per target, averaged over the run
     * @param lastTarget     the last kernel target the engine made
     */
    public record Outcome(int switches, Optional<Duration> firstSwitchAt, long probes, double probeRatePerTarget,
                          Optional<KernelTarget> lastTarget) {
    }

    private record Pending(long atNanos, long order, ProbeResult result) {
    }

    /**
     * Bursty loss, per target and per probe: a good state that loses nothing and a bad one that loses every
     * probe. Average loss {@code enter / (enter + leave)}, mean burst {@code 1 / leave} probes.
     *
     * @param enter chance that a probe in the good state finds the bad one
     * @param leave chance that a probe in the bad state finds the good one
     */
    public record GilbertElliott(double enter, double leave) {
        /** About 5 % average loss in bursts of 2 probes on average. */
        public static GilbertElliott fivePercentInBursts() {
            return new GilbertElliott(0.05 * 0.5 / 0.95, 0.5);
        }
    }

    /** RTT swing period: from 20 ms to the peak and back. */
    static final Duration SWING_PERIOD = Duration.ofMinutes(2);
    private static final long SWING_BASE_NANOS = 20_000_000;

    private Simulator() {
    }

    public static Outcome run(Config config, Network net, Duration length) {
        return run(config, net, length, simulatedAddressing(config));
    }

    /** As {@link #run(Config, Network, Duration)}, with the uplinks' addressing given (e.g. read from the kernel). */
    public static Outcome run(Config config, Network net, Duration length, Map<String, UplinkAddressing> addressing) {
        return run(config, net, length, addressing, Map.of());
    }

    /** With the IPv6 uplinks' facts too (their gateway6 is probed and their IPv6 planned). */
    public static Outcome run(Config config, Network net, Duration length, Map<String, UplinkAddressing> addressing,
                              Map<String, dualwan.plan.Planner6.Uplink6> addressing6) {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Random random = new Random(net.seed());
        Engine engine = new Engine(config);
        Map<String, String> wanOfIface = new HashMap<>();
        config.wans().forEach(w -> wanOfIface.put(w.iface(), w.name()));
        PriorityQueue<Pending> pending = new PriorityQueue<>((a, b) -> a.atNanos != b.atNanos
                ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.order, b.order));
        Map<String, LinkState> links = new LinkedHashMap<>();
        config.wans().forEach(w -> links.put(w.name(), LinkState.CARRIER));
        long endNanos = length.toNanos();
        long cutNanos = net.cutWan().isPresent() ? net.cutAt().toNanos() : Long.MAX_VALUE;
        Counts counts = new Counts();
        Map<InetAddress, Boolean> inBurst = new HashMap<>();
        Set<Inet4Address> gateways = new java.util.HashSet<>();
        addressing.values().forEach(a -> a.gateway().ifPresent(gateways::add));
        Outputs out = engine.step(new Input.Start(links, Optional.of(addressing), Optional.empty(), false,
                StateJson.Saved.NONE, addressing6, Optional.empty()), start);
        long now = 0;
        while (true) {
            long t = now;
            counts.take(out, t);
            for (ProbeRequest req : out.probes()) {
                String wan = wanOfIface.get(req.device());
                boolean cut = net.cutWan().filter(wan::equals).isPresent() && t >= cutNanos;
                boolean burst = false;
                if (net.bursts().isPresent()) {
                    GilbertElliott ge = net.bursts().get();
                    boolean bad = inBurst.getOrDefault(req.target(), false);
                    bad = bad ? random.nextDouble() >= ge.leave() : random.nextDouble() < ge.enter();
                    inBurst.put(req.target(), bad);
                    burst = bad;
                }
                boolean lost = cut || burst || net.deadHosts().contains(req.target())
                        || random.nextDouble() * 100 < net.lossPercent();
                long rtt = 5_000_000 + random.nextLong(25_000_000);
                if (net.rttSwing().isPresent() && !gateways.contains(req.target())) {
                    double phase = 2 * Math.PI * (t % SWING_PERIOD.toNanos()) / SWING_PERIOD.toNanos();
                    long peak = net.rttSwing().get().toNanos();
                    rtt = SWING_BASE_NANOS + (long) ((peak - SWING_BASE_NANOS) * (1 - Math.cos(phase)) / 2)
                            + random.nextLong(5_000_000);
                }
                long timeout = req.timeout().toNanos();
                if (lost || rtt > timeout) {
                    pending.add(new Pending(t + timeout, counts.order++, new ProbeResult(req.id(), false,
                            Duration.ofNanos(timeout), "timeout")));
                    if (!lost && rtt <= ProbeRequest.LATE_HORIZON.toNanos()) {
                        pending.add(new Pending(t + rtt, counts.order++,
                                ProbeResult.lateReply(req.id(), Duration.ofNanos(rtt))));
                    }
                } else {
                    pending.add(new Pending(t + rtt, counts.order++, new ProbeResult(req.id(), true,
                            Duration.ofNanos(rtt), "ok")));
                }
            }
            long wake = Duration.between(start, out.wakeAt()).toNanos();
            if (!pending.isEmpty()) {
                wake = Math.min(wake, pending.peek().atNanos);
            }
            if (now < cutNanos && wake > cutNanos) {
                wake = cutNanos;
            }
            now = Math.max(now + 1, wake);
            if (now > endNanos) {
                break;
            }
            Instant at = start.plusNanos(now);
            if (!pending.isEmpty() && pending.peek().atNanos <= now) {
                List<ProbeResult> batch = new java.util.ArrayList<>();
                while (!pending.isEmpty() && pending.peek().atNanos <= now) {
                    batch.add(pending.poll().result);
                }
                out = engine.step(new Input.ProbeDone(batch), at);
            } else {
                out = engine.step(new Input.Tick(), at);
            }
        }
        int targets = config.wans().stream().mapToInt(w -> w.check().hosts().size() + (w.check().gateway() ? 1 : 0)).sum();
        double rate = counts.probes / (length.toNanos() / 1e9) / targets;
        return new Outcome(counts.switches, counts.firstSwitch, counts.probes, rate, engine.target());
    }

    /** What the engine's outputs add up to. Its kernel targets are only kept: no kernel is simulated. */
    private static final class Counts {
        long probes;
        long order;
        int switches;
        Optional<Duration> firstSwitch = Optional.empty();

        void take(Outputs out, long now) {
            probes += out.probes().size();
            for (var e : out.switches()) {
                if (e.from().isPresent()) {
                    switches++;
                    if (firstSwitch.isEmpty()) {
                        firstSwitch = Optional.of(Duration.ofNanos(now));
                    }
                }
            }
        }
    }

    /**
     * Each uplink present, with its configured gateway or, for {@code gateway: auto}, a made-up one on the
     * uplink's own side (100.64.N.1): the simulated network has no DHCP server.
     */
    static Map<String, UplinkAddressing> simulatedAddressing(Config config) {
        Map<String, UplinkAddressing> out = new LinkedHashMap<>();
        List<WanConfig> wans = config.wans();
        for (int i = 0; i < wans.size(); i++) {
            WanConfig w = wans.get(i);
            Inet4Address gw = w.gateway().orElse(v4("100.64." + (i + 1) + ".1"));
            out.put(w.name(), new UplinkAddressing(true, Optional.of(v4("100.64." + (i + 1) + ".2")), Optional.of(gw)));
        }
        return out;
    }

    private static Inet4Address v4(String dotted) {
        try {
            return (Inet4Address) InetAddress.getByName(dotted);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(dotted, e);
        }
    }
}
