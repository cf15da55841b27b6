package dualwan.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SdNotify against a real AF_UNIX datagram socket, bound by a python3 process playing systemd's part. */
class SdNotifyTest {

    /** Binds ADDRESS (a path, or @name for an abstract one), prints "bound", then each datagram on a line. */
    private static final String RECEIVER = """
            import socket, sys
            name = sys.argv[1]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind('\\0' + name[1:] if name.startswith('@') else name)
            s.settimeout(10)
            print('bound', flush=True)
            for _ in range(int(sys.argv[2])):
                print(s.recv(4096).decode('utf-8').replace('\\n', '\\\\n'), flush=True)
            """;

    @Test
    void sendsReadyWatchdogStatusAndStoppingToASocketPath(@TempDir Path tmp) throws Exception {
        assertEquals(List.of("READY=1", "STATUS=active isp1 (isp2 down)", "WATCHDOG=1", "STOPPING=1"),
                receive(tmp.resolve("notify").toString(), 4, n -> {
                    assertTrue(n.ready());
                    assertTrue(n.status("active isp1\n(isp2 down)"));
                    assertTrue(n.watchdog());
                    assertTrue(n.stopping());
                }));
    }

    @Test
    void sendsToAnAbstractSocket() throws Exception {
        String name = "@dualwan-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        assertEquals(List.of("READY=1"), receive(name, 1, n -> assertTrue(n.ready())));
    }

    @Test
    void aSocketNobodyListensOnFailsWithoutThrowing(@TempDir Path tmp) {
        SdNotify n = SdNotify.from(Map.of("NOTIFY_SOCKET", tmp.resolve("absent").toString()), 1).orElseThrow();
        assertFalse(n.ready());
        assertFalse(n.watchdog());
    }

    @Test
    void outsideSystemdThereIsNoNotifier() {
        assertTrue(SdNotify.from(Map.of(), 1).isEmpty());
        assertTrue(SdNotify.from(Map.of("NOTIFY_SOCKET", ""), 1).isEmpty());
        assertTrue(SdNotify.from(Map.of("NOTIFY_SOCKET", "relative/path"), 1).isEmpty(), "neither / nor @");
        assertTrue(SdNotify.from(Map.of("NOTIFY_SOCKET", "/" + "x".repeat(107)), 1).isEmpty(), "too long");
        assertTrue(SdNotify.from(Map.of("NOTIFY_SOCKET", "@"), 1).isEmpty(), "empty abstract name");
    }

    @Test
    void watchdogIntervalHonoursWatchdogPid() {
        Map<String, String> env = Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "20000000");
        assertEquals(Optional.of(Duration.ofSeconds(20)), SdNotify.from(env, 42).orElseThrow().watchdogInterval());
        Map<String, String> ours = Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "1500000",
                "WATCHDOG_PID", "42");
        assertEquals(Optional.of(Duration.ofMillis(1500)), SdNotify.from(ours, 42).orElseThrow().watchdogInterval());
        assertTrue(SdNotify.from(ours, 43).orElseThrow().watchdogInterval().isEmpty(), "meant for another pid");
        assertTrue(SdNotify.from(Map.of("NOTIFY_SOCKET", "/x", "WATCHDOG_USEC", "soon"), 1).orElseThrow()
                .watchdogInterval().isEmpty());
        assertTrue(SdNotify.from(Map.of("NOTIFY_SOCKET", "/x"), 1).orElseThrow().watchdogInterval().isEmpty());
    }

    interface Sends {
        void to(SdNotify notify) throws Exception;
    }

    private static List<String> receive(String address, int count, Sends sends) throws Exception {
        assumeTrue(onPath("python3"), "python3 is needed to bind the receiving socket");
        Process p = new ProcessBuilder("python3", "-c", RECEIVER, address, Integer.toString(count))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("bound", out.readLine(), "receiver did not bind " + address);
            sends.to(SdNotify.from(Map.of("NOTIFY_SOCKET", address), ProcessHandle.current().pid()).orElseThrow());
            List<String> got = new ArrayList<>();
            for (String line; got.size() < count && (line = out.readLine()) != null; ) {
                got.add(line);
            }
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "receiver did not finish");
            return got;
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
