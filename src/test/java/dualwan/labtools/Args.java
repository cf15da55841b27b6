package dualwan.labtools;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Tiny "--key value" command-line parser shared by the lab tools. */
final class Args {
    private final Map<String, String> options = new HashMap<>();
    private final List<String> positional = new java.util.ArrayList<>();

    Args(String[] argv, Set<String> known) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String key = a.substring(2);
                String value;
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else {
                    if (i + 1 >= argv.length) {
                        throw new IllegalArgumentException("option --" + key + " needs a value");
                    }
                    value = argv[++i];
                }
                if (!known.contains(key)) {
                    throw new IllegalArgumentException("unknown option --" + key);
                }
                options.put(key, value);
            } else {
                positional.add(a);
            }
        }
    }

    List<String> positional() {
        return positional;
    }

    String get(String key) {
        return options.get(key);
    }

    String required(String key) {
        String v = options.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    /** Parses "ADDR:PORT" (IPv4 or host name; "[v6]:port" also accepted). */
    static InetSocketAddress socketAddress(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("expected ADDR:PORT, got '" + s + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(s.substring(colon + 1));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("bad port in '" + s + "'");
        }
        return new InetSocketAddress(host, port);
    }

    /** Parses "20ms", "1s", "500us", "2m"; a bare number means milliseconds. */
    static Duration duration(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 2)) * 1e6));
            } else if (t.endsWith("us")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 2)) * 1e3));
            } else if (t.endsWith("s")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9));
            } else if (t.endsWith("m")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60e9));
            }
            return Duration.ofNanos(Math.round(Double.parseDouble(t) * 1e6));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad duration '" + s + "'");
        }
    }

    static long epochNanos(java.time.Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    }
}
