package dualwan.model;

import java.time.Duration;

/**
 * The outcome of one probe.
 *
 * @param id        the request's id
 * @param reachable the host answered in time
 * @param rtt       round-trip time when reachable, otherwise the time waited
 * @param detail    short reason for a miss ("timeout", "ENETUNREACH", …) or "ok"
 */
public record ProbeResult(long id, boolean reachable, Duration rtt, String detail) {
}
