package dualwan.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real processes (sh, sleep, head): timeouts that kill, output that never blocks, a fixed locale. */
class ProcessRunnerTest {

    /** Children here sleep this long: a call that returns well before it did not wait for them. */
    private static final int HANG_SECONDS = 60;

    @TempDir
    Path dir;

    private final ProcessRunner oneSecond = new ProcessRunner(Duration.ofSeconds(1));

    @Test
    void returnsTheExitCodeAndBothStreams() throws Exception {
        CommandRunner.Result r = new ProcessRunner().run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"));
        assertEquals(new CommandRunner.Result(3, "out\n", "err\n"), r);
        assertTrue(new ProcessRunner().run(List.of("true")).ok());
    }

    @Test
    void standardInputIsEmptyUnlessInputIsGiven() throws Exception {
        assertEquals("", oneSecond.run(List.of("cat")).stdout(), "cat read /dev/null and ended");
        assertEquals("table inet x {}\n", oneSecond.run(List.of("cat"), "table inet x {}\n").stdout());
    }

    @Test
    void runsInTheCLocaleWithNoOtherLocaleVariable() throws Exception {
        String env = new ProcessRunner().run(List.of("sh", "-c",
                "echo \"$LC_ALL|${LANG-unset}|${LANGUAGE-unset}|${LC_MESSAGES-unset}\"")).stdout();
        assertEquals("C|unset|unset|unset\n", env);
    }

    @Test
    void aHangingChildWithItsOutputOpenIsKilledAtTheTimeout() throws Exception {
        Path pid = dir.resolve("pid");
        List<String> argv = List.of("sh", "-c", "echo $$ > \"$1\"; echo started; exec sleep " + HANG_SECONDS, "sh",
                pid.toString());
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> oneSecond.run(argv));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("[runner] a hanging child was killed %.2f s after its start (timeout 1 s)%n", seconds);
        assertTrue(e.getMessage().contains("sh -c echo $$") && e.getMessage().contains("did not finish within 1 s"),
                e.getMessage());
        assertTrue(seconds < HANG_SECONDS / 4.0, "returned long before the child would have: " + seconds);
        assertGone(Long.parseLong(Files.readString(pid).trim()));
    }

    @Test
    void theProcessesAHangingChildStartedAreKilledToo() throws Exception {
        Path pid = dir.resolve("grandchild");
        List<String> argv = List.of("sh", "-c", "sleep " + HANG_SECONDS + " & echo $! > \"$1\"; wait", "sh",
                pid.toString());
        IOException e = assertThrows(IOException.class, () -> oneSecond.run(argv));
        assertTrue(e.getMessage().contains("killed it and 1 process(es) it started"), e.getMessage());
        assertGone(Long.parseLong(Files.readString(pid).trim()));
    }

    @Test
    void aCommandThatExitedIsDoneThoughAProcessItLeftHoldsItsOutput() throws Exception {
        long start = System.nanoTime();
        CommandRunner.Result r = new ProcessRunner().run(List.of("sh", "-c", "sleep " + HANG_SECONDS + " & echo $!"));
        double seconds = (System.nanoTime() - start) / 1e9;
        long orphan = Long.parseLong(r.stdout().trim());
        try {
            System.out.printf("[runner] exited, output held open by a leftover: returned after %.2f s%n", seconds);
            assertEquals(0, r.exit());
            assertTrue(seconds < HANG_SECONDS / 4.0, "did not wait for the leftover: " + seconds);
        } finally {
            ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void megabytesOnBothStreamsDoNotBlock() throws Exception {
        int n = 1_500_000;
        // stderr first: a runner that read stdout to its end before stderr would wait forever here
        CommandRunner.Result r = new ProcessRunner().run(List.of("sh", "-c",
                "head -c " + n + " /dev/zero >&2; head -c " + 2 * n + " /dev/zero; head -c " + n + " /dev/zero >&2"));
        assertEquals(0, r.exit());
        assertEquals(2 * n, r.stdout().length());
        assertEquals(2 * n, r.stderr().length());
    }

    @Test
    void outputBeyondTheLimitIsAnErrorNotACutText() {
        IOException e = assertThrows(IOException.class, () -> new ProcessRunner().run(
                List.of("head", "-c", Integer.toString(ProcessRunner.OUTPUT_LIMIT + 1), "/dev/zero")));
        assertTrue(e.getMessage().contains("more than 4 MiB on stdout"), e.getMessage());
    }

    @Test
    void inputThatIsNeverReadDoesNotOutlastTheTimeout() {
        String big = "x".repeat(1 << 20); // far more than a pipe holds
        IOException e = assertThrows(IOException.class,
                () -> oneSecond.run(List.of("sleep", Integer.toString(HANG_SECONDS)), big));
        assertTrue(e.getMessage().contains("did not finish within 1 s"), e.getMessage());
    }

    @Test
    void anInterruptKillsTheChildAndKeepsTheInterruptStatus() throws Exception {
        Path pid = dir.resolve("pid");
        Thread caller = Thread.currentThread();
        Thread interrupter = Thread.ofVirtual().start(() -> {
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!Files.exists(pid) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                caller.interrupt();
            } catch (InterruptedException ignored) {
                // the test ended
            }
        });
        try {
            assertThrows(InterruptedIOException.class, () -> new ProcessRunner().run(List.of("sh", "-c",
                    "echo $$ > \"$1\"; exec sleep " + HANG_SECONDS, "sh", pid.toString())));
            assertTrue(Thread.interrupted(), "interrupt status kept (and cleared here)");
        } finally {
            interrupter.interrupt();
            Thread.interrupted();
        }
        assertGone(Long.parseLong(Files.readString(pid).trim()));
    }

    @Test
    void aProgramThatDoesNotExistIsAnIoException() {
        assertThrows(IOException.class, () -> new ProcessRunner().run(List.of(dir.resolve("no-such-tool").toString())));
    }

    /** Dead, or a zombie its (new) parent has not reaped yet: either way it runs no more. Waits at most 5 s. */
    static void assertGone(long pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (!running(pid)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("process " + pid + " still runs");
    }

    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false; // no such process
        }
    }
}
