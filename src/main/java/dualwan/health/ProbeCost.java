package dualwan.health;

import dualwan.model.ProbeMethod;

import java.time.Duration;

/**
 * What probing costs on an uplink's link, both directions: the bytes of one probe and its reply as frames on
 * the wire (Ethernet header and minimum frame size included, as a modem's counters see them), and the
 * projection over 30 days at a schedule. The figures are the packets the prober sends: a 16-byte ICMP echo,
 * a 17-byte DNS query, a TCP SYN / SYN-ACK / RST, behind a 20-byte IPv4 or 40-byte IPv6 header (an ICMPv6
 * echo is a 70-byte frame, an IPv6 DNS query 79 bytes).
 */
public final class ProbeCost {

    /** A metered uplink carrying no traffic probes each target this often (a data plan pays for every byte). */
    public static final Duration METERED_IDLE_INTERVAL = Duration.ofSeconds(180);
    static final long THIRTY_DAYS_SECONDS = 30L * 24 * 3600;
    private static final int ETHERNET_HEADER = 14;
    private static final int MIN_FRAME = 60;

    /**
     * One uplink's probe traffic as the state shows it.
     *
     * @param metered       the uplink is on a data plan ({@code wans[].metered})
     * @param idle          it carries no traffic now, so it is probed at {@link #METERED_IDLE_INTERVAL}
     * @param bytes         probe bytes since start, both directions
     * @param projectedMb30 MB (10⁶ bytes) per 30 days at the current schedule
     */
    public record View(boolean metered, boolean idle, long bytes, double projectedMb30) {
        public static final View NONE = new View(false, false, 0, 0);
    }

    private ProbeCost() {
    }

    /** Bytes of one probe going out (a TCP probe's SYN and its closing RST). */
    public static int request(ProbeMethod method) {
        return request(method, Family.IPV4);
    }

    /** The same over {@code family}. */
    public static int request(ProbeMethod method, Family family) {
        int ip = family.ipHeader;
        return switch (method) {
            case ProbeMethod.Icmp _ -> frame(ip + 16); // the 16-byte echo is ICMP header and payload
            case ProbeMethod.Dns _ -> frame(ip + 8 + 17);
            case ProbeMethod.Tcp _ -> frame(ip + 40) + frame(ip + 20);
        };
    }

    /** Bytes of its answer (a DNS answer is taken as 128 bytes of message: root NS queries get short ones). */
    public static int reply(ProbeMethod method) {
        return reply(method, Family.IPV4);
    }

    /** The same over {@code family}. */
    public static int reply(ProbeMethod method, Family family) {
        int ip = family.ipHeader;
        return switch (method) {
            case ProbeMethod.Icmp _ -> frame(ip + 16); // the 16-byte echo is ICMP header and payload
            case ProbeMethod.Dns _ -> frame(ip + 8 + 128);
            case ProbeMethod.Tcp _ -> frame(ip + 40);
        };
    }

    /** MB per 30 days for probe round trips of {@code bytesPerRound} every {@code every}. */
    static double projectedMb30(long bytesPerRound, Duration every) {
        return bytesPerRound * (THIRTY_DAYS_SECONDS * 1e9 / every.toNanos()) / 1e6;
    }

    private static int frame(int ipBytes) {
        return Math.max(MIN_FRAME, ipBytes + ETHERNET_HEADER);
    }
}
