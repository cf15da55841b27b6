package dualwan.health;

import java.net.InetAddress;

/**
 * Something probed through one uplink.
 *
 * @param wan     the uplink whose table and mark the probe uses
 * @param role    the uplink's gateway, or one of its remote check hosts
 * @param address what is probed
 */
public record Target(String wan, Role role, InetAddress address) {

    public enum Role { GATEWAY, HOST }

    @Override
    public String toString() {
        return wan + "/" + address.getHostAddress() + (role == Role.GATEWAY ? " (gateway)" : "");
    }
}
