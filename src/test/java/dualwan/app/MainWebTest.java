package dualwan.app;

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

/** The CLI with a web section: config errors located, the password file checked when the daemon starts. */
class MainWebTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private AutoCloseable toolPath;

    /** Tools as on Debian 12, so the preflight passes whatever this machine has installed. */
    @org.junit.jupiter.api.BeforeEach
    void fakeTools() throws Exception {
        toolPath = dualwan.linux.FakeTools.use(dualwan.linux.FakeTools.write(dir.resolve("tools"),
                dualwan.linux.FakeTools.DEBIAN_12));
    }

    @org.junit.jupiter.api.AfterEach
    void restoreToolPath() throws Exception {
        toolPath.close();
    }

    private int run(String... args) {
        return Main.run(List.of(args), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path config(String web) throws Exception {
        return Files.writeString(dir.resolve("dualwan.yaml"), """
                wans:
                  - name: isp1
                    interface: wan1
                state-file: %s
                web:
                %s""".formatted(dir.resolve("state.json"), web.indent(2)));
    }

    @Test
    void checkLocatesABadListenAddress() throws Exception {
        Path file = config("listen: router.lan:8080\n");
        assertEquals(2, run("check", "--config", file.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(file + ":6: web.listen: 'router.lan' looks like a"
                + " host name"), err::toString);
    }

    @Test
    void checkWarnsOfAnUnusablePasswordFileAndRunRefusesToStart() throws Exception {
        Path secret = dir.resolve("web.secret");
        Path file = config("listen: 127.0.0.1:8080\npassword-file: " + secret + "\n");
        assertEquals(0, run("check", "--config", file.toString()));
        String missing = file + ":7: web.password-file: cannot read " + secret + ": no such file";
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("warning: " + missing), err::toString);

        err.reset();
        assertEquals(2, run("run", "--config", file.toString()));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains(missing) && e.contains("nothing was changed"), e);

        err.reset();
        Files.writeString(secret, "one\ntwo\n");
        assertEquals(2, run("run", "--config", file.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(file + ":7: web.password-file: " + secret
                + " has more than one line"), err::toString);
        assertTrue(Files.notExists(dir.resolve("state.json")), "the daemon did not start");
    }
}
