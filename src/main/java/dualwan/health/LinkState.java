package dualwan.health;

/** What the kernel says about an uplink's interface. */
public enum LinkState {
    /** Present, administratively up, with carrier. */
    CARRIER,
    /** Present but no carrier (cable pulled, peer down) or administratively down. */
    NO_CARRIER,
    /** No such interface (USB adapter unplugged, PPP session not up). */
    MISSING
}
