package dualwan.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an interface's received-packet counter from sysfs, attached to every probe result: whether an uplink
 * whose probes go unanswered is still receiving traffic tells a full queue from a cut. A read costs a few
 * microseconds; a missing interface gives -1.
 */
final class RxCounter {

    private static final Path SYS_NET = Path.of("/sys/class/net");

    private RxCounter() {
    }

    static long read(String iface) {
        if (iface == null || iface.isEmpty() || iface.contains("/") || iface.startsWith(".")) {
            return -1;
        }
        try {
            String text = Files.readString(SYS_NET.resolve(iface).resolve("statistics/rx_packets"),
                    StandardCharsets.US_ASCII).trim();
            return Long.parseLong(text);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
