package dualwan.config;

/**
 * Kernel objects the daemon owns. Everything else in the kernel is left alone.
 *
 * @param lanTable     table holding the LAN's chosen default route
 * @param rulePriority first {@code ip rule} priority of the block dualwan owns ({@link #RULE_BLOCK} wide)
 */
public record RoutingConfig(int lanTable, int rulePriority) {

    /** How many rule priorities, starting at {@code rulePriority}, belong to dualwan. */
    public static final int RULE_BLOCK = 100;

    /** The routing section as it is when left out of the file; see {@link Defaults}. */
    public static RoutingConfig defaults() {
        return new RoutingConfig(Defaults.ROUTING_LAN_TABLE, Defaults.ROUTING_RULE_PRIORITY);
    }
}
