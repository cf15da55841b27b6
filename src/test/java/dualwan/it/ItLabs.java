package dualwan.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.lab.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Lab lifecycle and traffic helpers shared by the integration tests. */
final class ItLabs {
    private ItLabs() {}

    /** Tears the lab down and asserts none of its namespaces is left. */
    static void close(Lab lab) {
        if (lab == null) {
            return;
        }
        lab.close();
        String list;
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            list = new String(p.getInputStream().readAllBytes());
            p.waitFor();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertFalse(list.contains(lab.prefix() + "-"), "namespaces left behind:\n" + list);
    }

    /** Starts a UDP sink on 203.0.113.100:9000 in inet and waits (bounded) until it listens. */
    static Process startSink(Lab lab, Path dir, Path sinkLog) throws IOException, InterruptedException {
        return startSink(lab, dir, sinkLog, 9000, 60);
    }

    /** A UDP sink on 203.0.113.100:PORT that stops by itself after maxSeconds. */
    static Process startSink(Lab lab, Path dir, Path sinkLog, int port, int maxSeconds)
            throws IOException, InterruptedException {
        Path out = dir.resolve("sink-" + port + ".out");
        Files.writeString(out, "");
        Process sink = lab.spawn("inet", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab), "dualwan.labtools.UdpSink",
                "--bind", "203.0.113.100:" + port, "--out", sinkLog.toString(), "--max-seconds",
                Integer.toString(maxSeconds)), out);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!Files.readString(out).contains("listening") && System.nanoTime() < deadline) {
            assertTrue(sink.isAlive(), () -> "sink died: " + read(out));
            Thread.sleep(100);
        }
        assertTrue(Files.readString(out).contains("listening"), () -> "sink did not start: " + read(out));
        return sink;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
