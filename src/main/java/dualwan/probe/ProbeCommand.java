package dualwan.probe;

import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;
import dualwan.model.ProbeMethod;

import dualwan.config.Ipv4;

import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dualwan probe}: probes hosts through one uplink exactly as the daemon does, for checking a
 * setup by hand. Hosts must be IPv4 or IPv6 literals: resolving names here would itself send unpinned traffic.
 * A link-local IPv6 host is probed on {@code --device}'s link; it may be written {@code fe80::1%wan1}, where the
 * scope must then be that device.
 *
 * <pre>--device IF --mark 0x65 [--method icmp|dns|tcp:PORT] [--timeout 500ms] [--count N] [--interval 200ms] HOST...</pre>
 *
 * Exit status: 0 every host answered at least once, 1 some host never answered, 2 bad arguments.
 */
public final class ProbeCommand {
    private ProbeCommand() {}

    static final String USAGE = "usage: dualwan probe --device IF --mark MARK [--method icmp|dns|tcp:PORT]"
            + " [--timeout 500ms] [--count N] [--interval 200ms] HOST...";

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)");

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out));
    }

    /** Parsed command line; {@code labels} are the hosts as written, for the output. */
    record Options(String device, int mark, ProbeMethod method, Duration timeout, int count, Duration interval,
                   List<InetAddress> hosts, List<String> labels) {
    }

    public static int run(List<String> args, PrintStream out) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            out.println("dualwan probe: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        return probe(o, out);
    }

    static Options parse(List<String> args) {
        String device = null;
        Integer mark = null;
        ProbeMethod method = ProbeMethod.ICMP;
        Duration timeout = Duration.ofMillis(500), interval = Duration.ofMillis(200);
        int count = 1;
        List<InetAddress> hosts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> scopes = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                hosts.add(host(a, scopes));
                labels.add(a);
                continue;
            }
            if (i + 1 >= args.size()) throw new IllegalArgumentException(a + " needs a value");
            String v = args.get(++i);
            switch (a) {
                case "--device" -> device = v;
                case "--mark" -> mark = mark(v);
                case "--method" -> method = method(v);
                case "--timeout" -> timeout = duration(a, v, Duration.ofMillis(1), Duration.ofSeconds(60));
                case "--interval" -> interval = duration(a, v, Duration.ZERO, Duration.ofHours(1));
                case "--count" -> count = count(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (device == null || device.isEmpty()) throw new IllegalArgumentException("--device is required");
        if (device.length() > 15) throw new IllegalArgumentException("--device: interface names have at most 15 characters");
        if (mark == null) throw new IllegalArgumentException("--mark is required");
        if (hosts.isEmpty()) throw new IllegalArgumentException("no HOST given");
        for (String scope : scopes) {
            if (!scope.equals(device)) {
                throw new IllegalArgumentException("%" + scope + ": a link-local host is probed on --device "
                        + device + ", so its scope can only be %" + device);
            }
        }
        return new Options(device, mark, method, timeout, count, interval, List.copyOf(hosts), List.copyOf(labels));
    }

    /** An IPv4 or IPv6 literal; the interface of a scoped link-local one ({@code fe80::1%wan1}) goes to {@code scopes}. */
    private static InetAddress host(String s, List<String> scopes) {
        if (s.indexOf(':') < 0) {
            try {
                return Ipv4.of(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + s);
            }
        }
        int percent = s.indexOf('%');
        String literal = percent < 0 ? s : s.substring(0, percent);
        InetAddress a;
        try {
            boolean emptyScope = percent == s.length() - 1;
            a = literal.isEmpty() || emptyScope ? null : InetAddress.ofLiteral(literal);
        } catch (IllegalArgumentException e) {
            a = null;
        }
        if (!(a instanceof Inet6Address v6)) throw new IllegalArgumentException("not an IPv6 address: " + s);
        if (percent >= 0) {
            // Java would look the name up among this process's interfaces; the prober scopes by --device anyway.
            if (!v6.isLinkLocalAddress()) {
                throw new IllegalArgumentException(s + ": only a link-local address (fe80::/10) takes a %scope");
            }
            scopes.add(s.substring(percent + 1));
        }
        return v6;
    }

    private static int mark(String s) {
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v < 0 || v > 0xffff_ffffL) throw new NumberFormatException();
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--mark: not a 32-bit number: " + s);
        }
    }

    static ProbeMethod method(String s) {
        if (s.equals("icmp")) return ProbeMethod.ICMP;
        if (s.equals("dns")) return ProbeMethod.DNS;
        if (s.startsWith("tcp:")) {
            try {
                int port = Integer.parseInt(s.substring(4));
                if (port >= 1 && port <= 65535) return new ProbeMethod.Tcp(port);
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new IllegalArgumentException("--method: expected icmp, dns or tcp:PORT, got " + s);
    }

    /** Unlike the config's durations, the command line also takes decimals ("0.5s"). */
    static Duration duration(String option, String s, Duration min, Duration max) {
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException(option + ": expected a duration like 500ms or 2s, got " + s);
        double n = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1000;
            default -> n * 60_000;
        };
        Duration d = Duration.ofNanos((long) (millis * 1_000_000));
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(option + ": out of range: " + s);
        }
        return d;
    }

    private static int count(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 1_000_000) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--count: expected 1..1000000, got " + s);
    }

    static int probe(Options o, PrintStream out) {
        int hostCount = o.hosts().size();
        int[] sent = new int[hostCount], received = new int[hostCount];
        long[] rttSum = new long[hostCount];
        LinkedBlockingQueue<ProbeResult> results = new LinkedBlockingQueue<>();
        int expected = 0, got = 0;
        try (Prober prober = new NativeProber(results::add)) {
            long next = System.nanoTime();
            for (int round = 0; round < o.count(); round++) {
                for (int h = 0; h < hostCount; h++) {
                    // id encodes the host index; the round is irrelevant for the summary
                    prober.start(new ProbeRequest((long) round * hostCount + h, o.device(), o.mark(),
                            o.hosts().get(h), o.method(), o.timeout()));
                    sent[h]++;
                    expected++;
                }
                next += o.interval().toNanos();
                if (round + 1 < o.count()) {
                    // print what has arrived while waiting for the next round
                    long wait;
                    while ((wait = next - System.nanoTime()) > 0) {
                        ProbeResult r = results.poll(wait, TimeUnit.NANOSECONDS);
                        if (r != null && report(r, o, out, received, rttSum)) {
                            got++;
                        }
                    }
                }
            }
            // Every result comes within its timeout; the extra second only guards against a broken prober.
            long end = System.nanoTime() + o.timeout().toNanos() + 1_000_000_000L;
            while (got < expected) {
                ProbeResult r = results.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (r == null) break;
                if (report(r, o, out, received, rttSum)) {
                    got++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean all = true;
        for (int h = 0; h < hostCount; h++) {
            int lossPct = (int) Math.round(100.0 * (sent[h] - received[h]) / sent[h]);
            String avg = received[h] == 0 ? "-" : millis(rttSum[h] / received[h]);
            out.printf(Locale.ROOT, "%s: %d sent, %d received, %d%% loss, avg %s%n",
                    o.labels().get(h), sent[h], received[h], lossPct, avg);
            all &= received[h] > 0;
        }
        return all ? 0 : 1;
    }

    /** Prints one result; false for a late reply (its probe already counted as a miss). */
    private static boolean report(ProbeResult r, Options o, PrintStream out, int[] received, long[] rttSum) {
        int h = (int) (r.id() % o.hosts().size());
        String host = o.labels().get(h);
        if (r.late()) {
            out.println(host + " " + o.method() + " late " + millis(r.rtt().toNanos()));
            return false;
        }
        if (r.reachable()) {
            received[h]++;
            rttSum[h] += r.rtt().toNanos();
            String extra = r.detail().equals("ok") ? "" : " " + r.detail();
            out.println(host + " " + o.method() + " ok " + millis(r.rtt().toNanos()) + extra);
        } else {
            out.println(host + " " + o.method() + " miss " + r.detail());
        }
        return true;
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
    }
}
