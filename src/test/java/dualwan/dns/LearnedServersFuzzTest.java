package dualwan.dns;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes as a learned-DNS file (written from what an ISP's DHCP server sent): at most three distinct unicast
 * IPv4 servers, each from a {@code nameserver} line that holds exactly it, and nothing else; never an exception.
 * Only these addresses ever reach dnsmasq, so a rejected line changes nothing. Seeds: files written by the
 * hooks in board/dns-hooks, under {@code src/test/resources/dualwan/dns/LearnedServersFuzzTestInputs/read}.
 */
class LearnedServersFuzzTest {

    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        file = Files.createTempFile("dualwan-fuzz", ".resolv");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"nameserver ", "\\x0A", "\t", "#", ";", "search ", "192.0.2.53", "127.0.0.1", "0.", "255."})
    void read(byte[] input) throws IOException {
        Files.write(file, input);
        List<Inet4Address> servers = LearnedServers.read(file);
        assertTrue(servers.size() <= LearnedServers.MAX_SERVERS, servers::toString);
        assertEquals(servers.size(), new HashSet<>(servers).size(), "no server twice");
        if (input.length > LearnedServers.MAX_BYTES) {
            assertEquals(List.of(), servers, "an oversize file is ignored as a whole");
            return;
        }
        List<String> lines = new String(input, StandardCharsets.UTF_8).lines().map(String::strip).toList();
        for (Inet4Address a : servers) {
            assertTrue(LearnedServers.usable(a), a::toString);
            assertTrue(lines.stream().anyMatch(l -> l.matches("nameserver[ \t]+" + a.getHostAddress().replace(".", "\\."))),
                    () -> a + " is not the whole of a nameserver line");
        }
    }
}
