package dualwan.config;

import java.util.Locale;

/** A layer-4 protocol that policies and conntrack filters may name. */
public enum Protocol {
    TCP, UDP, ICMP;

    /** As nft and conntrack spell it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean hasPorts() {
        return this != ICMP;
    }
}
