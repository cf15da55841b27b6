package dualwan.config;

import java.nio.file.Path;

/**
 * One problem in a config file, located for the user.
 *
 * @param file    the file
 * @param line    1-based line, or 0 when the file as a whole is at fault
 * @param key     dotted key path such as {@code wans[1].check.min-up}, or "" for the whole file
 * @param message what is wrong, in words a user can act on
 */
public record ConfigError(Path file, int line, String key, String message) {

    @Override
    public String toString() {
        String where = line > 0 ? file + ":" + line : file.toString();
        return key.isEmpty() ? where + ": " + message : where + ": " + key + ": " + message;
    }
}
