package dualwan.health;

/** The monitor's change counters, shared with its uplinks and slots: callers re-decide or re-blink when they move. */
final class Changes {
    /** Uplink verdict changes. */
    long verdict;
    /** Confirmations (and slow spells) starting and ending. */
    long confirming;
}
