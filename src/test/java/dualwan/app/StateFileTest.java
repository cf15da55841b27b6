package dualwan.app;

import dualwan.TestConfigs;
import dualwan.TestStates;
import dualwan.health.HealthSnapshot;
import dualwan.health.TargetHealth;
import dualwan.health.UplinkHealth;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.StateJson;
import dualwan.model.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state file on a real file system: what it holds, that it is replaced whole, and reading it back. */
class StateFileTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    /** isp2 forced and active; isp1 down with no gateway probed (nulls to write). */
    private static DaemonState state() {
        UplinkHealth isp1 = new UplinkHealth("isp1", Verdict.DOWN, "no carrier", T0, false, Optional.empty(),
                Optional.empty(), Map.of(TestConfigs.ip("192.0.2.1"), TargetHealth.unknown(T0)), false);
        return TestStates.of(TestConfigs.twoWans(), new HealthSnapshot(T0, Map.of("isp1", isp1)), Optional.of("isp2"),
                Mode.force("isp2")).withSection("dns", Map.of("uplink", "isp2"));
    }

    @Test
    void holdsThePrettyStateWithNullsAndLeavesNoTemporaryFileBehind() throws Exception {
        StateFile file = new StateFile(dir.resolve("run").resolve("state.json")); // the directory is made
        file.write(state());
        String text = Files.readString(file.path());
        assertEquals(StateJson.pretty(state()), text);
        assertTrue(text.contains("\"gateway\" : null") && text.contains("\"rtt_ms\" : null"), text);
        assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                java.nio.file.attribute.PosixFilePermission.GROUP_READ),
                Files.getPosixFilePermissions(file.path()), "owner and group only: nothing dualwan writes is world-readable");
        try (var left = Files.list(file.path().getParent())) {
            assertEquals(List.of("state.json"), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aRestartReadsBackTheModeAndThePolicies() throws Exception {
        StateFile file = new StateFile(dir.resolve("state.json"));
        assertEquals(StateJson.Saved.NONE, file.saved(), "no file yet");
        file.write(state());
        assertEquals(new StateJson.Saved(Optional.of(Mode.force("isp2")), Map.of(), Optional.empty()), file.saved());
        assertTrue(file.readText().orElseThrow().contains("\"mode\" : \"isp2\""));
    }

    @Test
    void anUnreadableFileIsAsIfThereWereNone() throws Exception {
        Path path = dir.resolve("state.json");
        StateFile file = new StateFile(path);
        Files.write(path, new byte[]{'{', '"', 'm', 'o', 'd', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        assertEquals(StateJson.Saved.NONE, file.saved(), "not UTF-8");
        Files.writeString(path, "{\"mode\": \"isp2\", \"policies\": {\"voip\": {\"uplinks\": [");
        assertEquals(StateJson.Saved.NONE, file.saved(), "cut short by a power loss");
        Files.delete(path);
        Files.createDirectory(path);
        assertEquals(StateJson.Saved.NONE, file.saved(), "a directory");
        assertEquals(Optional.empty(), file.readText());
    }
}
