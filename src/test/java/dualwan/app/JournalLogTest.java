package dualwan.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinylog.Level;

/**
 * Log lines under systemd: a JVM started with $JOURNAL_STREAM naming its stdout prints sd-daemon priority
 * prefixes and no time; without it (a terminal) it keeps the dated format; a stale variable (stdout
 * redirected elsewhere) keeps the dated format too.
 */
class JournalLogTest {

    /** Run in a child JVM: configure as Main does, then log one line per level and an exception. */
    public static final class Child {
        public static void main(String[] args) {
            LogSetup.configure();
            org.tinylog.Logger.info("starting");
            org.tinylog.Logger.warn("switch isp1 -> isp2: failover");
            org.tinylog.Logger.error(new IllegalStateException("boom"), "control loop");
        }
    }

    @Test
    void journalStreamGivesPriorityPrefixesAndNoTime(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.txt");
        Files.writeString(out, "");
        Map<String, Object> a = Files.readAttributes(out, "unix:dev,ino");
        List<String> lines = runChild(out, a.get("dev") + ":" + a.get("ino"));
        assertEquals("<6>starting", lines.get(0));
        assertEquals("<4>switch isp1 -> isp2: failover", lines.get(1));
        assertTrue(lines.get(2).startsWith("<3>control loop"), lines::toString);
        assertTrue(lines.stream().skip(2).allMatch(l -> l.startsWith("<3>")),
                "the stack trace keeps the error's priority: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("IllegalStateException: boom")), lines::toString);
    }

    @Test
    void aTerminalKeepsTheDatedFormat(@TempDir Path tmp) throws Exception {
        List<String> plain = runChild(tmp.resolve("plain.txt"), null);
        assertTrue(plain.get(1).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN switch isp1 -> isp2: failover"),
                plain::toString);
        List<String> stale = runChild(tmp.resolve("stale.txt"), "1:2");
        assertTrue(stale.get(1).contains(" WARN switch"), "JOURNAL_STREAM of another stream: " + stale);
    }

    @Test
    void everyLevelHasItsPrefix() {
        assertEquals("<3>", JournalWriter.prefix(Level.ERROR));
        assertEquals("<4>", JournalWriter.prefix(Level.WARN));
        assertEquals("<6>", JournalWriter.prefix(Level.INFO));
        assertEquals("<7>", JournalWriter.prefix(Level.DEBUG));
        assertEquals("<4>a\n<4>b\n", JournalWriter.prefixed(Level.WARN, "a\nb\n"));
    }

    private static List<String> runChild(Path out, String journalStream) throws Exception {
        if (!Files.exists(out)) {
            Files.writeString(out, "");
        }
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), Child.class.getName())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().remove("JOURNAL_STREAM");
        if (journalStream != null) {
            pb.environment().put("JOURNAL_STREAM", journalStream);
        }
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue());
        return Files.readAllLines(out);
    }
}
