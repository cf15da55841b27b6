package dualwan.linux;

import dualwan.linux.Tools.Tool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding the tools: where, in which order, and their version texts (fake tools in temporary directories). */
class ToolsTest {

    @TempDir
    Path dir;

    @Test
    void searchesPathThenTheUsualDirectoriesWithoutRepeatsOrRelativeEntries() {
        assertEquals(List.of(Path.of("/opt/bin"), Path.of("/usr/bin"), Path.of("/usr/sbin"), Path.of("/sbin"),
                Path.of("/bin")), Tools.searchPath(null, "/opt/bin:bin::/usr/bin/"));
        assertEquals(Tools.USUAL_DIRECTORIES, Tools.searchPath(null, null));
    }

    @Test
    void thePropertyReplacesTheWholeSearch() {
        assertEquals(List.of(Path.of("/t/a"), Path.of("/t/b")), Tools.searchPath("/t/a:/t/b", "/usr/bin"));
    }

    @Test
    void findsEachToolInTheFirstDirectoryThatHasItAndReadsItsVersion() throws Exception {
        Path first = FakeTools.write(dir.resolve("first"), Map.of(Tool.NFT, "nftables v1.1.1 (Commodore Bullmoose #2)"));
        Path second = FakeTools.write(dir.resolve("second"), FakeTools.DEBIAN_12);
        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("empty/ip"), "not executable");
        Tools tools = Tools.find(List.of(dir.resolve("empty"), first, second), new ProcessRunner());
        assertEquals(new Tools.Found(second.resolve("ip"), "ip utility, iproute2-6.1.0, libbpf 1.1.2"),
                tools.found(Tool.IP).orElseThrow());
        assertEquals(new Tools.Found(first.resolve("nft"), "nftables v1.1.1 (Commodore Bullmoose #2)"),
                tools.found(Tool.NFT).orElseThrow());
        assertEquals(second.resolve("conntrack").toString(), tools.path(Tool.CONNTRACK));
        assertTrue(tools.path(Tool.IP).startsWith("/"), "absolute");
    }

    @Test
    void aMissingToolIsEmptyAndRunningItIsAnErrorNamingTheSearch() throws Exception {
        Path only = FakeTools.without(dir.resolve("t"), Tool.NFT);
        Tools tools = Tools.find(List.of(only), new ProcessRunner());
        assertTrue(tools.found(Tool.NFT).isEmpty());
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> tools.argv(Tool.NFT, List.of("-f", "-")));
        assertEquals("nft not found (searched " + only + ")", e.getMessage());
    }

    @Test
    void findUsesThePropertyAndNeverThePath() throws Exception {
        Path fake = FakeTools.without(dir.resolve("t"), Tool.CONNTRACK);
        try (AutoCloseable ignored = FakeTools.use(fake)) {
            Tools tools = Tools.find();
            assertEquals(List.of(fake), tools.searched());
            assertEquals(fake.resolve("ip"), tools.found(Tool.IP).orElseThrow().path());
            assertTrue(tools.found(Tool.CONNTRACK).isEmpty(), "not taken from PATH or /usr/sbin");
        }
        assertEquals(fake + "/ip -V\n" + fake + "/nft --version\n", FakeTools.calls(fake),
                "only the version options ran");
    }

    @Test
    void findsTheRealIpOfThisMachine() {
        long start = System.nanoTime();
        Tools tools = Tools.find(Tools.searchPath(null, System.getenv("PATH")), new ProcessRunner());
        System.out.printf("[tools] searched %d directories and read the versions of %s in %.1f ms%n",
                tools.searched().size(), java.util.Arrays.stream(Tool.values()).filter(t -> tools.found(t).isPresent())
                        .map(t -> t.command).toList(), (System.nanoTime() - start) / 1e6);
        org.junit.jupiter.api.Assumptions.assumeTrue(tools.found(Tool.IP).isPresent(), "iproute2 is not installed");
        Tools.Found ip = tools.found(Tool.IP).get();
        assertTrue(ip.path().isAbsolute(), ip.toString());
        assertTrue(Preflight.version(Tool.IP, ip.versionText()).isPresent(), "reads its version: " + ip.versionText());
    }
}
