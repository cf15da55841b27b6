package dualwan.model;

import java.time.Duration;

/**
 * The outcome of one probe. A probe gets one result at its timeout at the latest; a reply that comes after that,
 * within {@link ProbeRequest#LATE_HORIZON}, is reported as a second result with {@code late} set.
 *
 * @param id        the request's id
 * @param reachable the host answered (in time, or late when {@code late})
 * @param rtt       round-trip time when reachable, otherwise the time waited
 * @param detail    short reason for a miss ("timeout", "ENETUNREACH", …) or "ok"
 * @param late      a reply to a probe already reported as a timeout: the path is alive but slow
 * @param rxPackets the packets the uplink's interface had received when the result was known, or -1 if unknown:
 *                  traffic arriving while every probe goes unanswered says the path delivers (a full queue),
 *                  where a cut delivers nothing
 */
public record ProbeResult(long id, boolean reachable, Duration rtt, String detail, boolean late, long rxPackets) {

    /** A result in time (or a miss), without a packet count. */
    public ProbeResult(long id, boolean reachable, Duration rtt, String detail) {
        this(id, reachable, rtt, detail, false, -1);
    }

    /** The late reply to probe {@code id}, {@code rtt} after it was sent. */
    public static ProbeResult lateReply(long id, Duration rtt) {
        return new ProbeResult(id, true, rtt, "late", true, -1);
    }

    /** This result with the interface's received-packet count at the time it was known. */
    public ProbeResult withRxPackets(long count) {
        return new ProbeResult(id, reachable, rtt, detail, late, count);
    }

    /** A miss that a packet reported (an ICMP error, a refusal) rather than a silent timeout. */
    public boolean answeredByError() {
        return !reachable && !"timeout".equals(detail) && !"lost".equals(detail);
    }
}
