package dualwan.mqtt;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker for tests, on a free loopback port, configured by a file in the test's own directory,
 * without persistence (a restart forgets retained messages, as a broker that lost its disk would). Killed on
 * {@link #close()}.
 */
final class Mosquitto implements AutoCloseable {

    private static final List<String> PLACES = List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto",
            "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto");

    private final Path dir;
    private final String settings;
    private final Path log;
    private int port;
    private Process process;

    private Mosquitto(Path dir, String settings) {
        this.dir = dir;
        this.settings = settings;
        this.log = dir.resolve("mosquitto.log");
    }

    static Optional<Path> binary() {
        return PLACES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /** Skips the calling test, saying why, on a machine without Mosquitto (CI installs it). */
    static void assumeInstalled() {
        Assumptions.assumeTrue(binary().isPresent(), "mosquitto is not installed (apt-get install mosquitto):"
                + " skipping the tests against a real broker");
    }

    /** Anonymous, plain TCP. */
    static Mosquitto start(Path dir) throws IOException, InterruptedException {
        return start(dir, "allow_anonymous true\n");
    }

    /** {@code settings}: global settings and those of the one listener (which this class adds). */
    static Mosquitto start(Path dir, String settings) throws IOException, InterruptedException {
        Mosquitto m = new Mosquitto(dir, settings);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // the free port we picked may be taken meanwhile
            m.port = freePort();
            try {
                m.launch();
                return m;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /** A broker not started yet, on a port that is free now: "the broker is absent at start". */
    static Mosquitto notStarted(Path dir) throws IOException {
        Mosquitto m = new Mosquitto(dir, "allow_anonymous true\n");
        m.port = freePort();
        return m;
    }

    void start() throws IOException, InterruptedException {
        launch();
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** SIGKILL, as a crash or a power cut of the broker. */
    void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts again on the same port (after {@link #kill}). */
    void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        kill();
    }

    private void launch() throws IOException, InterruptedException {
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "per_listener_settings false\n"
                + "persistence false\n"
                + "user " + System.getProperty("user.name") + "\n" // as root: do not switch to a user that cannot read our files
                + "log_dest file " + log + "\n" // flushed per line, unlike stdout into a file
                + "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
                + "listener " + port + " 127.0.0.1\n"
                + settings);
        process = new ProcessBuilder(binary().orElseThrow().toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.out").toFile()))
                .start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited with " + process.exitValue() + ":\n" + log()
                        + Files.readString(dir.resolve("mosquitto.out")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        kill();
        throw new IOException("mosquitto did not listen on port " + port + " within 10 s:\n" + log());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
