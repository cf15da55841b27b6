package dualwan.config;

import java.nio.file.Path;

/**
 * The LAN's DNS follows the active uplink: dualwan writes the active uplink's servers to a dnsmasq servers file
 * and tells dnsmasq to re-read it (SIGHUP).
 *
 * @param followActive  on (the default when the section is present)
 * @param serversFile   the file dnsmasq reads with {@code --servers-file}
 * @param dnsmasqPidFile dnsmasq's pid file, for the SIGHUP
 * @param learnedDir    where the DHCP/PPP client hooks write each interface's servers ({@code dns: auto})
 */
public record DnsConfig(boolean followActive, Path serversFile, Path dnsmasqPidFile, Path learnedDir) {
}
