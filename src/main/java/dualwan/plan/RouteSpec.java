package dualwan.plan;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One IPv4 route in a table dualwan owns. Two routes are the same when every field is; {@code dst} and
 * {@code metric} identify the slot that {@code ip route replace} overwrites.
 */
public record RouteSpec(String type, String dst, Optional<Inet4Address> gateway, Optional<String> dev, long metric,
                        boolean onlink) {

    /** The metric of a last-resort route: any real default in the same table wins over it. */
    public static final long LAST_RESORT = 4294967295L;

    /** {@code default via GW dev DEV onlink}: onlink because the gateway need not be in a subnet of DEV (PPP, /32). */
    public static RouteSpec defaultVia(Inet4Address gateway, String dev) {
        return new RouteSpec("unicast", "default", Optional.of(gateway), Optional.of(dev), 0, true);
    }

    /** {@code unreachable default metric MAX}: a lookup in this table never falls through to another uplink. */
    public static RouteSpec unreachableDefault() {
        return new RouteSpec("unreachable", "default", Optional.empty(), Optional.empty(), LAST_RESORT, false);
    }

    boolean sameSlot(RouteSpec other) {
        return dst.equals(other.dst) && metric == other.metric;
    }

    /** Arguments after {@code ip}, for {@code route replace} or {@code route del}. */
    public List<String> args(String verb, int table) {
        List<String> a = new ArrayList<>(List.of("route", verb));
        if (!type.equals("unicast")) {
            a.add(type);
        }
        a.add(dst);
        gateway.ifPresent(g -> a.addAll(List.of("via", g.getHostAddress())));
        dev.ifPresent(d -> a.addAll(List.of("dev", d)));
        if (onlink && verb.equals("replace")) {
            a.add("onlink");
        }
        if (metric != 0) {
            a.addAll(List.of("metric", Long.toString(metric)));
        }
        a.addAll(List.of("table", Integer.toString(table)));
        return a;
    }
}
