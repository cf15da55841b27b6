package dualwan.health;

import dualwan.config.WanConfig;
import dualwan.model.ProbeMethod;
import dualwan.model.Verdict;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One uplink's mutable state. */
final class UplinkProbes {
    final WanConfig cfg;
    private final Instant epoch;
    private final Changes changes;
    final List<ProbeSlot> hostSlots = new ArrayList<>();
    /** The gateway slot (if any) followed by the host slots; rebuilt when the gateway changes. */
    List<ProbeSlot> allSlots = List.of();
    LinkState link = LinkState.CARRIER;
    Optional<Inet4Address> gateway;
    ProbeSlot gatewaySlot;
    Verdict verdict = Verdict.UNKNOWN;
    final SlowPaths slow = new SlowPaths();
    final Reception reception = new Reception();
    /** Carries the LAN's or a policy's traffic (told by the engine); until told, counted as carrying. */
    boolean carrying = true;
    long probeBytes;
    String reason = "starting";
    Instant since;

    UplinkProbes(WanConfig cfg, Instant now, Instant epoch, Changes changes) {
        this.epoch = epoch;
        this.changes = changes;
        this.cfg = cfg;
        this.since = now;
        this.gateway = cfg.gateway();
        List<Inet4Address> hosts = cfg.check().hosts();
        for (int i = 0; i < hosts.size(); i++) {
            hostSlots.add(new ProbeSlot(new Target(cfg.name(), Target.Role.HOST, hosts.get(i)), now, offset(i + 1), changes));
        }
        setGatewaySlot(gateway.filter(g -> cfg.check().gateway())
                .map(g -> new ProbeSlot(new Target(cfg.name(), Target.Role.GATEWAY, g), now, offset(0), changes))
                .orElse(null));
        rejudge(now);
    }

    /** Grid offset of the k-th target: spreads this uplink's probes evenly over one interval. */
    Duration offset(int k) {
        int n = cfg.check().hosts().size() + 1;
        return Duration.ofNanos(cfg.check().interval().toNanos() * k / n);
    }

    List<ProbeSlot> slots() {
        return allSlots;
    }

    void setGatewaySlot(ProbeSlot slot) {
        gatewaySlot = slot;
        List<ProbeSlot> all = new ArrayList<>(hostSlots.size() + 1);
        if (slot != null) {
            all.add(slot);
        }
        all.addAll(hostSlots);
        allSlots = List.copyOf(all);
    }

    boolean probing() {
        return link == LinkState.CARRIER && gateway.isPresent();
    }

    boolean idleMetered() {
        return cfg.metered() && !carrying;
    }

    ProbeMethod methodOf(ProbeSlot s) {
        return s.target.role() == Target.Role.GATEWAY ? ProbeMethod.ICMP : cfg.check().method();
    }

    /** Probe bytes so far, and the 30-day projection of the steady schedule now in force. */
    ProbeCost.View cost() {
        Duration every = idleMetered() ? ProbeCost.METERED_IDLE_INTERVAL : cfg.check().interval();
        long perRound = 0;
        for (ProbeSlot s : probing() ? slots() : List.<ProbeSlot>of()) {
            perRound += ProbeCost.request(methodOf(s)) + ProbeCost.reply(methodOf(s));
        }
        return new ProbeCost.View(cfg.metered(), idleMetered(), probeBytes,
                Math.round(ProbeCost.projectedMb30(perRound, every) * 10) / 10.0);
    }

    /** The first grid point at least half an interval after the last send. */
    Instant steadyNext(ProbeSlot s) {
        long interval = cfg.check().interval().toNanos(); // plain nanos: Duration.dividedBy goes through BigDecimal
        long step = idleMetered() ? ProbeCost.METERED_IDLE_INTERVAL.toNanos() : interval;
        Duration offset = step == interval ? s.offset // the same spread over the longer step:
                : Duration.ofNanos((long) ((double) s.offset.toNanos() * step / interval));
        Instant earliest = s.lastSent.plusNanos(step / 2);
        long sinceGrid = Duration.between(epoch.plus(offset), earliest).toNanos();
        long k = Math.floorDiv(sinceGrid + step - 1, step);
        return epoch.plus(offset).plusNanos(k * step);
    }

    void resetTargets(Instant now) {
        slots().forEach(s -> s.reset(now));
        reception.reset();
    }

    void rejudge(Instant now) {
        List<TargetHealth> hosts = new ArrayList<>(hostSlots.size());
        hostSlots.forEach(s -> hosts.add(s.health));
        Judge.Judgement j = Judge.judge(link, gateway.isPresent(),
                gatewaySlot == null ? Optional.empty() : Optional.of(gatewaySlot.health), hosts, cfg.check().minUp());
        if (j.verdict() != verdict) {
            since = now;
            changes.verdict++;
        }
        verdict = j.verdict();
        reason = j.reason();
    }
}
