package dualwan.linux;

import dualwan.linux.Tools.Tool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.Map;

/**
 * A directory of fake ip, nft and conntrack: shell scripts that print a version line for their version option,
 * log every call to {@code calls.log} and do nothing else. {@link #use} points {@link Tools#find()} at it, so tests
 * of the command line neither depend on the machine's tools nor touch its kernel.
 */
public final class FakeTools {

    /** What Debian 12's tools print. */
    public static final Map<Tool, String> DEBIAN_12 = Map.of(
            Tool.IP, "ip utility, iproute2-6.1.0, libbpf 1.1.2",
            Tool.NFT, "nftables v1.0.6 (Lester Gooch #5)",
            Tool.CONNTRACK, "conntrack v1.4.7 (conntrack-tools)");

    private FakeTools() {
    }

    /** Writes the tools of {@code versions} (tool → its version line) into {@code dir}. */
    public static Path write(Path dir, Map<Tool, String> versions) throws IOException {
        Files.createDirectories(dir);
        for (var e : versions.entrySet()) {
            script(dir, e.getKey().command, """
                    echo "$0 $*" >> "$(dirname "$0")/calls.log"
                    case "$1" in -V|--version) printf '%%s\\n' '%s'; exit 0;; esac
                    echo "fake $(basename "$0"): does nothing" >&2
                    exit 1
                    """.formatted(e.getValue().replace("'", "'\\''")));
        }
        return dir;
    }

    /** Debian 12's tools without {@code missing}. */
    public static Path without(Path dir, Tool missing) throws IOException {
        Map<Tool, String> versions = new EnumMap<>(DEBIAN_12);
        versions.remove(missing);
        return write(dir, versions);
    }

    /** An executable {@code sh} script named {@code name} in {@code dir}. */
    public static Path script(Path dir, String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** Every call the tools in {@code dir} received, one line each ("PATH ARGS"). */
    public static String calls(Path dir) throws IOException {
        Path log = dir.resolve("calls.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Makes {@link Tools#find()} search only {@code dir} until closed (the property's old value comes back). */
    public static AutoCloseable use(Path dir) {
        String old = System.getProperty(Tools.SEARCH_PATH_PROPERTY);
        System.setProperty(Tools.SEARCH_PATH_PROPERTY, dir.toString());
        return () -> {
            if (old == null) {
                System.clearProperty(Tools.SEARCH_PATH_PROPERTY);
            } else {
                System.setProperty(Tools.SEARCH_PATH_PROPERTY, old);
            }
        };
    }
}
