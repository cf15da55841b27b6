package dualwan.control;

import dualwan.FakeKernel;
import dualwan.app.Daemon;
import dualwan.config.Config;
import dualwan.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dualwan mode} against a real daemon (fake kernel, every probe answered) through its control socket. */
class ControlSocketTest {

    @TempDir
    Path dir;
    private Daemon daemon;
    private Optional<ControlSocket> socket = Optional.empty();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Config start() throws Exception {
        Path file = dir.resolve("dualwan.yaml");
        Files.writeString(file, """
                wans:
                  - name: isp1
                    interface: wan1
                    gateway: 100.64.1.1
                    check: {hosts: [192.0.2.1, 198.51.100.1]}
                  - name: isp2
                    interface: wan2
                    gateway: 100.64.2.1
                    check: {hosts: [192.0.2.2, 198.51.100.2]}
                state-file: %s
                """.formatted(dir.resolve("run/state.json")));
        Config config = ConfigLoader.load(file);
        daemon = new Daemon(config, new FakeKernel(), FakeKernel::answering, Clock.systemUTC());
        daemon.start();
        socket = ControlSocket.open(ControlSocket.path(config), daemon::setMode);
        waitFor(s -> "isp1".equals(s.get("active")), "isp1 active");
        return config;
    }

    @AfterEach
    void stop() {
        socket.ifPresent(ControlSocket::close);
        if (daemon != null) {
            daemon.close();
        }
    }

    private int mode(Config config, String... args) {
        out.reset();
        err.reset();
        return ModeCommand.run(config, List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Map<String, Object> waitFor(Predicate<Map<String, Object>> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Map<String, Object> s = daemon.state().get(2, TimeUnit.SECONDS);
        while (!condition.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = daemon.state().get(2, TimeUnit.SECONDS);
        }
        assertTrue(condition.test(s), () -> "not reached within 10 s: " + what);
        return s;
    }

    private Object daemonMode() throws Exception {
        return daemon.state().get(2, TimeUnit.SECONDS).get("mode");
    }

    @Test
    void modeChangesTheRunningDaemonAndPrintsTheDecision() throws Exception {
        Config config = start();
        Path path = ControlSocket.path(config);
        assertEquals(dir.resolve("run/control.sock"), path);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));

        assertEquals(0, mode(config, "isp2", "--config", "x.yaml"), err::toString);
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("mode isp2: active isp2 ("), out::toString);
        Map<String, Object> s = daemon.state().get(2, TimeUnit.SECONDS);
        assertEquals("isp2", s.get("mode"));
        assertEquals("isp2", s.get("active"));

        assertEquals(0, mode(config, "--config", "x.yaml", "auto"), err::toString);
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("mode auto: active "), out::toString);
        assertEquals("auto", daemonMode());
    }

    @Test
    void aBadUplinkNameExitsTwoAndChangesNothing() throws Exception {
        Config config = start();
        assertEquals(2, mode(config, "isp3", "--config", "x.yaml"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no uplink named isp3"), err::toString);
        assertEquals(2, mode(config, "isp1", "isp2"));
        assertEquals("auto", daemonMode());

        // the daemon checks too, whatever a client sends
        Path path = ControlSocket.path(config);
        Map<String, Object> refused = ModeCommand.ask(path, "mode isp9");
        assertEquals(false, refused.get("ok"));
        assertEquals("no uplink named isp9", refused.get("error"));
        assertEquals(false, ModeCommand.ask(path, "mode isp1; reboot").get("ok"));
        assertEquals(false, ModeCommand.ask(path, "x".repeat(1000)).get("ok"));
        assertEquals("auto", daemonMode());
        assertEquals("isp1", daemon.state().get(2, TimeUnit.SECONDS).get("active"));
    }

    @Test
    void withoutADaemonItSaysSoAndAStaleSocketIsReplaced() throws Exception {
        Config config = start();
        Path path = ControlSocket.path(config);
        socket.get().close();
        assertFalse(Files.exists(path), "a clean stop removes the socket");
        assertEquals(1, mode(config, "isp2", "--config", "x.yaml"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is the daemon running?"), err::toString);

        // a socket file left by a daemon that died: nobody answers, so the next daemon takes the path over
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path));
        socket = ControlSocket.open(path, daemon::setMode);
        assertTrue(socket.isPresent());
        assertEquals(0, mode(config, "isp2", "--config", "x.yaml"), err::toString);
        assertEquals("isp2", daemonMode());
        // while it runs, a second daemon does not steal the socket
        assertEquals(Optional.empty(), ControlSocket.open(path, m -> { throw new AssertionError(); }));
        assertEquals(0, mode(config, "auto", "--config", "x.yaml"), err::toString);
    }
}
