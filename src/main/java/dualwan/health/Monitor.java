package dualwan.health;

import dualwan.model.Verdict;

import dualwan.config.CheckConfig;
import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.model.ProbeMethod;
import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
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
 *
 * <p>Each family an uplink has is judged on its own ({@link Family}): its IPv4 side by the IPv4 gateway and
 * hosts, its IPv6 side (only for an uplink with IPv6) by the IPv6 gateway and hosts, with the same settings and
 * schedule. Only the link is shared: losing it fails both.
 */
public final class Monitor {

    /** A probe older than its timeout plus this never got a result: count it as a miss. */
    private static final Duration LOST_AFTER = Duration.ofSeconds(2);
    /** How often in-flight probes are scanned for lost ones (a safety net: the prober reports every probe). */
    private static final Duration LOST_SCAN = Duration.ofSeconds(1);
    /** The prober stops listening at the horizon; its last late reply may take this long to reach us. */
    private static final Duration HORIZON_SLACK = Duration.ofMillis(50);

    private final Map<String, UplinkProbes> uplinks = new LinkedHashMap<>();
    /** The IPv6 side of each uplink that has IPv6. */
    private final Map<String, UplinkProbes> uplinks6 = new LinkedHashMap<>();
    /** Both families' uplinks, IPv4 first: what the schedule walks. */
    private final List<UplinkProbes> all = new ArrayList<>();
    private final Map<Long, InFlight> inFlight = new HashMap<>();
    /** Probes that missed their timeout but may still get a late reply, until their horizon. */
    private final Map<Long, InFlight> lateWatch = new HashMap<>();
    private long nextId = 1;
    private final Changes changes = new Changes();
    private Instant nextLostScan;

    public Monitor(Config config, Instant start) {
        this.nextLostScan = start.plus(LOST_SCAN);
        for (WanConfig wan : config.wans()) {
            uplinks.put(wan.name(), new UplinkProbes(wan, start, start, changes));
            if (wan.ipv6().isPresent()) {
                uplinks6.put(wan.name(), UplinkProbes.ipv6(wan, start, start, changes));
            }
        }
        all.addAll(uplinks.values());
        all.addAll(uplinks6.values());
    }

    /** The kernel reported the uplink's link state. Losing the link forgets every target's verdict. */
    public void setLink(String wan, LinkState link, Instant now) {
        setLink(uplink(wan), link, now);
        UplinkProbes six = uplinks6.get(wan);
        if (six != null) {
            setLink(six, link, now);
        }
    }

    private static void setLink(UplinkProbes u, LinkState link, Instant now) {
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
        setGateway(uplink(wan), gateway, now);
    }

    /** The uplink's IPv6 gateway (configured, or the RA's router for {@code auto}); ignored for an uplink without IPv6. */
    public void setGateway6(String wan, Optional<Inet6Address> gateway, Instant now) {
        UplinkProbes six = uplinks6.get(wan);
        if (six != null) {
            setGateway(six, gateway, now);
        }
    }

    private void setGateway(UplinkProbes u, Optional<? extends InetAddress> newGateway, Instant now) {
        String wan = u.cfg.name();
        Optional<InetAddress> gateway = newGateway.map(InetAddress.class::cast);
        if (u.gateway.equals(gateway)) {
            return;
        }
        u.gateway = gateway;
        u.setGatewaySlot(gateway.filter(g -> u.cfg.check().gateway())
                .map(g -> new ProbeSlot(new Target(wan, Target.Role.GATEWAY, g), now, u.offset(0), changes))
                .orElse(null));
        u.resetTargets(now);
        u.rejudge(now);
    }

    /**
     * The uplinks that carry traffic now (the LAN's and the policies'). A metered uplink that carries none is
     * probed every {@link ProbeCost#METERED_IDLE_INTERVAL}; one that starts carrying is probed fast at once.
     */
    public void setCarrying(java.util.Set<String> wans, Instant now) {
        setCarrying(uplinks.values(), wans);
    }

    /** {@link #setCarrying} for IPv6: the uplink carrying the LAN's IPv6. */
    public void setCarrying6(java.util.Set<String> wans, Instant now) {
        setCarrying(uplinks6.values(), wans);
    }

    private static void setCarrying(java.util.Collection<UplinkProbes> family, java.util.Set<String> wans) {
        for (UplinkProbes u : family) {
            boolean carrying = wans.contains(u.cfg.name());
            if (carrying == u.carrying) {
                continue;
            }
            u.carrying = carrying;
            if (u.cfg.metered()) {
                for (ProbeSlot s : u.slots()) {
                    if (s.confirming || s.health.verdict() == Verdict.UNKNOWN) {
                        continue; // on the fast schedule anyway
                    }
                    Instant next = u.steadyNext(s);
                    s.nextDue = carrying && s.nextDue.isBefore(next) ? s.nextDue : next;
                }
            }
        }
    }

    /** Probes that are due at {@code now}; they count as sent. */
    public List<ProbeRequest> due(Instant now) {
        expireLost(now);
        List<ProbeRequest> out = new ArrayList<>();
        for (UplinkProbes u : all) {
            if (!u.probing()) {
                continue;
            }
            for (ProbeSlot s : u.slots()) {
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
        for (UplinkProbes u : all) {
            if (u.probing()) {
                for (ProbeSlot s : u.slots()) {
                    next = s.nextDue.isBefore(next) ? s.nextDue : next;
                }
            }
        }
        // due() scans for lost probes at every send anyway; wake just for the scan only when nothing is scheduled.
        if (!inFlight.isEmpty() && next.equals(Instant.MAX)) {
            next = nextLostScan;
        }
        for (InFlight f : lateWatch.values()) { // a deferred miss becomes final at its horizon, on time
            if (f.deferred && f.horizon.isBefore(next)) {
                next = f.horizon.plusNanos(1);
            }
        }
        return next;
    }

    /**
     * A probe finished, or a probe that had missed got its late reply. Results of probes sent before a reset
     * (link lost, gateway changed) are ignored.
     *
     * <p>Late replies: a miss is counted at once, but the probe is watched until its horizon. A late reply makes
     * its uplink <em>slow</em> for {@link SlowPaths#MEMORY}, counts as a reply, and takes back the misses of
     * that uplink's probes still within their horizon. While an uplink is slow a miss is final only at its
     * horizon: a full queue delays replies, it does not lose them; a cut loses them for good.
     */
    public void onResult(ProbeResult result, Instant now) {
        if (result.late()) {
            onLate(result, now);
            return;
        }
        InFlight f = inFlight.remove(result.id());
        if (f == null || f.slot.generation != f.generation) {
            return;
        }
        UplinkProbes u = f.uplink;
        boolean host = f.slot.target.role() == Target.Role.HOST;
        if (u.reception.receivingWhileSilent(result, host, now)) {
            if (!u.slow.deferring(now)) {
                deferWatchedMisses(u);
            }
            u.slow.suspect(now);
        }
        if (!result.reachable()) {
            boolean defer = u.slow.deferring(now);
            lateWatch.put(result.id(), f.watched(defer));
            if (defer) {
                doubt(f.uplink, f.slot, now); // probe fast meanwhile: late replies to those settle it sooner
                return;
            }
        }
        apply(f, result.reachable(), result.rtt(), now);
    }

    private void onLate(ProbeResult result, Instant now) {
        InFlight f = lateWatch.remove(result.id());
        if (f == null || f.slot.generation != f.generation) {
            return;
        }
        UplinkProbes u = f.uplink;
        if (result.rtt().compareTo(u.cfg.check().timeout()) <= 0) {
            // Late only for the target's own short timeout (a jitter spike): a reply, and the timeout grows.
            if (!f.deferred) {
                f.slot.health = f.slot.health.withdrawMiss();
            }
            apply(f, true, result.rtt(), now);
            return;
        }
        if (!u.slow.slow(now)) { // turning slow: the misses still within their horizon are not final yet
            if (!u.slow.deferring(now)) {
                deferWatchedMisses(u);
            }
            if (!f.deferred) {
                f.slot.health = f.slot.health.withdrawMiss();
            }
            changes.confirming++; // the front panel blinks for a slow uplink too
        }
        u.slow.late(result.rtt(), now);
        apply(f, true, result.rtt(), now);
    }

    /** The uplink's misses still within their horizon become deferred: each is final only at its horizon. */
    private void deferWatchedMisses(UplinkProbes u) {
        for (Map.Entry<Long, InFlight> e : lateWatch.entrySet()) {
            InFlight w = e.getValue();
            if (w.uplink == u && !w.deferred && w.slot.generation == w.generation) {
                w.slot.health = w.slot.health.withdrawMiss();
                e.setValue(w.watched(true));
            }
        }
    }

    /** Counts one result into its target's hysteresis and starts or ends confirmation. */
    private void apply(InFlight f, boolean reachable, Duration rtt, Instant now) {
        UplinkProbes u = f.uplink;
        ProbeSlot s = f.slot;
        CheckConfig check = u.cfg.check();
        boolean firstDoubt = !reachable && s.health.verdict() == Verdict.UP && !s.confirming;
        if (reachable) {
            s.rtt.sample(rtt);
            u.probeBytes += ProbeCost.reply(u.methodOf(s), u.family);
        }
        s.health = s.health.record(reachable, rtt, now, check.downAfter(), check.upAfter());
        if (firstDoubt && s.health.verdict() == Verdict.UP) {
            doubt(u, s, now);
        }
        if (s.confirming && (reachable || s.health.verdict() != Verdict.UP)) {
            s.confirming = false;
            changes.confirming++;
            s.nextDue = u.steadyNext(s);
        }
        u.rejudge(now);
    }

    /** A first miss: confirm it (the gateway alone, or every up host of the uplink). */
    private void doubt(UplinkProbes u, ProbeSlot s, Instant now) {
        if (s.health.verdict() != Verdict.UP || s.confirming) {
            return;
        }
        if (u.carrying) { // traffic may have to move: an idle metered uplink's health must be fresh by then
            for (UplinkProbes v : u.family == Family.IPV6 ? uplinks6.values() : uplinks.values()) {
                if (v != u && v.idleMetered() && v.probing()) {
                    v.slots().stream().filter(x -> x.health.verdict() == Verdict.UP && x.nextDue.isAfter(now))
                            .forEach(x -> x.nextDue = now);
                }
            }
        }
        if (s.target.role() == Target.Role.GATEWAY) {
            s.confirm(now); // the hosts are asked once: their answers decide whether a dead gateway matters
            u.hostSlots.stream().filter(h -> h.health.verdict() == Verdict.UP && !h.confirming)
                    .forEach(h -> h.nextDue = now);
        } else {
            u.hostSlots.stream().filter(h -> h.health.verdict() == Verdict.UP).forEach(h -> h.confirm(now));
        }
    }

    /** Counts uplink verdict changes: a caller re-decides only when this moved. */
    public long verdictChanges() {
        return changes.verdict;
    }

    /** Counts confirmations starting and ending: what a front panel blinks for. */
    public long confirmingChanges() {
        return changes.confirming;
    }

    /** Each uplink's IPv4 health. */
    public HealthSnapshot snapshot(Instant now) {
        return snapshot(uplinks, now);
    }

    /** The IPv6 health of each uplink that has IPv6 (empty for an IPv4-only config). */
    public HealthSnapshot snapshot6(Instant now) {
        return snapshot(uplinks6, now);
    }

    private static HealthSnapshot snapshot(Map<String, UplinkProbes> family, Instant now) {
        Map<String, UplinkHealth> out = new LinkedHashMap<>();
        for (UplinkProbes u : family.values()) {
            Map<InetAddress, TargetHealth> hosts = new LinkedHashMap<>();
            u.hostSlots.forEach(s -> hosts.put(s.target.address(), s.health));
            boolean confirming = u.slots().stream().anyMatch(s -> s.confirming);
            out.put(u.cfg.name(), new UplinkHealth(u.cfg.name(), u.verdict, u.reason, u.since,
                    u.link == LinkState.CARRIER, u.gateway, Optional.ofNullable(u.gatewaySlot).map(s -> s.health),
                    hosts, confirming, u.slow.view(now), u.cost()));
        }
        return new HealthSnapshot(now, out);
    }

    private ProbeRequest send(UplinkProbes u, ProbeSlot s, Instant now) {
        CheckConfig check = u.cfg.check();
        long id = nextId++;
        Duration timeout = s.rtt.timeout(check.timeout());
        inFlight.put(id, new InFlight(u, s, s.generation, now.plus(timeout).plus(LOST_AFTER),
                now.plus(ProbeRequest.LATE_HORIZON).plus(HORIZON_SLACK), false));
        s.lastSent = now;
        // A slow path is confirmed more gently: its late replies settle a doubt anyway, and a congested link
        // should not carry twenty probes a second per host.
        Duration confirmEvery = u.slow.deferring(now) ? SlowPaths.CONFIRM_INTERVAL : check.confirmInterval();
        s.nextDue = s.confirming || s.health.verdict() == Verdict.UNKNOWN
                ? now.plus(confirmEvery) : u.steadyNext(s);
        ProbeMethod method = s.target.role() == Target.Role.GATEWAY ? ProbeMethod.ICMP : check.method();
        u.probeBytes += ProbeCost.request(method, u.family);
        return new ProbeRequest(id, u.cfg.iface(), u.cfg.mark(), s.target.address(), method, timeout);
    }

    private void expireLost(Instant now) {
        if (!lateWatch.isEmpty()) {
            List<Long> ended = lateWatch.entrySet().stream()
                    .filter(e -> e.getValue().horizon.isBefore(now)).map(Map.Entry::getKey).toList();
            for (long id : ended) {
                InFlight f = lateWatch.remove(id);
                if (f.deferred && f.slot.generation == f.generation) {
                    apply(f, false, ProbeRequest.LATE_HORIZON, now); // no late reply either: a miss for good
                }
            }
        }
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

    private UplinkProbes uplink(String wan) {
        UplinkProbes u = uplinks.get(wan);
        if (u == null) {
            throw new IllegalArgumentException("unknown uplink " + wan);
        }
        return u;
    }

    /**
     * @param expires  no result at all by then: lost
     * @param horizon  a late reply no longer counts after this
     * @param deferred missed on a slow uplink: counted as a miss only at the horizon
     */
    private record InFlight(UplinkProbes uplink, ProbeSlot slot, int generation, Instant expires, Instant horizon,
                            boolean deferred) {
        InFlight watched(boolean defer) {
            return new InFlight(uplink, slot, generation, expires, horizon, defer);
        }
    }
}
