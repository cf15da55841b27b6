package dualwan.config;

import dualwan.model.ProbeMethod;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.List;

/**
 * How one uplink is judged: link, then gateway, then a quorum of remote hosts probed through it.
 *
 * @param hosts          remote hosts probed through this uplink only
 * @param minUp          quorum: at least this many hosts must be up (1 ≤ minUp ≤ hosts.size())
 * @param gateway        also require the gateway to answer (ICMP)
 * @param method         how hosts are probed (ICMP echo, DNS query, TCP connect)
 * @param interval       steady-state time between probes of one host
 * @param timeout        a probe without an answer after this long is a miss
 * @param downAfter      consecutive misses before a host is down
 * @param upAfter        consecutive replies before a down host is up again
 * @param confirmInterval probe spacing while a miss is being confirmed
 * @param hosts6         the IPv6 hosts of the list ({@code hosts} holds its IPv4 ones); judged as a family of
 *                       their own with the same settings
 * @param minUp6         the quorum among {@code hosts6} (0 when there are none)
 */
public record CheckConfig(List<Inet4Address> hosts, int minUp, boolean gateway, ProbeMethod method,
                          Duration interval, Duration timeout, int downAfter, int upAfter,
                          Duration confirmInterval, List<Inet6Address> hosts6, int minUp6) {

    public CheckConfig {
        hosts = List.copyOf(hosts);
        hosts6 = List.copyOf(hosts6);
    }

    /** IPv4 hosts only. */
    public CheckConfig(List<Inet4Address> hosts, int minUp, boolean gateway, ProbeMethod method, Duration interval,
                       Duration timeout, int downAfter, int upAfter, Duration confirmInterval) {
        this(hosts, minUp, gateway, method, interval, timeout, downAfter, upAfter, confirmInterval, List.of(), 0);
    }
}
