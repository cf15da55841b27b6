package dualwan.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loader's {@code web} section: values, defaults and every error with its line. */
class WebConfigTest {

    private static final Path FILE = Path.of("/etc/dualwan/dualwan.yaml");
    private static final String WANS = """
            wans:
              - name: isp1
                interface: wan1
            """;

    private static Config parse(String web) throws ConfigException {
        return ConfigLoader.parse(FILE, WANS + web);
    }

    /** Exactly one error, at {@code line} (of the whole file: the web text starts at line 4) and {@code key}. */
    private static void single(String web, int line, String key, String words) {
        ConfigErrors.single(FILE, WANS + web, line, key, words);
    }

    @Test
    void noSectionMeansNoServer() throws Exception {
        assertEquals(Optional.empty(), parse("").web());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        WebConfig w = parse("""
                web:
                  listen: 192.168.1.1:8080
                  password-file: /etc/dualwan/web.secret
                """).web().orElseThrow();
        assertEquals(new InetSocketAddress("192.168.1.1", 8080), w.listen());
        assertEquals(Optional.of(new FileSetting(Path.of("/etc/dualwan/web.secret"), 6)), w.passwordFile());
        assertTrue(w.modeChangesAllowed());
    }

    @Test
    void withoutAPasswordThePageIsReadOnly() throws Exception {
        WebConfig w = parse("web:\n  listen: 0.0.0.0:80\n").web().orElseThrow();
        assertEquals(new InetSocketAddress("0.0.0.0", 80), w.listen());
        assertEquals(Optional.empty(), w.passwordFile());
        assertFalse(w.modeChangesAllowed());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.168.1.1|needs a port",
            "192.168.1.1:|the port must be a number between 1 and 65535, found ''",
            "192.168.1.1:0|the port must be a number between 1 and 65535, found '0'",
            "192.168.1.1:65536|found '65536'",
            "192.168.1.1:080|found '080'",
            "192.168.1.1:http|found 'http'",
            "router.lan:8080|looks like a host name",
            "[::1]:8080|IPv6 is not supported",
            "192.168.1.256:8080|each of the four parts must be a number 0-255",
            ":8080|is not an IPv4 address",
    })
    void badListenAddressesAreLocated(String listen, String words) {
        single("web:\n  listen: '" + listen + "'\n", 5, "web.listen", words);
    }

    @Test
    void listenIsRequired() {
        single("web:\n  password-file: /etc/dualwan/web.secret\n", 5, "web.listen", "missing");
    }

    @Test
    void theSectionMustBeAMap() {
        single("web: 192.168.1.1:8080\n", 4, "web", "expected a map");
        single("web:\n", 4, "web", "has no value");
    }

    @Test
    void unknownKeysListTheAllowedOnes() {
        single("web:\n  listen: 127.0.0.1:8080\n  password: hunter2\n", 6, "web.password",
                "allowed keys here: listen, password-file");
    }

    @Test
    void thePasswordFileMustBeAbsolute() {
        single("web:\n  listen: 127.0.0.1:8080\n  password-file: web.secret\n", 6, "web.password-file",
                "must be an absolute file path");
        single("web:\n  listen: 127.0.0.1:8080\n  password-file: [a]\n", 6, "web.password-file",
                "expected an absolute file path");
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> parse("""
                web:
                  listen: 1.2.3.4
                  password-file: relative
                """)).errors();
        assertEquals(List.of(5, 6), errors.stream().map(ConfigError::line).toList(), errors::toString);
    }
}
