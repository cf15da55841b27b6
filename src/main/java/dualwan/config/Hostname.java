package dualwan.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** This machine's name, for default MQTT ids and topics. Read from the kernel: no name lookup. */
public final class Hostname {

    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private Hostname() {
    }

    /** The host name as a topic- and id-safe word: see {@link #topicSafe}. */
    public static String id() {
        String name;
        try {
            name = Files.readString(KERNEL_HOSTNAME).strip();
        } catch (IOException | RuntimeException e) {
            name = System.getenv().getOrDefault("HOSTNAME", "");
        }
        return topicSafe(name);
    }

    /**
     * The first label of a host name, lower case, with anything but {@code a-z 0-9 _ -} replaced by {@code _}
     * and at most 32 characters: safe in a topic level, a client id and a Home Assistant id. An empty name
     * gives {@code dualwan}.
     */
    public static String topicSafe(String hostname) {
        String label = hostname.strip();
        int dot = label.indexOf('.');
        if (dot >= 0) {
            label = label.substring(0, dot);
        }
        String safe = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
        if (safe.length() > 32) {
            safe = safe.substring(0, 32);
        }
        return safe.isEmpty() ? "dualwan" : safe;
    }
}
