package dualwan.health;

import dualwan.model.Verdict;

import dualwan.config.CheckConfig;
import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.model.ProbeMethod;
import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides when each target is probed and turns results into health. No I/O, no clock of its own: the
 * caller passes the time in, so the same object runs in the daemon, in timeline tests and in the 30-day
 * simulation. Not thread-safe; the control loop owns it.
 *
 * <p>Schedule: each target is probed every {@code interval}, on a grid that spreads an uplink's targets
 * evenly over the interval. When a host that is UP misses once, every UP host of that uplink is probed every
 * {@code confirm-interval} until it answers or reaches {@code down-after} misses, so a dead uplink is
 * confirmed in well under a second while a healthy one costs one probe per host per interval. A gateway miss
 * confirms only the gateway (it decides alone, so it must not be drawn into every host's doubt).
 */
public final class Monitor {

    /** A probe older than its timeout plus this never got a result: count it as a miss. */
    private static final Duration LOST_AFTER = Duration.ofSeconds(2);
    /** How often in-flight probes are scanned for lost ones (a safety net: the prober reports every probe). */
    private static final Duration LOST_SCAN = Duration.ofSeconds(1);

    private final Map<String, Uplink> uplinks = new LinkedHashMap<>();
    private final Map<Long, InFlight> inFlight = new HashMap<>();
    private final Instant epoch;
    private long nextId = 1;
    private long verdictChanges;
    private long confirmingChanges;
    private Instant nextLostScan;

    public Monitor(Config config, Instant start) {
        this.epoch = start;
        this.nextLostScan = start.plus(LOST_SCAN);
        for (WanConfig wan : config.wans()) {
            uplinks.put(wan.name(), new Uplink(wan, start));
        }
    }

    /** The kernel reported the uplink's link state. Losing the link forgets every target's verdict. */
    public void setLink(String wan, LinkState link, Instant now) {
        Uplink u = uplink(wan);
        if (u.link == link) {
            return;
        }
        boolean wasUsable = u.link == LinkState.CARRIER;
        u.link = link;
        if (wasUsable != (link == LinkState.CARRIER)) {
            u.resetTargets(now);
        }
        u.rejudge(now);
    }

    /** The uplink's gateway is now {@code gateway} (auto discovery or config). A new gateway is judged afresh. */
    public void setGateway(String wan, Optional<Inet4Address> gateway, Instant now) {
        Uplink u = uplink(wan);
        if (u.gateway.equals(gateway)) {
            return;
        }
        u.gateway = gateway;
        u.setGatewaySlot(gateway.filter(g -> u.cfg.check().gateway())
                .map(g -> new Slot(new Target(wan, Target.Role.GATEWAY, g), now, u.offset(0)))
                .orElse(null));
        u.resetTargets(now);
        u.rejudge(now);
    }

    /** Probes that are due at {@code now}; they count as sent. */
    public List<ProbeRequest> due(Instant now) {
        expireLost(now);
        List<ProbeRequest> out = new ArrayList<>();
        for (Uplink u : uplinks.values()) {
            if (!u.probing()) {
                continue;
            }
            for (Slot s : u.slots()) {
                if (!s.nextDue.isAfter(now)) {
                    out.add(send(u, s, now));
                }
            }
        }
        return out;
    }

    /** When {@link #due} will next have something, or {@link Instant#MAX}. */
    public Instant nextDue() {
        Instant next = Instant.MAX;
        for (Uplink u : uplinks.values()) {
            if (u.probing()) {
                for (Slot s : u.slots()) {
                    next = s.nextDue.isBefore(next) ? s.nextDue : next;
                }
            }
        }
        // due() scans for lost probes at every send anyway; wake just for the scan only when nothing is scheduled.
        if (!inFlight.isEmpty() && next.equals(Instant.MAX)) {
            next = nextLostScan;
        }
        return next;
    }

    /** A probe finished. Results of probes sent before a reset (link lost, gateway changed) are ignored. */
    public void onResult(ProbeResult result, Instant now) {
        InFlight f = inFlight.remove(result.id());
        if (f == null || f.slot.generation != f.generation) {
            return;
        }
        Uplink u = f.uplink;
        Slot s = f.slot;
        CheckConfig check = u.cfg.check();
        boolean firstDoubt = !result.reachable() && s.health.verdict() == Verdict.UP && !s.confirming;
        s.health = s.health.record(result.reachable(), result.rtt(), now, check.downAfter(), check.upAfter());
        if (firstDoubt && s.health.verdict() == Verdict.UP) {
            if (s.target.role() == Target.Role.GATEWAY) {
                s.confirm(now);
            } else {
                u.hostSlots.stream().filter(h -> h.health.verdict() == Verdict.UP).forEach(h -> h.confirm(now));
            }
        }
        if (s.confirming && (result.reachable() || s.health.verdict() != Verdict.UP)) {
            s.confirming = false;
            confirmingChanges++;
            s.nextDue = u.steadyNext(s);
        }
        u.rejudge(now);
    }

    /** Counts uplink verdict changes: a caller re-decides only when this moved. */
    public long verdictChanges() {
        return verdictChanges;
    }

    /** Counts confirmations starting and ending: what a front panel blinks for. */
    public long confirmingChanges() {
        return confirmingChanges;
    }

    public HealthSnapshot snapshot(Instant now) {
        Map<String, UplinkHealth> out = new LinkedHashMap<>();
        for (Uplink u : uplinks.values()) {
            Map<Inet4Address, TargetHealth> hosts = new LinkedHashMap<>();
            u.hostSlots.forEach(s -> hosts.put(s.target.address(), s.health));
            boolean confirming = u.slots().stream().anyMatch(s -> s.confirming);
            out.put(u.cfg.name(), new UplinkHealth(u.cfg.name(), u.verdict, u.reason, u.since,
                    u.link == LinkState.CARRIER, u.gateway, Optional.ofNullable(u.gatewaySlot).map(s -> s.health),
                    hosts, confirming));
        }
        return new HealthSnapshot(now, out);
    }

    private ProbeRequest send(Uplink u, Slot s, Instant now) {
        CheckConfig check = u.cfg.check();
        long id = nextId++;
        inFlight.put(id, new InFlight(u, s, s.generation, now.plus(check.timeout()).plus(LOST_AFTER)));
        s.lastSent = now;
        s.nextDue = s.confirming || s.health.verdict() == Verdict.UNKNOWN
                ? now.plus(check.confirmInterval()) : u.steadyNext(s);
        ProbeMethod method = s.target.role() == Target.Role.GATEWAY ? ProbeMethod.ICMP : check.method();
        return new ProbeRequest(id, u.cfg.iface(), u.cfg.mark(), s.target.address(), method, check.timeout());
    }

    private void expireLost(Instant now) {
        if (now.isBefore(nextLostScan)) {
            return;
        }
        nextLostScan = now.plus(LOST_SCAN);
        List<Long> lost = inFlight.entrySet().stream()
                .filter(e -> e.getValue().expires.isBefore(now)).map(Map.Entry::getKey).toList();
        for (long id : lost) {
            Duration waited = inFlight.get(id).uplink.cfg.check().timeout();
            onResult(new ProbeResult(id, false, waited, "lost"), now);
        }
    }

    private Uplink uplink(String wan) {
        Uplink u = uplinks.get(wan);
        if (u == null) {
            throw new IllegalArgumentException("unknown uplink " + wan);
        }
        return u;
    }

    private record InFlight(Uplink uplink, Slot slot, int generation, Instant expires) {
    }

    /** One probed target and its schedule. */
    private final class Slot {
        final Target target;
        final Duration offset;
        TargetHealth health;
        Instant nextDue;
        Instant lastSent;
        boolean confirming;
        int generation;

        Slot(Target target, Instant now, Duration offset) {
            this.target = target;
            this.offset = offset;
            reset(now);
        }

        void reset(Instant now) {
            health = TargetHealth.unknown(now);
            nextDue = now;
            lastSent = now;
            if (confirming) {
                confirming = false;
                confirmingChanges++;
            }
            generation++;
        }

        void confirm(Instant now) {
            if (!confirming) {
                confirming = true;
                confirmingChanges++;
                nextDue = now;
            }
        }
    }

    /** One uplink's mutable state. */
    private final class Uplink {
        final WanConfig cfg;
        final List<Slot> hostSlots = new ArrayList<>();
        /** The gateway slot (if any) followed by the host slots; rebuilt when the gateway changes. */
        List<Slot> allSlots = List.of();
        LinkState link = LinkState.CARRIER;
        Optional<Inet4Address> gateway;
        Slot gatewaySlot;
        Verdict verdict = Verdict.UNKNOWN;
        String reason = "starting";
        Instant since;

        Uplink(WanConfig cfg, Instant now) {
            this.cfg = cfg;
            this.since = now;
            this.gateway = cfg.gateway();
            List<Inet4Address> hosts = cfg.check().hosts();
            for (int i = 0; i < hosts.size(); i++) {
                hostSlots.add(new Slot(new Target(cfg.name(), Target.Role.HOST, hosts.get(i)), now, offset(i + 1)));
            }
            setGatewaySlot(gateway.filter(g -> cfg.check().gateway())
                    .map(g -> new Slot(new Target(cfg.name(), Target.Role.GATEWAY, g), now, offset(0)))
                    .orElse(null));
            rejudge(now);
        }

        /** Grid offset of the k-th target: spreads this uplink's probes evenly over one interval. */
        Duration offset(int k) {
            int n = cfg.check().hosts().size() + 1;
            return Duration.ofNanos(cfg.check().interval().toNanos() * k / n);
        }

        List<Slot> slots() {
            return allSlots;
        }

        void setGatewaySlot(Slot slot) {
            gatewaySlot = slot;
            List<Slot> all = new ArrayList<>(hostSlots.size() + 1);
            if (slot != null) {
                all.add(slot);
            }
            all.addAll(hostSlots);
            allSlots = List.copyOf(all);
        }

        boolean probing() {
            return link == LinkState.CARRIER && gateway.isPresent();
        }

        /** The first grid point at least half an interval after the last send. */
        Instant steadyNext(Slot s) {
            long step = cfg.check().interval().toNanos(); // plain nanos: Duration.dividedBy goes through BigDecimal
            Instant earliest = s.lastSent.plusNanos(step / 2);
            long sinceGrid = Duration.between(epoch.plus(s.offset), earliest).toNanos();
            long k = Math.floorDiv(sinceGrid + step - 1, step);
            return epoch.plus(s.offset).plusNanos(k * step);
        }

        void resetTargets(Instant now) {
            slots().forEach(s -> s.reset(now));
        }

        void rejudge(Instant now) {
            List<TargetHealth> hosts = new ArrayList<>(hostSlots.size());
            hostSlots.forEach(s -> hosts.add(s.health));
            Judge.Judgement j = Judge.judge(link, gateway.isPresent(),
                    gatewaySlot == null ? Optional.empty() : Optional.of(gatewaySlot.health), hosts, cfg.check().minUp());
            if (j.verdict() != verdict) {
                since = now;
                verdictChanges++;
            }
            verdict = j.verdict();
            reason = j.reason();
        }
    }
}
