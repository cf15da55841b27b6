package dualwan.health;

import dualwan.model.Verdict;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The recursive judgement of one uplink: link, then gateway, then a quorum of remote hosts.
 *
 * @param wan        uplink name
 * @param verdict    UP only when every level passes
 * @param reason     why, in words for logs and the state file
 * @param since      when the verdict last changed (failback hold counts from here)
 * @param carrier    the link has carrier
 * @param gateway    the gateway probed and routed through, if known
 * @param gatewayHealth the gateway's target health, if it is probed
 * @param hosts      each remote host's target health, in config order
 * @param confirming a miss is being confirmed on this uplink (probes are fast right now)
 * @param slow       late replies: whether the uplink is slow now, how many came, the worst round trip
 * @param cost       probe traffic: metered, idle, bytes so far, projected MB per 30 days
 */
public record UplinkHealth(String wan, Verdict verdict, String reason, Instant since, boolean carrier,
                           Optional<InetAddress> gateway, Optional<TargetHealth> gatewayHealth,
                           Map<InetAddress, TargetHealth> hosts, boolean confirming, SlowPaths.View slow,
                           ProbeCost.View cost) {

    /** Without late replies. */
    public UplinkHealth(String wan, Verdict verdict, String reason, Instant since, boolean carrier,
                        Optional<InetAddress> gateway, Optional<TargetHealth> gatewayHealth,
                        Map<InetAddress, TargetHealth> hosts, boolean confirming) {
        this(wan, verdict, reason, since, carrier, gateway, gatewayHealth, hosts, confirming, SlowPaths.View.NONE,
                ProbeCost.View.NONE);
    }

    public boolean up() {
        return verdict == Verdict.UP;
    }
}
