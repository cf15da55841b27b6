package dualwan.config;

import java.nio.file.Path;

/**
 * The LAN's IPv6 ({@code lan.ipv6}); absent, dualwan leaves IPv6 alone.
 *
 * @param prefix     the LAN's own prefix (typically a ULA /64 the board's RA daemon announces)
 * @param learnedDir where the DHCPv6-PD hooks (board/prefix-hooks) write each uplink's delegated prefix
 */
public record LanIpv6Config(Prefix6 prefix, Path learnedDir) {
}
