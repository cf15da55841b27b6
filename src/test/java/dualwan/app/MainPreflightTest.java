package dualwan.app;

import dualwan.linux.FakeTools;
import dualwan.linux.Tools.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code check} and {@code run} with a tool missing or too old: exit 2, one "dualwan: ..." line each, before
 * anything else happens. The tools are fake scripts in a directory {@link FakeTools#use} points the search at.
 */
class MainPreflightTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private AutoCloseable toolPath;

    @AfterEach
    void restoreToolPath() throws Exception {
        if (toolPath != null) {
            toolPath.close();
        }
    }

    private int run(Path tools, String... args) throws Exception {
        if (toolPath != null) {
            toolPath.close(); // a second run in one test must not save the first run's fake path as the old one
        }
        toolPath = FakeTools.use(tools);
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path config(String extra) throws Exception {
        return Files.writeString(dir.resolve("dualwan.yaml"), """
                wans:
                  - name: isp1
                    interface: wan1
                state-file: %s
                %s""".formatted(dir.resolve("state.json"), extra));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkWithoutNftExitsTwoSayingSo() throws Exception {
        Path tools = FakeTools.without(dir.resolve("tools"), Tool.NFT);
        assertEquals(2, run(tools, "check", "--config", config("").toString()));
        assertEquals("dualwan: nft not found (searched " + tools + "): dualwan keeps its nftables table (NAT, policies)"
                + " with nft; install the Debian package nftables\n", err());
        assertEquals("", out.toString(StandardCharsets.UTF_8), "no 'ok' for a config that cannot run here");
    }

    @Test
    void runWithoutNftExitsTwoBeforeTouchingAnything() throws Exception {
        Path tools = FakeTools.without(dir.resolve("tools"), Tool.NFT);
        assertEquals(2, run(tools, "run", "--config", config("").toString()));
        assertTrue(err().startsWith("dualwan: nft not found"), err());
        assertEquals(tools + "/ip -V\n" + tools + "/conntrack --version\n", FakeTools.calls(tools),
                "nothing but the version options ran");
        assertFalse(Files.exists(dir.resolve("state.json")), "the daemon did not start");
    }

    @Test
    void runWithAnOldNftExitsTwo() throws Exception {
        var versions = new EnumMap<>(FakeTools.DEBIAN_12);
        versions.put(Tool.NFT, "nftables v0.9.6 (Capital Idea #2)");
        Path tools = FakeTools.write(dir.resolve("tools"), versions);
        assertEquals(2, run(tools, "run", "--config", config("").toString()));
        assertEquals("dualwan: " + tools + "/nft is too old (nftables v0.9.6 (Capital Idea #2)): dualwan keeps its"
                + " nftables table (NAT, policies) with nft, which needs 0.9.7 or later\n", err());
    }

    @Test
    void conntrackIsOnlyNeededWhenFlowsAreFlushed() throws Exception {
        Path tools = FakeTools.without(dir.resolve("tools"), Tool.CONNTRACK);
        Path file = config("");
        assertEquals(2, run(tools, "check", "--config", file.toString()));
        assertTrue(err().contains("dualwan: conntrack not found") && err().contains("or set conntrack.flush: none"),
                err());
        err.reset();
        config("conntrack:\n  flush: none\n");
        assertEquals(0, run(tools, "check", "--config", file.toString()), err());
        assertEquals(file + ": ok, 1 uplinks\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void configErrorsComeFirstAndTheToolsAreNotEvenLookedAt() throws Exception {
        Path tools = FakeTools.without(dir.resolve("tools"), Tool.NFT);
        Path file = config("no-such-key: 1\n");
        assertEquals(2, run(tools, "check", "--config", file.toString()));
        assertFalse(err().contains("nft not found"), err());
        assertEquals("", FakeTools.calls(tools));
    }
}
