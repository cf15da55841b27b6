package dualwan.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Learned servers come from the network: only unicast IPv4 nameserver lines pass. */
class LearnedServersTest {

    @Test
    void takesNameserverLinesAndNothingElse() {
        String text = """
                # from the DHCP lease
                search isp.example
                nameserver 100.64.3.1
                nameserver\t198.51.100.53
                nameserver 100.64.3.1
                options edns0
                """;
        assertEquals(List.of(ip("100.64.3.1"), ip("198.51.100.53")), LearnedServers.parse("t", text));
    }

    @Test
    void rejectsWhatIsNotAUsableIpv4Server() {
        String text = """
                nameserver 2001:db8::53
                nameserver 127.0.0.53
                nameserver 0.0.0.0
                nameserver 224.0.0.251
                nameserver 192.0.2.1 extra
                nameserver 192.0.2.999
                nameserver server=/evil/1.2.3.4
                nameserver 192.0.2.1\nserver=/x/6.6.6.6
                nameserver 203.0.113.53
                """;
        assertEquals(List.of(ip("192.0.2.1"), ip("203.0.113.53")), LearnedServers.parse("t", text));
    }

    @Test
    void atMostThreeServers() {
        assertEquals(3, LearnedServers.parse("t", "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
                + "nameserver 192.0.2.3\nnameserver 192.0.2.4\n").size());
    }

    @Test
    void missingOversizedOrEmptyFilesGiveNoServers(@TempDir Path dir) throws Exception {
        assertEquals(List.of(), LearnedServers.read(dir.resolve("wan1")));
        Files.writeString(dir.resolve("wan2"), "nameserver 192.0.2.1\n" + "#".repeat(LearnedServers.MAX_BYTES));
        assertEquals(List.of(), LearnedServers.read(dir.resolve("wan2")));
        Files.writeString(dir.resolve("wan3"), "");
        assertEquals(List.of(), LearnedServers.read(dir.resolve("wan3")));
    }

    @Test
    void resolvFileHoldsOnlyNameserverLinesOfParsedAddresses() {
        assertEquals("# written by dualwan: the DNS servers of the active uplink, isp2\n"
                        + "nameserver 100.64.2.1\nnameserver 192.0.2.53\n",
                ResolvFile.content("isp2", List.of(ip("100.64.2.1"), ip("192.0.2.53"))));
    }
}
