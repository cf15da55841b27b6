package dualwan.app;

import dualwan.linux.FakeTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI with an mqtt section: config errors located, the password file checked when the daemon starts. */
class MainMqttTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private AutoCloseable toolPath;

    /** Tools as on Debian 12, so the preflight passes whatever this machine has installed. */
    @BeforeEach
    void fakeTools() throws Exception {
        toolPath = FakeTools.use(FakeTools.write(dir.resolve("tools"), FakeTools.DEBIAN_12));
    }

    @AfterEach
    void restoreToolPath() throws Exception {
        toolPath.close();
    }

    private int run(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path config(String mqtt) throws Exception {
        return Files.writeString(dir.resolve("dualwan.yaml"), """
                wans:
                  - name: isp1
                    interface: wan1
                state-file: %s
                mqtt:
                %s""".formatted(dir.resolve("state.json"), mqtt.indent(2)));
    }

    @Test
    void checkLocatesBadMqttSettings() throws Exception {
        Path file = config("broker: mqtt://broker.lan\n");
        assertEquals(2, run("check", "--config", file.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(file + ":6: mqtt.broker: the scheme must be tcp:// or"
                + " ssl://, found 'mqtt://broker.lan'"), err::toString);
        err.reset();
        config("broker: tcp://broker.lan\nca-file: /etc/ca.pem\n");
        assertEquals(2, run("check", "--config", file.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(file + ":7: mqtt.ca-file: is only used for TLS"),
                err::toString);
    }

    @Test
    void checkWarnsOfAnUnreadablePasswordFileAndRunRefusesToStart() throws Exception {
        Path secret = dir.resolve("mqtt.secret");
        Path file = config("broker: tcp://127.0.0.1:1\nusername: u\npassword-file: " + secret + "\n");
        assertEquals(0, run("check", "--config", file.toString()));
        String where = file + ":8: mqtt.password-file: cannot read " + secret + ": no such file";
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("warning: " + where), err::toString);

        err.reset();
        assertEquals(2, run("run", "--config", file.toString()));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains(where) && e.contains("nothing was changed"), e);
        assertTrue(Files.notExists(dir.resolve("state.json")), "the daemon did not start");
    }
}
