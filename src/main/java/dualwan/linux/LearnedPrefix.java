package dualwan.linux;

import dualwan.config.Ipv6;
import dualwan.config.Prefix6;
import org.tinylog.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the delegated prefix a DHCPv6 client learned for one uplink: the file {@code lan.ipv6.learned-dir/IFACE}
 * written by a hook in board/prefix-hooks, one line {@code prefix 2001:db8:100::/56}. The file is input from the
 * network (the ISP's DHCPv6 server chose the value), so only a line that is exactly one global or ULA unicast
 * prefix with zero host bits is taken; anything else is logged and ignored, and the uplink then has no prefix.
 */
public final class LearnedPrefix {

    /** One line; more than this is not a hook's file. */
    static final int MAX_BYTES = 512;

    private LearnedPrefix() {
    }

    /** The prefix in {@code dir/iface}, or empty when the file is missing, unreadable or holds none. */
    public static Optional<Prefix6> read(Path dir, String iface) {
        Path file = dir.resolve(iface);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            Logger.warn("prefix6: cannot read {}: {}", file, e.getMessage());
            return Optional.empty();
        }
        if (bytes.length > MAX_BYTES) {
            Logger.warn("prefix6: {} is larger than {} bytes; ignored", file, MAX_BYTES);
            return Optional.empty();
        }
        return parse(file.toString(), new String(bytes, StandardCharsets.UTF_8));
    }

    /** The one {@code prefix P} line of the text (comments and blank lines aside), or empty after a log line. */
    static Optional<Prefix6> parse(String source, String text) {
        Optional<Prefix6> found = Optional.empty();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] words = t.split("[ \t]+");
            Optional<Prefix6> p = words.length == 2 && words[0].equals("prefix") ? usable(words[1]) : Optional.empty();
            if (p.isEmpty()) {
                Logger.warn("prefix6: {}:{}: not a usable 'prefix ADDRESS/LENGTH' line, file ignored: {}", source,
                        lineNo, printable(t));
                return Optional.empty();
            }
            if (found.isPresent() && !found.equals(p)) {
                Logger.warn("prefix6: {}:{}: a second prefix; the file must hold one, ignored", source, lineNo);
                return Optional.empty();
            }
            found = p;
        }
        return found;
    }

    /** A routable prefix of 1..128 bits: not link-local, multicast, loopback or unspecified. */
    static Optional<Prefix6> usable(String text) {
        try {
            Prefix6 p = Prefix6.parse(text);
            boolean ok = p.length() > 0 && !Ipv6.linkLocal(p.address()) && Ipv6.notUnicast(p.address()).isEmpty();
            return ok ? Optional.of(p) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> b.append(c < 0x20 || c == 0x7f ? '?' : Character.toString(c)));
        return b.toString();
    }
}
