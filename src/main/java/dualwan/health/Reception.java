package dualwan.health;

import dualwan.model.ProbeResult;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether an uplink whose hosts have all gone silent is still receiving traffic. A queue filled by an upload
 * delays every probe reply by a second or two, exactly as a cut silences them, and for that long probes alone
 * cannot tell the two apart. The interface's receive counter can: during an upload the acknowledgements keep
 * arriving, after a cut nothing does (an ISP router's ICMP errors are rate-limited to a burst of six and then one
 * a second). So the packets received since the silence began, less the ones our own probes account for, decide.
 * Mutable; one per uplink, fed every result that carries a packet count.
 */
final class Reception {

    /** Foreign packets needed before the rate counts: more than a router's ICMP error burst and some ARP. */
    static final long MIN_PACKETS = 8;
    /** And at least this many per second of silence: a 1 Mbit/s upload's acknowledgements are ~40/s. */
    static final long PACKETS_PER_SECOND = 10;

    private Instant silentSince;
    private long rxAtSilence;
    private long accountedFor;

    /**
     * One result on this uplink. Returns true when it is a host's miss during a silence in which the uplink
     * received clearly more than its probes explain.
     */
    boolean receivingWhileSilent(ProbeResult r, boolean host, Instant now) {
        long rx = r.rxPackets();
        if (rx < 0) {
            return false;
        }
        if (host && r.reachable()) {
            silentSince = null; // a host answers: no silence
            return false;
        }
        if (silentSince == null || rx < rxAtSilence) { // the counter restarts with a re-created interface
            if (host) {
                silentSince = now;
                rxAtSilence = rx;
                accountedFor = 0;
            }
            return false;
        }
        if (r.reachable() || r.answeredByError()) {
            accountedFor++; // a gateway's reply or an ICMP error: a packet of our own making
        }
        if (!host || r.reachable()) {
            return false;
        }
        long foreign = rx - rxAtSilence - accountedFor;
        long millis = Duration.between(silentSince, now).toMillis();
        return foreign >= MIN_PACKETS + PACKETS_PER_SECOND * millis / 1000;
    }

    void reset() {
        silentSince = null;
    }
}
