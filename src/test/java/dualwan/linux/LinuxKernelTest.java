package dualwan.linux;

import dualwan.health.LinkState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Carrier from a fake /sys/class/net; the real kernel's behaviour (ENODEV after removal) is in the lab. */
class LinuxKernelTest {

    @TempDir
    Path sys;

    private final CommandRunner noCommands = argv -> {
        throw new AssertionError("no command expected: " + argv);
    };

    /** Tools as found in a directory that is not on any PATH: every command must run by this absolute path. */
    private final Tools tools = new Tools(List.of(Path.of("/opt/fake")), Map.of(
            Tools.Tool.IP, new Tools.Found(Path.of("/opt/fake/ip"), ""),
            Tools.Tool.NFT, new Tools.Found(Path.of("/opt/fake/nft"), ""),
            Tools.Tool.CONNTRACK, new Tools.Found(Path.of("/opt/fake/conntrack"), "")));

    @Test
    void readsCarrierAndSeesItChangeThroughTheOpenFile() throws Exception {
        Files.createDirectories(sys.resolve("wan1"));
        Files.writeString(sys.resolve("wan1/carrier"), "1\n");
        LinuxKernel kernel = new LinuxKernel(noCommands, tools, sys);
        assertEquals(LinkState.CARRIER, kernel.link("wan1"));
        Files.writeString(sys.resolve("wan1/carrier"), "0\n");
        assertEquals(LinkState.NO_CARRIER, kernel.link("wan1"));
        Files.writeString(sys.resolve("wan1/carrier"), "1\n");
        assertEquals(LinkState.CARRIER, kernel.link("wan1"));
    }

    @Test
    void noDirectoryIsAMissingInterfaceAndItIsPickedUpWhenItAppears() throws Exception {
        LinuxKernel kernel = new LinuxKernel(noCommands, tools, sys);
        assertEquals(LinkState.MISSING, kernel.link("wan2"));
        Files.createDirectories(sys.resolve("wan2"));
        Files.writeString(sys.resolve("wan2/carrier"), "1\n");
        assertEquals(LinkState.CARRIER, kernel.link("wan2"));
    }

    @Test
    void anUnreadableCarrierIsNoCarrier() throws Exception {
        Files.createDirectories(sys.resolve("wan3")); // like an administratively down link: carrier can't be read
        assertEquals(LinkState.NO_CARRIER, new LinuxKernel(noCommands, tools, sys).link("wan3"));
    }

    @Test
    void conntrackRunsAgainWhenAnEntryVanishedMidwayAndCountsWhatWasDeleted() throws Exception {
        java.util.List<java.util.List<String>> runs = new java.util.ArrayList<>();
        java.util.Iterator<CommandRunner.Result> answers = java.util.List.of(
                new CommandRunner.Result(1, "", "conntrack v1.4.7 (conntrack-tools): Operation failed: such conntrack doesn't exist\n"),
                new CommandRunner.Result(0, "", "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been deleted.\n")).iterator();
        LinuxKernel kernel = new LinuxKernel(argv -> {
            runs.add(argv);
            return answers.next();
        }, tools, sys);
        java.util.List<String> args = java.util.List.of("-D", "--reply-dst", "100.64.1.2", "--mark", "0x0");
        assertEquals(2, kernel.conntrack(args));
        assertEquals(2, runs.size());
        assertEquals(List.of("/opt/fake/conntrack", "-D", "--reply-dst", "100.64.1.2", "--mark", "0x0"), runs.getFirst());
    }

    @Test
    void conntrackWithNothingToDeleteIsZeroAndOtherFailuresAreErrors() throws Exception {
        LinuxKernel none = new LinuxKernel(argv -> new CommandRunner.Result(1, "",
                "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n"), tools, sys);
        assertEquals(0, none.conntrack(java.util.List.of("-D", "--mark", "0x101")));
        LinuxKernel broken = new LinuxKernel(argv -> new CommandRunner.Result(1, "",
                "conntrack v1.4.7 (conntrack-tools): Operation failed: Operation not permitted\n"), tools, sys);
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> broken.conntrack(java.util.List.of("-D", "--mark", "0x101")));
    }

    @Test
    void everyProgramRunsByItsAbsolutePath() throws Exception {
        List<List<String>> runs = new java.util.ArrayList<>();
        List<String> inputs = new java.util.ArrayList<>();
        CommandRunner recording = new CommandRunner() {
            @Override
            public Result run(List<String> argv) {
                runs.add(argv);
                return new Result(0, "[]", "");
            }

            @Override
            public Result run(List<String> argv, String input) {
                inputs.add(input);
                return run(argv);
            }
        };
        LinuxKernel kernel = new LinuxKernel(recording, tools, sys);
        kernel.rules();
        kernel.addressesAndPeers();
        kernel.ip(List.of("rule", "add", "priority", "1030", "lookup", "200"));
        kernel.nftTable();
        kernel.nft("table inet dualwan {}\n");
        assertEquals(List.of(
                List.of("/opt/fake/ip", "-N", "-json", "-4", "rule", "show"),
                List.of("/opt/fake/ip", "-json", "-4", "addr", "show"),
                List.of("/opt/fake/ip", "rule", "add", "priority", "1030", "lookup", "200"),
                List.of("/opt/fake/nft", "-t", "-s", "list", "table", "inet", "dualwan"),
                List.of("/opt/fake/nft", "-c", "-f", "-"),
                List.of("/opt/fake/nft", "-f", "-")), runs);
        assertEquals(List.of("table inet dualwan {}\n", "table inet dualwan {}\n"), inputs);
    }

    @Test
    void aToolThatWasNotFoundIsAnErrorNamingItAndWhereItWasLookedFor() {
        Tools noNft = new Tools(List.of(Path.of("/opt/fake")), Map.of(
                Tools.Tool.IP, new Tools.Found(Path.of("/opt/fake/ip"), "")));
        LinuxKernel kernel = new LinuxKernel(noCommands, noNft, sys);
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> kernel.nft("table inet dualwan {}\n"));
        assertEquals("nft not found (searched /opt/fake)", e.getMessage());
    }
}
