package dualwan.plan;

import dualwan.config.Ipv6;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One IPv6 route in a table dualwan owns: {@link RouteSpec}'s counterpart for {@code ip -6}. The kernel gives an
 * IPv6 route without a metric 1024, so the specs carry the metric they will read back with; an {@code unreachable}
 * route reads back with {@code dev lo}, which the reader drops (see linux/IpJson6).
 */
public record Route6Spec(String type, String dst, Optional<Inet6Address> gateway, Optional<String> dev, long metric) {

    /** What the kernel makes of an IPv6 route written without a metric (IP6_RT_PRIO_USER). */
    public static final long DEFAULT_METRIC = 1024;

    /** {@code default via GW dev DEV}: a link-local gateway only means something together with its device. */
    public static Route6Spec defaultVia(Inet6Address gateway, String dev) {
        return new Route6Spec("unicast", "default", Optional.of(gateway), Optional.of(dev), DEFAULT_METRIC);
    }

    /** {@code unreachable default metric MAX}: a lookup in this table never falls through to another uplink. */
    public static Route6Spec unreachableDefault() {
        return new Route6Spec("unreachable", "default", Optional.empty(), Optional.empty(), RouteSpec.LAST_RESORT);
    }

    /**
     * {@code unreachable default} as the LAN's IPv6 default when no uplink has working IPv6 but one has IPv4:
     * clients get an error at once and Happy Eyeballs moves to IPv4 instead of waiting.
     */
    public static Route6Spec unreachableLanDefault() {
        return new Route6Spec("unreachable", "default", Optional.empty(), Optional.empty(), DEFAULT_METRIC);
    }

    boolean sameSlot(Route6Spec other) {
        return dst.equals(other.dst) && metric == other.metric;
    }

    /** Arguments after {@code ip}: {@code -6 route replace|del ...}. */
    public List<String> args(String verb, int table) {
        List<String> a = new ArrayList<>(List.of("-6", "route", verb));
        if (!type.equals("unicast")) {
            a.add(type);
        }
        a.add(dst);
        gateway.ifPresent(g -> a.addAll(List.of("via", Ipv6.text(g))));
        dev.ifPresent(d -> a.addAll(List.of("dev", d)));
        a.addAll(List.of("metric", Long.toString(metric)));
        a.addAll(List.of("table", Integer.toString(table)));
        return a;
    }
}
