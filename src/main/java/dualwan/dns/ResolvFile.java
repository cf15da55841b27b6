package dualwan.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The resolv-file the LAN's dnsmasq reads with {@code resolv-file=}. dnsmasq(8): unless {@code --no-poll},
 * dnsmasq "checks the modification time of /etc/resolv.conf (or equivalent if --resolv-file is used) and
 * re-reads it if it changes"; built with inotify (Debian's is) it watches the file's directory and re-reads at
 * once on a rename into it. So replacing the file is the whole reload: no signal, no pid, no CAP_KILL.
 */
final class ResolvFile {

    private ResolvFile() {
    }

    /** Only {@code nameserver} lines of parsed addresses: nothing learned from the network is copied as text. */
    static String content(String uplink, List<Inet4Address> servers) {
        StringBuilder b = new StringBuilder("# written by dualwan: the DNS servers of the active uplink, ")
                .append(uplink).append('\n');
        servers.forEach(s -> b.append("nameserver ").append(s.getHostAddress()).append('\n'));
        return b.toString();
    }

    /**
     * Replaces the file at once (temp + rename: dnsmasq never reads half a file, and inotify reports the rename
     * as one IN_MOVED_TO). rw-r--r-- whatever the umask (the unit's UMask=0077): dnsmasq reads it as its own user.
     */
    static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".new");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
