package dualwan.config;

import java.nio.file.Path;

/**
 * The LAN's DNS follows the active uplink: dualwan writes the active uplink's servers to dnsmasq's resolv-file,
 * which dnsmasq polls and re-reads when it changes.
 *
 * @param followActive  on (the default when the section is present)
 * @param resolvFile    the file dnsmasq reads with {@code resolv-file=} ({@code nameserver} lines)
 * @param learnedDir    where the DHCP/PPP client hooks write each interface's servers ({@code dns: auto})
 */
public record DnsConfig(boolean followActive, Path resolvFile, Path learnedDir) {
}
