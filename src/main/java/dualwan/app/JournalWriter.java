package dualwan.app;

import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.core.LogEntryValue;
import org.tinylog.writers.AbstractFormatPatternWriter;

import java.io.PrintStream;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;

/**
 * A tinylog writer for stdout connected to the journal ({@code $JOURNAL_STREAM}): every line starts with its
 * sd-daemon(3) priority, {@code <3>} error … {@code <7>} debug, so {@code journalctl -p warning} shows exactly
 * the warnings and errors. The journal stamps each line itself, so the format carries no time. A stack
 * trace's lines get the priority of their entry, not the stream's default.
 */
public final class JournalWriter extends AbstractFormatPatternWriter {

    private final PrintStream out = System.out;

    public JournalWriter(Map<String, String> properties) {
        super(properties);
    }

    /** The sd-daemon prefix for a tinylog level. */
    static String prefix(Level level) {
        return switch (level) {
            case ERROR -> "<3>";
            case WARN -> "<4>";
            case INFO -> "<6>";
            case DEBUG, TRACE, OFF -> "<7>";
        };
    }

    /** The rendered entry with the prefix before each of its lines. */
    static String prefixed(Level level, String rendered) {
        String p = prefix(level);
        StringBuilder b = new StringBuilder(rendered.length() + 8);
        for (String line : rendered.split("\\R", -1)) {
            if (!line.isEmpty()) {
                b.append(p).append(line).append('\n');
            }
        }
        return b.toString();
    }

    @Override
    public Collection<LogEntryValue> getRequiredLogEntryValues() {
        Collection<LogEntryValue> values = EnumSet.noneOf(LogEntryValue.class);
        values.addAll(super.getRequiredLogEntryValues());
        values.add(LogEntryValue.LEVEL);
        return values;
    }

    @Override
    public void write(LogEntry entry) {
        String text = prefixed(entry.getLevel(), render(entry));
        synchronized (out) {
            out.print(text);
            out.flush();
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
