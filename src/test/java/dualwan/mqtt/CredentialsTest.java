package dualwan.mqtt;

import dualwan.config.ConfigError;
import dualwan.config.ConfigException;
import dualwan.config.MqttConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the password and CA files at start: their errors name the config line. */
class CredentialsTest {

    private static final Path SOURCE = Path.of("/etc/dualwan/dualwan.yaml");

    @TempDir
    Path dir;

    private static MqttConfig config(String broker, Optional<Path> password, Optional<Path> ca) {
        return MqttFixtures.mqtt(broker, "dualwan/t", "dualwan-t", Duration.ofSeconds(30), Optional.of("u"), password, ca);
    }

    private static ConfigError single(MqttConfig c, String words) {
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> Credentials.load(SOURCE, c)).errors();
        assertEquals(1, errors.size(), errors::toString);
        ConfigError e = errors.getFirst();
        assertTrue(e.toString().startsWith(SOURCE + ":1: mqtt."), e::toString);
        assertTrue(e.message().contains(words), () -> "'" + e.message() + "' lacks '" + words + "'");
        return e;
    }

    @Test
    void thePasswordIsTheFirstLineWithoutItsNewline() throws Exception {
        Path f = Files.writeString(dir.resolve("secret"), "pä ss:word\n");
        Credentials c = Credentials.load(SOURCE, config("tcp://b", Optional.of(f), Optional.empty()));
        assertArrayEquals("pä ss:word".toCharArray(), c.password().orElseThrow());
        Files.writeString(f, "crlf\r\n");
        assertArrayEquals("crlf".toCharArray(), Credentials.load(SOURCE, config("tcp://b", Optional.of(f),
                Optional.empty())).password().orElseThrow());
        assertEquals(Optional.empty(), c.tls());
    }

    @Test
    void aMissingOrUnusablePasswordFileIsAnError() throws Exception {
        Path missing = dir.resolve("missing");
        assertEquals("mqtt.password-file", single(config("tcp://b", Optional.of(missing), Optional.empty()),
                "cannot read " + missing + ": no such file").key());
        single(config("tcp://b", Optional.of(dir), Optional.empty()), "cannot read " + dir);
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        single(config("tcp://b", Optional.of(empty), Optional.empty()), "is empty");
        Path two = Files.writeString(dir.resolve("two"), "a\nb\n");
        single(config("tcp://b", Optional.of(two), Optional.empty()), "more than one line");
        Path binary = Files.write(dir.resolve("bin"), new byte[]{(byte) 0xff, (byte) 0xfe});
        single(config("tcp://b", Optional.of(binary), Optional.empty()), "not UTF-8");
        Path huge = Files.writeString(dir.resolve("huge"), "x".repeat(Credentials.MAX_PASSWORD_BYTES + 1));
        single(config("tcp://b", Optional.of(huge), Optional.empty()), "larger than");
    }

    @Test
    void aCaFileMustHoldAPemCertificate() throws Exception {
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "hello\n");
        assertEquals("mqtt.ca-file", single(config("ssl://b", Optional.empty(), Optional.of(notPem)),
                "is not a usable PEM certificate").key());
        single(config("ssl://b", Optional.empty(), Optional.of(dir.resolve("none.pem"))), "no such file");
    }

    @Test
    void tlsWithoutACaFileTrustsTheJvmDefaults() throws Exception {
        assertTrue(Credentials.load(SOURCE, config("ssl://b", Optional.empty(), Optional.empty())).tls().isPresent());
    }
}
