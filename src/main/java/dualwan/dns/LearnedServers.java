package dualwan.dns;

import dualwan.config.Ipv4;
import org.tinylog.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the DNS servers a DHCP or PPP client learned for one interface: a resolv.conf-format file written by a
 * hook in board/dns-hooks. The file is input from the network (the ISP's DHCP server chose its values), so only
 * {@code nameserver} lines holding a unicast IPv4 address are taken; anything else in them is logged and
 * skipped, and nothing of the file but the parsed addresses ever reaches dnsmasq.
 */
public final class LearnedServers {

    /** A resolv.conf is a few lines; more than this is not one. */
    static final int MAX_BYTES = 4096;
    static final int MAX_SERVERS = dualwan.config.ConfigLoader.MAX_DNS_SERVERS;

    private LearnedServers() {
    }

    /** The servers in the file, or an empty list when it is missing, unreadable or holds none. */
    public static List<Inet4Address> read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            Logger.warn("dns: cannot read {}: {}", file, e.getMessage());
            return List.of();
        }
        if (bytes.length > MAX_BYTES) {
            Logger.warn("dns: {} is larger than {} bytes; ignored", file, MAX_BYTES);
            return List.of();
        }
        return parse(file.toString(), new String(bytes, StandardCharsets.UTF_8));
    }

    static List<Inet4Address> parse(String source, String text) {
        List<Inet4Address> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
                continue;
            }
            String[] words = t.split("[ \t]+");
            if (!words[0].equals("nameserver")) {
                continue; // search, domain, options: not ours to pass on
            }
            Inet4Address a = words.length == 2 ? Ipv4.tryParse(words[1]).filter(LearnedServers::usable).orElse(null) : null;
            if (a == null) {
                Logger.warn("dns: {}:{}: not a usable IPv4 nameserver line, skipped: {}", source, lineNo,
                        printable(t));
            } else if (!out.contains(a) && out.size() < MAX_SERVERS) {
                out.add(a);
            }
        }
        return out;
    }

    /** Not 0/8, loopback (a local stub would loop dnsmasq back to itself), multicast, reserved or broadcast. */
    static boolean usable(Inet4Address a) {
        int first = a.getAddress()[0] & 0xFF;
        return first != 0 && first != 127 && first < 224;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> b.append(c < 0x20 || c == 0x7f ? '?' : Character.toString(c)));
        return b.toString();
    }
}
