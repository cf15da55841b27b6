package dualwan.config;

/** How the LAN's IPv6 traffic leaving an uplink is translated ({@code wans[].nat6}); only with {@code lan.ipv6}. */
public enum Nat6 {
    /** NAT66 to the uplink's global address: works with any ISP, one public address for the whole LAN. */
    MASQUERADE,
    /**
     * Stateful prefix translation of {@code lan.ipv6.prefix} onto the uplink's delegated prefix, host part kept:
     * each LAN host keeps a distinct public address (nft {@code snat ip6 prefix to}).
     */
    PREFIX,
    /** No translation: the LAN's addresses are the ISP's (a routed prefix). */
    NONE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
