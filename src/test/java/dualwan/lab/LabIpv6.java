package dualwan.lab;

import dualwan.config.Prefix6;
import dualwan.linux.LearnedPrefix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The IPv6 part of a {@link Lab} built with {@link Lab#startDualStack()} (scripts/lab-ipv6): addresses for daemon
 * configs, the IPv6 faults and the delegated prefixes the router's DHCPv6 clients learned.
 *
 * <pre>
 * try (Lab lab = Lab.startDualStack()) {
 *     LabIpv6 six = lab.ipv6();
 *     six.cut6(1);
 *     LabIpv6.Renumbered r = six.pdRenumber(2);
 * }
 * </pre>
 */
public final class LabIpv6 {
    /** Both ISPs' router on the customer link: the router's gateway6 (scope: the uplink's interface). */
    public static final String GATEWAY6 = "fe80::1";
    /** IPv6 probe hosts in the inet namespace, reachable through both ISPs. */
    public static final List<String> HOSTS6 = List.of("2001:db8:f0::1", "2001:db8:f0::2", "2001:db8:f0::3",
            "2001:db8:f1::1", "2001:db8:f1::2", "2001:db8:f1::3");
    /** The LAN's ULA prefix, the router's address on lan0 and the LAN client's (default via the router). */
    public static final String LAN_PREFIX = "fd00:1::/64";
    public static final String LAN_ROUTER = "fd00:1::1";
    public static final String LAN_CLIENT = "fd00:1::2";

    private static final Pattern RENUMBERED = Pattern.compile("wan\\d: prefix (\\S+) after (\\d+) ms \\(was: (.*)\\)");

    /** A pd-renumber's outcome: the new prefix, how long the hook took to write it, and the previous file line. */
    public record Renumbered(Prefix6 prefix, long millis, String previous) {
    }

    private final Lab lab;

    LabIpv6(Lab lab) {
        this.lab = lab;
    }

    /** True when {@link Lab#available()} and radvd, dhcpd and dhclient are installed. */
    public static boolean available() {
        return Lab.available() && Lab.onPath("radvd") && Lab.onPath("dhcpd") && Lab.onPath("dhclient");
    }

    /** The router's SLAAC address on wanN (token ::2 on the ISP's RA prefix 2001:db8:N:1::/64). */
    public static String wanAddress(int isp) {
        return "2001:db8:" + Lab.isp(isp).substring(3) + ":1::2";
    }

    /** The ISP's global address on the customer link (its link-local is {@link #GATEWAY6}). */
    public static String ispAddress(int isp) {
        return "2001:db8:" + Lab.isp(isp).substring(3) + ":1::1";
    }

    /** Every prefix ispN delegates, now or after any pd-renumber, lies in this /36 (routed to the router). */
    public static Prefix6 delegationRange(int isp) {
        return Prefix6.parse("2001:db8:" + Lab.isp(isp).substring(3) + "000::/36");
    }

    // ------------------------------------------------------------ faults (undone by Lab.restore / Lab.heal)

    /** ispN forwards no IPv6 upstream (both directions); IPv4 and its own addresses are unaffected. */
    public void cut6(int isp) {
        lab.lab("cut6", Lab.isp(isp));
    }

    /** ispN ignores ICMPv6 echo to itself (fe80::1 and its global addresses) but still forwards. */
    public void gatewaySilent6(int isp) {
        lab.lab("gw6-silent", Lab.isp(isp));
    }

    /** Starts (or restarts at zero) a named counter of IPv6 packets from the customer to any of addrs. */
    public void countStart6(int isp, String name, String... addrs) {
        List<String> a = new ArrayList<>(List.of("count6-start", Lab.isp(isp), name));
        a.addAll(List.of(addrs));
        lab.lab(a.toArray(String[]::new));
    }

    public long countRead6(int isp, String name) {
        return Long.parseLong(lab.lab("count6-read", Lab.isp(isp), name).stdout().trim());
    }

    // ------------------------------------------------------------ prefix delegation

    /**
     * ispN's DHCPv6 server moves to its next pool; returns once the router's hook wrote the new prefix (the
     * script gives up after 30 s, and this throws).
     */
    public Renumbered pdRenumber(int isp) {
        // The script waits up to 4 s for a renewal and 30 s for the new file, then fails by itself.
        String out = lab.lab(Duration.ofSeconds(45), "pd-renumber", Lab.isp(isp)).stdout().trim();
        Matcher m = RENUMBERED.matcher(out);
        if (!m.matches()) {
            throw new IllegalStateException("unexpected pd-renumber output: " + out);
        }
        return new Renumbered(Prefix6.parse(m.group(1)), Long.parseLong(m.group(2)), m.group(3));
    }

    /** "learned-dir DIR" and one "wanN: prefix P" (or "wanN: none") line per uplink. */
    public String pdStatus() {
        return lab.lab("pd-status").stdout();
    }

    /** The directory the router's prefix hook writes: the daemon config's {@code lan.ipv6.learned-dir}. */
    public Path learnedDir() {
        return lab.runDir().resolve("prefix6");
    }

    /** wanN's learned prefix, read and validated exactly as the daemon does. */
    public Optional<Prefix6> learnedPrefix(int isp) {
        return LearnedPrefix.read(learnedDir(), "wan" + Lab.isp(isp).substring(3));
    }
}
