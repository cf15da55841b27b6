package dualwan.engine;

/** A line for the log: the engine writes none itself, the daemon does. */
public record Note(Level level, String text) {
    public enum Level { INFO, WARN }
}
