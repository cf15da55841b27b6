package dualwan.app;

import dualwan.model.DaemonState;
import dualwan.model.StateJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The daemon's state as JSON, replaced atomically (write a temporary file beside it, then rename), so a
 * reader never sees half a file. Keep it on tmpfs (/run): it changes often.
 */
public final class StateFile {

    private final Path path;

    public StateFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /**
     * Writes the state, readable by its owner and group only ({@code dualwan status} works for the group's
     * members; nothing dualwan writes is world-readable).
     */
    public void write(DaemonState state) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".state", ".tmp");
        try {
            Files.writeString(tmp, StateJson.pretty(state));
            // rw-r-----: the service's group (dualwan) may read it ("dualwan status"), nobody else. Set after
            // creation: the unit's UMask=0077 would mask the group bits of a mode given at creation.
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r-----"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: nothing to narrow
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** What a restart takes over from the previous run's file; {@link StateJson.Saved#NONE} if none is readable. */
    public StateJson.Saved saved() {
        return readText().map(StateJson::saved).orElse(StateJson.Saved.NONE);
    }

    /** The previous run's state file, if readable (a restart takes over its mode, policies and table digest). */
    public Optional<String> readText() {
        try {
            return Files.isReadable(path) ? Optional.of(Files.readString(path)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not UTF-8, vanished meanwhile, a directory: as if there were none
        }
    }
}
