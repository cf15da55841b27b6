package dualwan.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one parser of IPv4 text in dualwan: config, kernel output and the command line all go through it.
 * Strict dotted quads only, and never a DNS lookup (DNS may be what is broken).
 */
public final class Ipv4 {
    private static final Pattern OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final Pattern HOSTNAME_LIKE = Pattern.compile("[A-Za-z0-9.-]*[A-Za-z][A-Za-z0-9.-]*");

    private Ipv4() {
    }

    /** Four decimal octets 0..255 without leading zeros; throws IllegalArgumentException otherwise. */
    public static byte[] parse(String text) {
        if (text.indexOf(':') >= 0) {
            throw new IllegalArgumentException(YamlReader.quote(text) + " is not an IPv4 address (IPv6 is not supported)");
        }
        if (HOSTNAME_LIKE.matcher(text).matches()) {
            throw new IllegalArgumentException(YamlReader.quote(text) + " looks like a host name; write an IPv4 address"
                    + " instead (dualwan never resolves names, since DNS may itself be down)");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(YamlReader.quote(text) + " is not an IPv4 address (four numbers 0-255"
                    + " separated by dots, e.g. 192.0.2.1)");
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!OCTET.matcher(parts[i]).matches() || Integer.parseInt(parts[i]) > 255) {
                throw new IllegalArgumentException(YamlReader.quote(text) + " is not an IPv4 address (each of the four"
                        + " parts must be a number 0-255 without leading zeros, e.g. 192.0.2.1)");
            }
            out[i] = (byte) Integer.parseInt(parts[i]);
        }
        return out;
    }

    /** The address, or IllegalArgumentException saying what is wrong with the text. */
    public static Inet4Address of(String text) {
        try {
            return (Inet4Address) InetAddress.getByAddress(parse(text));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, which parse rules out
        }
    }

    /** The address, or empty when the text is not a plain dotted quad. */
    public static Optional<Inet4Address> tryParse(String text) {
        try {
            return Optional.of(of(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
