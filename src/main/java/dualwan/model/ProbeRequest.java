package dualwan.model;

import java.net.InetAddress;
import java.time.Duration;

/**
 * One probe to send.
 *
 * @param id      caller's id, echoed in the result
 * @param device  the uplink's interface: the probe leaves through it only (SO_BINDTODEVICE)
 * @param mark    the uplink's firewall mark (SO_MARK): {@code ip rule fwmark} pins it to the uplink's table
 * @param target  host to probe, IPv4 or IPv6. A link-local IPv6 target (fe80::/10, say the uplink's router
 *                fe80::1, which the other uplink's router may be too) belongs to the link of {@code device}: the
 *                prober scopes it to that device's interface index. A scope id the address already carries must
 *                be that index, or the probe is a miss without being sent.
 * @param method  how
 * @param timeout no answer after this long is a miss
 */
public record ProbeRequest(long id, String device, int mark, InetAddress target, ProbeMethod method,
                           Duration timeout) {

    /**
     * How long after sending a prober keeps listening for a reply that missed its timeout. Such a reply proves
     * the path alive (a queue full of an upload delays replies by a second or two) and comes as a late result.
     */
    public static final Duration LATE_HORIZON = Duration.ofSeconds(4);
}
