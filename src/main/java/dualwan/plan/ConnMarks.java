package dualwan.plan;

import dualwan.config.Config;

/**
 * The connection marks (ct mark) dualwan gives LAN flows, which is how a flush can tell one policy's flows
 * from another's on the same uplink:
 * <pre>
 *   0x000           traffic that matches no policy (and the router's own)
 *   k &lt;&lt; 8          a flow of failover policy k (1-based); it follows the policy's uplink
 *   k &lt;&lt; 8 | n     a flow of balanced policy k pinned to uplink n (1-based in file order) for its life
 * </pre>
 * dualwan owns the connection mark; the routing mark (meta mark) is derived from it for every packet.
 */
public final class ConnMarks {

    /** The low byte holds the uplink a balanced flow is pinned to. */
    public static final int UPLINK_BITS = 0xFF;

    private ConnMarks() {
    }

    public static int policy(Config config, String policy) {
        for (int i = 0; i < config.policies().size(); i++) {
            if (config.policies().get(i).name().equals(policy)) {
                return (i + 1) << 8;
            }
        }
        throw new IllegalArgumentException("no policy named " + policy);
    }

    public static int pinned(Config config, String policy, String uplink) {
        return policy(config, policy) | config.wanNumber(uplink);
    }

    /** A mark as nft and conntrack read it; a mark above 0x7fffffff is an unsigned 32-bit value, not negative. */
    public static String hex(int mark) {
        return "0x" + Integer.toHexString(mark);
    }
}
