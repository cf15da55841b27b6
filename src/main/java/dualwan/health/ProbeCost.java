package dualwan.health;

import dualwan.model.ProbeMethod;

import java.time.Duration;

/**
 * What probing costs on an uplink's link, both directions: the bytes of one probe and its reply as frames on
 * the wire (Ethernet header and minimum frame size included, as a modem's counters see them), and the
 * projection over 30 days at a schedule. The figures are the packets the prober sends: a 16-byte ICMP echo,
 * a 17-byte DNS query, a TCP SYN / SYN-ACK / RST.
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
        return switch (method) {
            case ProbeMethod.Icmp _ -> frame(20 + 8 + 16);
            case ProbeMethod.Dns _ -> frame(20 + 8 + 17);
            case ProbeMethod.Tcp _ -> frame(20 + 40) + frame(20 + 20);
        };
    }

    /** Bytes of its answer (a DNS answer is taken as 128 bytes of message: root NS queries get short ones). */
    public static int reply(ProbeMethod method) {
        return switch (method) {
            case ProbeMethod.Icmp _ -> frame(20 + 8 + 16);
            case ProbeMethod.Dns _ -> frame(20 + 8 + 128);
            case ProbeMethod.Tcp _ -> frame(20 + 40);
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
