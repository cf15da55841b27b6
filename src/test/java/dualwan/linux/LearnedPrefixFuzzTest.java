package dualwan.linux;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dualwan.config.Ipv6;
import dualwan.config.Prefix6;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes as a learned-prefix file (its value came from an ISP's DHCPv6 server): either nothing, or one
 * routable prefix with zero host bits that is the whole of a {@code prefix} line of the file; never an
 * exception. Seeds: files the hooks in board/prefix-hooks write, under
 * {@code src/test/resources/dualwan/linux/LearnedPrefixFuzzTestInputs/read}.
 */
class LearnedPrefixFuzzTest {

    private static Path dir;

    @BeforeAll
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("dualwan-fuzz-prefix");
    }

    @AfterAll
    static void deleteDir() throws IOException {
        Files.deleteIfExists(dir.resolve("wan1"));
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"prefix ", "\\x0A", "\t", "#", "2001:db8:100::/56", "/64", "::", "fe80::", "ff02::", "/129"})
    void read(byte[] input) throws IOException {
        Files.write(dir.resolve("wan1"), input);
        Optional<Prefix6> p = LearnedPrefix.read(dir, "wan1");
        if (input.length > LearnedPrefix.MAX_BYTES) {
            assertEquals(Optional.empty(), p, "an oversize file is ignored as a whole");
            return;
        }
        if (p.isEmpty()) {
            return;
        }
        Prefix6 prefix = p.get();
        assertTrue(prefix.length() >= 1 && prefix.length() <= 128, prefix::toString);
        assertTrue(!Ipv6.linkLocal(prefix.address()) && Ipv6.notUnicast(prefix.address()).isEmpty(), prefix::toString);
        assertEquals(prefix, Prefix6.parse(prefix.toString()), "host bits are zero");
        String text = new String(input, StandardCharsets.UTF_8);
        assertTrue(text.lines().map(String::strip).anyMatch(l -> l.matches("prefix[ \t]+\\S+")
                        && LearnedPrefix.usable(l.split("[ \t]+")[1]).equals(p)),
                () -> prefix + " is not the whole of a prefix line");
    }
}
