package dualwan.config;

/** How LAN traffic leaving an uplink gets that uplink's address ({@code wans[].nat}). */
public enum Nat {
    /** Source NAT to whatever address the interface has now; the kernel forgets flows whose interface changes. */
    MASQUERADE,
    /** Source NAT to the uplink's address as dualwan last saw it: for static-IP lines (cheaper per packet). */
    SNAT,
    /** No NAT: the LAN's addresses are routed by the ISP. */
    NONE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
