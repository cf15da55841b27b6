package dualwan.config;

import java.nio.file.Path;

/**
 * A file named in the config that is read only when the daemon starts (a password, a CA certificate), with the
 * line that named it, so a problem found then is still reported as {@code file:line}.
 */
public record FileSetting(Path path, int line) {
}
