package dualwan.config;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv6 prefix such as {@code fd00:1::/64}: the host bits are zero ({@link #parse} rejects anything else).
 */
public record Prefix6(Inet6Address address, int length) {

    public Prefix6 {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("prefix length " + length + " is not 0..128");
        }
        if (!Arrays.equals(masked(address.getAddress(), length), address.getAddress())) {
            throw new IllegalArgumentException(Ipv6.text(address) + "/" + length + " has host bits set");
        }
    }

    /**
     * {@code ADDRESS/LENGTH}, strictly: an IPv6 literal, a decimal length 0..128, host bits zero. Throws
     * IllegalArgumentException with what is wrong (the message names the prefix to write instead).
     */
    public static Prefix6 parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(YamlReader.quote(text) + " is not an IPv6 prefix (ADDRESS/LENGTH, e.g."
                    + " fd00:1::/64)");
        }
        Inet6Address a = Ipv6.of(text.substring(0, slash));
        String len = text.substring(slash + 1);
        if (!len.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(len) > 128) {
            throw new IllegalArgumentException(YamlReader.quote(text) + " has no prefix length 0..128 after the '/'");
        }
        int length = Integer.parseInt(len);
        byte[] net = masked(a.getAddress(), length);
        if (!Arrays.equals(net, a.getAddress())) {
            throw new IllegalArgumentException(YamlReader.quote(text) + " has host bits set; the prefix is "
                    + Ipv6.text(address(net)) + "/" + length);
        }
        return new Prefix6(a, length);
    }

    public boolean contains(Inet6Address a) {
        return Arrays.equals(masked(a.getAddress(), length), address.getAddress());
    }

    /** This prefix's first subnet of {@code longer} bits (itself when the lengths are equal). */
    public Prefix6 firstSubnet(int longer) {
        if (longer < length) {
            throw new IllegalArgumentException(longer + " is shorter than /" + length);
        }
        return new Prefix6(address, longer);
    }

    /** The address with the host bits of {@code host} below this prefix's length: prefix translation. */
    public Inet6Address withHostOf(Inet6Address host) {
        BigInteger mask = BigInteger.ONE.shiftLeft(128 - length).subtract(BigInteger.ONE);
        BigInteger net = new BigInteger(1, address.getAddress());
        BigInteger h = new BigInteger(1, host.getAddress()).and(mask);
        byte[] raw = net.or(h).toByteArray();
        byte[] out = new byte[16];
        int n = Math.min(raw.length, 16);
        System.arraycopy(raw, raw.length - n, out, 16 - n, n);
        return address(out);
    }

    @Override
    public String toString() {
        return Ipv6.text(address) + "/" + length;
    }

    private static byte[] masked(byte[] bytes, int length) {
        byte[] out = bytes.clone();
        for (int bit = length; bit < 128; bit++) {
            out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return out;
    }

    private static Inet6Address address(byte[] b) {
        try {
            return (Inet6Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length
        }
    }
}
