package dualwan.config;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The assertion every config test makes about bad input: exactly one error, located, saying what is wrong. */
final class ConfigErrors {

    private ConfigErrors() {
    }

    /** Asserts exactly one error, at {@code line} and {@code key}, whose message contains {@code words}. */
    static ConfigError single(Path file, String yaml, int line, String key, String words) {
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> ConfigLoader.parse(file, yaml)).errors();
        assertEquals(1, errors.size(), () -> "expected one error, got " + errors);
        ConfigError e = errors.getFirst();
        assertEquals(file, e.file());
        assertEquals(line, e.line(), e::toString);
        assertEquals(key, e.key(), e::toString);
        assertTrue(e.message().contains(words), () -> "message '" + e.message() + "' lacks '" + words + "'");
        return e;
    }
}
