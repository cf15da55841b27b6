package dualwan.control;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.config.Config;
import dualwan.model.ModeControl;
import dualwan.model.ModeResult;
import dualwan.model.Mode;
import org.tinylog.Logger;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The daemon's control socket: a unix-domain socket beside the state file, readable and writable by the daemon's
 * user only (root can always connect). One request per connection, one line each way:
 * {@code mode auto|<uplink>} in, a JSON object out ({@code ok}, {@code mode}, {@code active}, {@code reason}, or
 * {@code error}). Every change goes through the daemon's mode API, like the panel button's.
 */
public final class ControlSocket implements AutoCloseable {

    /** Longest request line accepted. */
    static final int MAX_REQUEST = 128;
    /** Connections served at once; more are closed at once. */
    static final int MAX_CLIENTS = 4;
    /** How long a client may take to send its line, and the daemon to answer. */
    static final long TIMEOUT_MS = 5000;
    private static final Pattern REQUEST = Pattern.compile("mode ([A-Za-z0-9_-]{1,32})");

    private final Path path;
    private final ServerSocketChannel server;
    private final ModeControl modes;
    private final Semaphore clients = new Semaphore(MAX_CLIENTS);
    private volatile boolean closed;

    private ControlSocket(Path path, ServerSocketChannel server, ModeControl modes) {
        this.path = path;
        this.server = server;
        this.modes = modes;
    }

    /** Where the control socket of a daemon with this config lives. */
    public static Path path(Config config) {
        return config.stateFile().toAbsolutePath().resolveSibling("control.sock");
    }

    /**
     * Listens at {@code path}, or returns empty after a warning (another daemon listens there, or the socket
     * cannot be made): the daemon runs on without a control socket.
     */
    public static Optional<ControlSocket> open(Path path, ModeControl modes) {
        try {
            if (Files.exists(path)) {
                if (answers(path)) {
                    Logger.warn("{}: another dualwan answers there; no control socket for this one", path);
                    return Optional.empty();
                }
                Files.delete(path); // left by a daemon that died
            }
            Files.createDirectories(path.getParent());
            // Bound under a temporary name, made owner-only, then renamed: never connectable by others.
            Path tmp = path.resolveSibling(".control-" + ProcessHandle.current().pid() + ".sock");
            Files.deleteIfExists(tmp);
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(tmp));
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                server.close();
                Files.deleteIfExists(tmp);
                throw e;
            }
            ControlSocket socket = new ControlSocket(path, server, modes);
            Thread.ofPlatform().name("dualwan-control-socket").daemon().start(socket::acceptLoop);
            Logger.info("control socket {}", path);
            return Optional.of(socket);
        } catch (IOException | RuntimeException e) {
            Logger.warn("{}: no control socket: {}", path, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Logger.warn("{}: {}", path, e.getMessage());
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    Logger.warn("control socket: {}", e.getMessage());
                }
                return;
            }
            if (!clients.tryAcquire()) {
                close(client);
                continue;
            }
            Thread.ofVirtual().start(() -> {
                try {
                    serve(client);
                } finally {
                    close(client);
                    clients.release();
                }
            });
        }
    }

    private void serve(SocketChannel client) {
        // A client that connects and says nothing is cut off (the daemon's own answer has TIMEOUT_MS).
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(2 * TIMEOUT_MS);
                close(client);
            } catch (InterruptedException e) {
                // answered in time
            }
        });
        try {
            Optional<String> line = readLine(client);
            Map<String, Object> answer = line.map(this::answer)
                    .orElseGet(() -> error("expected one line: mode auto|<uplink>"));
            client.write(ByteBuffer.wrap((JSON.std.asString(answer) + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            Logger.debug("control socket client: {}", e.getMessage());
        } finally {
            watchdog.interrupt();
        }
    }

    /** The request line, or empty if it is too long or the client stops before a newline. */
    private static Optional<String> readLine(SocketChannel client) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_REQUEST + 1);
        while (buf.hasRemaining()) {
            if (client.read(buf) < 0) {
                break;
            }
            for (int i = 0; i < buf.position(); i++) {
                if (buf.get(i) == '\n') {
                    return Optional.of(new String(buf.array(), 0, i, StandardCharsets.UTF_8).strip());
                }
            }
        }
        return Optional.empty();
    }

    private Map<String, Object> answer(String line) {
        var m = REQUEST.matcher(line);
        if (!m.matches()) {
            Logger.warn("control socket: refused request {}", line.length() > 60 ? line.substring(0, 60) + "…" : line);
            return error("expected: mode auto|<uplink>");
        }
        Mode mode = Mode.parse(m.group(1));
        try {
            ModeResult d = modes.setMode(mode).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Logger.info("control socket: mode {} (active {})", mode, d.active().orElse("none"));
            Map<String, Object> ok = new LinkedHashMap<>();
            ok.put("ok", true);
            ok.put("mode", mode.toString());
            ok.put("active", d.active().orElse(null));
            ok.put("reason", d.reason());
            return ok;
        } catch (ExecutionException e) {
            Logger.warn("control socket: mode {} refused: {}", mode, e.getCause().getMessage());
            return error(e.getCause().getMessage());
        } catch (TimeoutException e) {
            return error("the daemon did not answer within " + TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error("interrupted");
        }
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", false);
        m.put("error", message);
        return m;
    }

    /** Whether something accepts connections at {@code path}. */
    static boolean answers(Path path) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void close(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
