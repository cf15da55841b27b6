package dualwan.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one parser of IPv6 text in dualwan (config, hook files, kernel output): a literal only, never a DNS
 * lookup, never an IPv4-mapped address (that is IPv4, written as {@code 192.0.2.1}), and no scope ({@code %wan1}
 * is the caller's business: only a gateway may have one).
 */
public final class Ipv6 {
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private Ipv6() {
    }

    /** The address, or IllegalArgumentException saying what is wrong with the text. */
    public static Inet6Address of(String text) {
        if (text.indexOf(':') < 0 || !LITERAL.matcher(text).matches()) {
            throw new IllegalArgumentException(YamlReader.quote(text) + " is not an IPv6 address (hex groups separated"
                    + " by colons, e.g. 2001:db8::1)");
        }
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(YamlReader.quote(text) + " is not an IPv6 address (hex groups separated"
                    + " by colons, e.g. 2001:db8::1)");
        }
        if (!(a instanceof Inet6Address six)) {
            throw new IllegalArgumentException(YamlReader.quote(text) + " is an IPv4-mapped address; write the IPv4"
                    + " address itself");
        }
        return six;
    }

    /** The address, or empty when the text is not a plain IPv6 literal. */
    public static Optional<Inet6Address> tryParse(String text) {
        try {
            return Optional.of(of(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** fe80::/10: only meaningful together with an interface. */
    public static boolean linkLocal(Inet6Address a) {
        return a.isLinkLocalAddress();
    }

    /**
     * Why an address cannot be a remote host or a gateway (unspecified, loopback, multicast, IPv4-compatible),
     * or empty when it can. Link-local addresses are left to the caller: a gateway may be one, a host not.
     */
    public static Optional<String> notUnicast(Inet6Address a) {
        byte[] b = a.getAddress();
        if (a.isAnyLocalAddress()) {
            return Optional.of("is the unspecified address ::");
        }
        if (a.isLoopbackAddress()) {
            return Optional.of("is the loopback address");
        }
        if (a.isMulticastAddress()) {
            return Optional.of("is a multicast address (ff00::/8)");
        }
        boolean leadingZeros = true;
        for (int i = 0; i < 12; i++) {
            leadingZeros &= b[i] == 0;
        }
        if (leadingZeros) {
            return Optional.of("is an IPv4-compatible address (::/96, deprecated)");
        }
        return Optional.empty();
    }

    /** The canonical text (RFC 5952 as the JDK writes it, without a scope). */
    public static String text(Inet6Address a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        return compress(pct < 0 ? s : s.substring(0, pct));
    }

    /** The JDK writes every group ({@code 2001:db8:0:0:0:0:0:1}); iproute2, nft and people write {@code 2001:db8::1}. */
    private static String compress(String full) {
        String[] g = full.split(":");
        int bestStart = -1;
        int bestLen = 1; // RFC 5952: a single 0 group is not shortened
        for (int i = 0; i < g.length; ) {
            if (!g[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < g.length && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart < 0) {
            return String.join(":", g);
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }
}
