package dualwan.model;

/** What we currently believe about a probe target or an uplink. */
public enum Verdict {
    /** Not judged yet: just started, or the link came back, or the gateway changed. */
    UNKNOWN,
    /** Answering (target) / carrying traffic is safe (uplink). */
    UP,
    /** Not answering (target) / must not carry traffic (uplink). */
    DOWN;

    public String label() {
        return name().toLowerCase();
    }
}
