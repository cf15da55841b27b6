package dualwan.health;

import dualwan.config.WanConfig;
import dualwan.model.ProbeMethod;
import dualwan.model.Verdict;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One uplink's mutable state, for one address family. */
final class UplinkProbes {
    final WanConfig cfg;
    final Family family;
    /** The family's hosts and quorum ({@code check.hosts}/{@code min-up} counted among this family's hosts). */
    private final List<? extends InetAddress> hosts;
    private final int minUp;
    private final Instant epoch;
    private final Changes changes;
    final List<ProbeSlot> hostSlots = new ArrayList<>();
    /** The gateway slot (if any) followed by the host slots; rebuilt when the gateway changes. */
    List<ProbeSlot> allSlots = List.of();
    LinkState link = LinkState.CARRIER;
    Optional<InetAddress> gateway;
    ProbeSlot gatewaySlot;
    Verdict verdict = Verdict.UNKNOWN;
    final SlowPaths slow = new SlowPaths();
    final Reception reception = new Reception();
    /** Carries the LAN's or a policy's traffic (told by the engine); until told, counted as carrying. */
    boolean carrying = true;
    long probeBytes;
    String reason = "starting";
    Instant since;

    /** The IPv4 side of an uplink. */
    UplinkProbes(WanConfig cfg, Instant now, Instant epoch, Changes changes) {
        this(cfg, Family.IPV4, cfg.check().hosts(), cfg.check().minUp(), cfg.gateway(), now, epoch, changes);
    }

    /** The IPv6 side of an uplink: its IPv6 hosts, and its configured gateway6 (empty for {@code auto}: found later). */
    static UplinkProbes ipv6(WanConfig cfg, Instant now, Instant epoch, Changes changes) {
        return new UplinkProbes(cfg, Family.IPV6, cfg.check().hosts6(), cfg.check().minUp6(),
                cfg.ipv6().flatMap(w -> w.gateway()), now, epoch, changes);
    }

    private UplinkProbes(WanConfig cfg, Family family, List<? extends InetAddress> hosts, int minUp,
                         Optional<? extends InetAddress> gateway, Instant now, Instant epoch, Changes changes) {
        this.epoch = epoch;
        this.changes = changes;
        this.cfg = cfg;
        this.family = family;
        this.hosts = hosts;
        this.minUp = minUp;
        this.since = now;
        this.gateway = gateway.map(InetAddress.class::cast);
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
        // IPv6's targets sit halfway between IPv4's, so the two families' probes do not leave together.
        int n = hosts.size() + 1;
        long interval = cfg.check().interval().toNanos();
        return Duration.ofNanos(interval * k / n + (family == Family.IPV6 ? interval / n / 2 : 0));
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
            perRound += ProbeCost.request(methodOf(s), family) + ProbeCost.reply(methodOf(s), family);
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
                gatewaySlot == null ? Optional.empty() : Optional.of(gatewaySlot.health), hosts, minUp);
        if (j.verdict() != verdict) {
            since = now;
            changes.verdict++;
        }
        verdict = j.verdict();
        reason = j.reason();
    }
}
