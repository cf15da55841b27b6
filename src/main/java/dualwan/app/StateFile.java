package dualwan.app;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.model.DaemonState;
import dualwan.model.StateJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's state as JSON ({@link StateJson#pretty}), replaced atomically (write a temporary file beside it,
 * then rename), so a reader never sees half a file. Keep it on tmpfs (/run): it changes often.
 */
public final class StateFile {

    /** For {@link #write(Map)}: the same output as {@link StateJson#pretty}, nulls written out. */
    private static final JSON PRETTY_WITH_NULLS = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES,
            JSON.Feature.PRETTY_PRINT_OUTPUT);

    private final Path path;

    public StateFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public void write(DaemonState state) throws IOException {
        writeText(StateJson.pretty(state));
    }

    /** The tree of {@link StateJson#tree}; prefer {@link #write(DaemonState)}. */
    public void write(Map<String, Object> tree) throws IOException {
        writeText(PRETTY_WITH_NULLS.asString(tree) + "\n");
    }

    private void writeText(String text) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".state", ".tmp");
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The previous run's state, if readable: used to keep an operator's forced mode across a restart. */
    public Optional<Map<String, Object>> read() {
        try {
            return Files.isReadable(path) ? Optional.of(JSON.std.mapFrom(Files.readString(path))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** What a restart takes over from the previous run's file; {@link StateJson.Saved#NONE} if none is readable. */
    public StateJson.Saved saved() {
        try {
            return Files.isReadable(path) ? StateJson.saved(Files.readString(path)) : StateJson.Saved.NONE;
        } catch (IOException | RuntimeException e) {
            return StateJson.Saved.NONE; // not UTF-8, vanished meanwhile, a directory: as if there were none
        }
    }
}
