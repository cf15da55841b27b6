package dualwan.engine;

import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.health.LinkState;
import dualwan.model.Mode;
import dualwan.model.ModeResult;
import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;
import dualwan.model.StateJson;
import dualwan.model.SwitchEvent;
import dualwan.plan.Planner.UplinkAddressing;
import dualwan.plan.RouteSpec;
import dualwan.plan.Planner6.Uplink6;
import dualwan.config.Ipv6;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

import static dualwan.TestConfigs.ip;

/**
 * Drives an {@link Engine} through a timeline on a fake monotonic clock, the way the daemon does: answers probes
 * after 10 ms (or reports a miss after the timeout for dead uplinks), sends ticks when the engine asks, and
 * records every output. No threads, no kernel, no root.
 */
final class EngineRig {

    static final Instant T0 = Instant.parse("2030-06-01T00:00:00Z");

    final Config config;
    final Engine engine;
    final List<Outputs> outputs = new ArrayList<>();
    final List<KernelTarget> targets = new ArrayList<>();
    final List<SwitchEvent> switches = new ArrayList<>();
    final List<Outputs.ModeReply> replies = new ArrayList<>();
    final Set<String> deadDevices = new HashSet<>();
    /** Devices whose IPv6 (or IPv4) probes alone get no answer. */
    final Set<String> dead6Devices = new HashSet<>();
    final Set<String> dead4Devices = new HashSet<>();
    Instant now = T0;
    private Outputs last;
    private long order;
    private long modeIds;
    private final PriorityQueue<Pending> pending = new PriorityQueue<>((a, b) -> a.at.equals(b.at)
            ? Long.compare(a.order, b.order) : a.at.compareTo(b.at));

    private record Pending(Instant at, long order, ProbeResult result) {
    }

    EngineRig(Config config) {
        this.config = config;
        this.engine = new Engine(config);
    }

    /** Each uplink present with its configured gateway and address 100.64.N.2. */
    static Map<String, UplinkAddressing> addressing(Config config) {
        Map<String, UplinkAddressing> m = new LinkedHashMap<>();
        for (WanConfig w : config.wans()) {
            m.put(w.name(), new UplinkAddressing(true, Optional.of(ip("100.64." + w.priority() + ".2")), w.gateway()));
        }
        return m;
    }

    /** Each uplink with IPv6 present with address 2001:db8:N::2, its gateway6 (fe80::1 for auto), no prefix. */
    static Map<String, Uplink6> addressing6(Config config) {
        Map<String, Uplink6> m = new LinkedHashMap<>();
        for (WanConfig w : config.wans()) {
            w.ipv6().ifPresent(six -> m.put(w.name(), new Uplink6(true, List.of(Ipv6.of("2001:db8:" + w.priority() + "::2")),
                    six.gateway().or(() -> Optional.of(Ipv6.of("fe80::1"))), six.prefix())));
        }
        return m;
    }

    EngineRig start(Optional<String> activeInKernel, boolean nftPresent, StateJson.Saved saved) {
        Map<String, LinkState> links = new LinkedHashMap<>();
        config.wans().forEach(w -> links.put(w.name(), LinkState.CARRIER));
        take(engine.step(new Input.Start(links, Optional.of(addressing(config)), activeInKernel, nftPresent, saved,
                addressing6(config), Optional.empty()), now));
        return this;
    }

    EngineRig start() {
        return start(Optional.empty(), false, StateJson.Saved.NONE);
    }

    Outputs step(Input input) {
        Outputs out = engine.step(input, now);
        take(out);
        return out;
    }

    long mode(Mode mode) {
        long id = ++modeIds;
        step(new Input.ModeRequest(id, mode));
        return id;
    }

    Optional<ModeResult> reply(long id) {
        return replies.stream().filter(r -> r.id() == id).findFirst().flatMap(Outputs.ModeReply::result);
    }

    /** Runs the timeline for {@code d}: results when they are due, ticks when the engine asked for them. */
    EngineRig run(Duration d) {
        Instant end = now.plus(d);
        while (true) {
            Instant next = last.wakeAt();
            if (!pending.isEmpty() && pending.peek().at.isBefore(next)) {
                next = pending.peek().at;
            }
            if (next.isAfter(end)) {
                now = end;
                return this;
            }
            now = next.isAfter(now) ? next : now.plusNanos(1);
            List<ProbeResult> batch = new ArrayList<>();
            while (!pending.isEmpty() && !pending.peek().at.isAfter(now)) {
                batch.add(pending.poll().result);
            }
            step(batch.isEmpty() ? new Input.Tick() : new Input.ProbeDone(batch));
        }
    }

    private void take(Outputs out) {
        last = out;
        outputs.add(out);
        out.kernel().ifPresent(targets::add);
        switches.addAll(out.switches());
        replies.addAll(out.modeReplies());
        for (ProbeRequest r : out.probes()) {
            Set<String> deadFamily = r.target() instanceof Inet6Address ? dead6Devices : dead4Devices;
            boolean lost = deadDevices.contains(r.device()) || deadFamily.contains(r.device());
            Duration after = lost ? r.timeout() : Duration.ofMillis(10);
            pending.add(new Pending(now.plus(after), order++, new ProbeResult(r.id(), !lost, after, lost ? "timeout" : "ok")));
        }
        if (out.readLinks()) {
            Map<String, LinkState> links = new LinkedHashMap<>();
            config.wans().forEach(w -> links.put(w.name(), engine.link(w.name()).orElse(LinkState.CARRIER)));
            step(new Input.Links(links));
        }
    }

    /** The device the LAN table's default goes through in a target. */
    static Optional<String> lanDev(Config config, KernelTarget t) {
        return t.plan().tables().getOrDefault(config.routing().lanTable(), List.of()).stream()
                .filter(r -> r.dst().equals("default")).findFirst().flatMap(RouteSpec::dev);
    }

    /** The LAN table's IPv6 default in a target: "dev wanN", "unreachable", or empty when it has none. */
    static Optional<String> lanDev6(Config config, KernelTarget t) {
        return t.plan6().tables().getOrDefault(config.routing().lanTable(), List.of()).stream()
                .filter(r -> r.dst().equals("default")).findFirst()
                .map(r -> r.type().equals("unreachable") ? "unreachable" : r.dev().orElse("?"));
    }

    static Inet4Address addressOf(Config config, String wan) {
        return addressing(config).get(wan).address().orElseThrow();
    }
}
