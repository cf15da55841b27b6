package dualwan.app;

import org.tinylog.configuration.Configuration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Chooses the log format before the first log call: under systemd, with stdout connected to the journal, lines
 * carry their priority and no time ({@link JournalWriter}); anywhere else tinylog.properties' format stays.
 */
final class LogSetup {

    private LogSetup() {
    }

    /** Call first thing in main: tinylog's configuration is frozen by the first log call. */
    static void configure() {
        if (toJournal(System.getenv(), Path.of("/proc/self/fd/1"))) {
            Configuration.set("writer", "journal");
            Configuration.set("writer.format", "{message}");
        }
    }

    /**
     * True when {@code $JOURNAL_STREAM} ("DEV:INODE", systemd.exec(5)) names the stream stdout is: a child that
     * inherited the variable but has its stdout redirected elsewhere keeps the terminal format.
     */
    static boolean toJournal(Map<String, String> env, Path stdout) {
        String stream = env.getOrDefault("JOURNAL_STREAM", "");
        int colon = stream.indexOf(':');
        if (colon < 1) {
            return false;
        }
        try {
            Map<String, Object> a = Files.readAttributes(stdout, "unix:dev,ino");
            return stream.equals(a.get("dev") + ":" + a.get("ino"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true; // cannot tell: the variable is the best evidence there is
        }
    }
}
