package dualwan.linux;

import dualwan.health.LinkState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Carrier from a fake /sys/class/net; the real kernel's behaviour (ENODEV after removal) is in the lab. */
class LinuxKernelTest {

    @TempDir
    Path sys;

    private final CommandRunner noCommands = argv -> {
        throw new AssertionError("no command expected: " + argv);
    };

    @Test
    void readsCarrierAndSeesItChangeThroughTheOpenFile() throws Exception {
        Files.createDirectories(sys.resolve("wan1"));
        Files.writeString(sys.resolve("wan1/carrier"), "1\n");
        LinuxKernel kernel = new LinuxKernel(noCommands, sys);
        assertEquals(LinkState.CARRIER, kernel.link("wan1"));
        Files.writeString(sys.resolve("wan1/carrier"), "0\n");
        assertEquals(LinkState.NO_CARRIER, kernel.link("wan1"));
        Files.writeString(sys.resolve("wan1/carrier"), "1\n");
        assertEquals(LinkState.CARRIER, kernel.link("wan1"));
    }

    @Test
    void noDirectoryIsAMissingInterfaceAndItIsPickedUpWhenItAppears() throws Exception {
        LinuxKernel kernel = new LinuxKernel(noCommands, sys);
        assertEquals(LinkState.MISSING, kernel.link("wan2"));
        Files.createDirectories(sys.resolve("wan2"));
        Files.writeString(sys.resolve("wan2/carrier"), "1\n");
        assertEquals(LinkState.CARRIER, kernel.link("wan2"));
    }

    @Test
    void anUnreadableCarrierIsNoCarrier() throws Exception {
        Files.createDirectories(sys.resolve("wan3")); // like an administratively down link: carrier can't be read
        assertEquals(LinkState.NO_CARRIER, new LinuxKernel(noCommands, sys).link("wan3"));
    }
}
