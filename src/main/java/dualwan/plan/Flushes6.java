package dualwan.plan;

import dualwan.config.Config;
import dualwan.config.ConntrackConfig;
import dualwan.config.Ipv6;
import dualwan.config.Nat6;
import dualwan.config.Prefix6;
import dualwan.config.WanConfig;

import java.net.Inet6Address;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * {@link Flushes} for an IPv6 switch: the conntrack entries of the LAN's IPv6 flows translated to the uplink
 * that IPv6 traffic left, and only those — {@code -f ipv6} keeps every IPv4 entry out of it (IPv4 did not move),
 * and the reply destination names the translation:
 * <ul>
 *   <li>{@code masquerade}: the reply goes to the uplink's global address that the flows were NATed to;</li>
 *   <li>{@code prefix}: the reply goes into the translated prefix ({@code --reply-dst PREFIX/LEN});</li>
 *   <li>{@code none}: nothing was translated, and the flows' sources are the old ISP's own addresses, which the
 *       other ISP drops anyway: nothing to flush.</li>
 * </ul>
 * As for IPv4, connection mark 0 only: a flow a policy keeps on the old uplink stays. Pure.
 */
public final class Flushes6 {

    /**
     * IPv6 traffic left an uplink.
     *
     * @param uplink     the uplink it left
     * @param address    its global address then (what {@code masquerade} NATed to), if known
     * @param translated where {@code prefix} translation put the LAN then ({@link NftPlanner6#translated}), if known
     * @param renumbered  the uplink stays, but its address or delegated prefix changed: the flows translated to
     *                    the old one are stranded
     */
    public record Moved6(String uplink, Optional<Inet6Address> address, Optional<Prefix6> translated,
                         boolean renumbered) {

        /** IPv6 traffic left the uplink. */
        public Moved6(String uplink, Optional<Inet6Address> address, Optional<Prefix6> translated) {
            this(uplink, address, translated, false);
        }

        public String describe() {
            return renumbered ? uplink + "'s IPv6 renumbered" : "IPv6 traffic off " + uplink;
        }
    }

    private Flushes6() {
    }

    /** Argument lists for {@code conntrack}; empty when nothing is to be deleted. */
    public static List<List<String>> commands(Config config, List<Moved6> moved) {
        ConntrackConfig c = config.conntrack();
        if (moved.isEmpty() || c.flush() == ConntrackConfig.Flush.NONE || config.lan().ipv6().isEmpty()) {
            return List.of();
        }
        if (c.flush() == ConntrackConfig.Flush.ALL) {
            return Flushes.withFilters(List.of("-D", "-f", "ipv6"), c.filter());
        }
        LinkedHashSet<List<String>> out = new LinkedHashSet<>();
        for (Moved6 m : moved) {
            Optional<Nat6> nat = config.wan(m.uplink()).flatMap(WanConfig::ipv6).map(w -> w.nat());
            Optional<String> replyDst = switch (nat.orElse(Nat6.NONE)) {
                // A prefix uplink without a usable prefix was masqueraded meanwhile (NftPlanner6).
                case PREFIX -> m.translated().map(Prefix6::toString).or(() -> m.address().map(Ipv6::text));
                case MASQUERADE -> m.address().map(Ipv6::text);
                case NONE -> Optional.empty();
            };
            replyDst.ifPresent(dst -> out.addAll(Flushes.withFilters(
                    List.of("-D", "-f", "ipv6", "--reply-dst", dst, "--mark", ConnMarks.hex(0)), c.filter())));
        }
        return List.copyOf(out);
    }
}
