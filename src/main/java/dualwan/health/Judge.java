package dualwan.health;

import dualwan.model.Verdict;

import java.util.List;
import java.util.Optional;

/**
 * The recursive rule, in one place: an uplink is UP when its link has carrier, its gateway answers (if
 * required) and at least {@code minUp} of its hosts answer through it. DOWN as soon as any level has
 * failed for certain; UNKNOWN while the evidence is not in yet.
 */
final class Judge {

    record Judgement(Verdict verdict, String reason) {
    }

    private Judge() {
    }

    static Judgement judge(LinkState link, boolean gatewayKnown, Optional<TargetHealth> gateway,
                           List<TargetHealth> hosts, int minUp) {
        if (link == LinkState.MISSING) {
            return new Judgement(Verdict.DOWN, "no interface");
        }
        if (link == LinkState.NO_CARRIER) {
            return new Judgement(Verdict.DOWN, "no carrier");
        }
        if (!gatewayKnown) {
            return new Judgement(Verdict.DOWN, "no gateway");
        }
        Verdict gw = gateway.map(TargetHealth::verdict).orElse(Verdict.UP);
        if (gw == Verdict.DOWN) {
            // Judged jointly: hosts that answer through the gateway prove it forwards (its own replies may be
            // rate-limited or lost in a burst). It decides alone only when no quorum of hosts is answering.
            long answering = hosts.stream().filter(h -> h.verdict() == Verdict.UP && h.misses() == 0).count();
            if (hosts.isEmpty() || answering < minUp) {
                return new Judgement(Verdict.DOWN, "gateway not answering");
            }
            return new Judgement(Verdict.UP, answering + " of " + hosts.size()
                    + " hosts answer (gateway not answering)");
        }
        long up = hosts.stream().filter(h -> h.verdict() == Verdict.UP).count();
        long unknown = hosts.stream().filter(h -> h.verdict() == Verdict.UNKNOWN).count();
        String tally = up + " of " + hosts.size() + " hosts answer (need " + minUp + ")";
        if (up + unknown < minUp) {
            return new Judgement(Verdict.DOWN, tally);
        }
        if (gw == Verdict.UNKNOWN || up < minUp) {
            return new Judgement(Verdict.UNKNOWN, "checking: " + tally);
        }
        return new Judgement(Verdict.UP, hosts.isEmpty() ? "gateway answers" : tally);
    }
}
