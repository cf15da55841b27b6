package dualwan.config;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The {@code web} section: the status page, its API and the Prometheus metrics. No section, no server.
 *
 * @param listen       the IPv4 address and TCP port to serve on (the LAN address, or 0.0.0.0 for all)
 * @param passwordFile file holding the password that unlocks mode changes from the page, read at start;
 *                     without one the page is read-only
 */
public record WebConfig(InetSocketAddress listen, Optional<FileSetting> passwordFile) {

    /** Mode changes from the page and {@code POST /api/mode} are possible only with a password. */
    public boolean modeChangesAllowed() {
        return passwordFile.isPresent();
    }
}
