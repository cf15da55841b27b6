package dualwan.web;

import dualwan.config.Config;
import dualwan.config.ConfigException;
import dualwan.config.WebConfig;
import dualwan.model.DaemonState;
import dualwan.model.ModeControl;
import dualwan.model.StateListener;
import dualwan.model.SwitchEvent;
import org.tinylog.Logger;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The status page, its API and the Prometheus metrics, served on {@code web.listen}.
 *
 * <p>Threads: the control loop only publishes each state into a lock-free slot and returns ({@link Handoff},
 * {@link StateListener}). The web worker takes the newest state from there, adds it to the chart's history
 * and renders the page's update once for every open page. Each connection has a virtual thread of its own, so
 * a slow or hostile client holds only its own thread and one of {@link #MAX_CONNECTIONS} places: every request
 * must arrive within 5 s, and a write that a client does not take within 10 s closes its connection
 * ({@link Limits}).
 */
public final class WebServer implements StateListener, AutoCloseable {

    /** Open connections at once, open pages included; more get a 503. */
    static final int MAX_CONNECTIONS = 32;
    /** Open pages (event streams) at once, so that a page flood still leaves room for the API and metrics. */
    static final int MAX_STREAMS = 16;
    /**
     * @param requestTime from accepting a connection to having its whole request
     * @param writeTime   how long one write may wait for the client to read before it is taken to be gone
     */
    record Limits(Duration requestTime, Duration writeTime) {
        static final Limits DEFAULT = new Limits(Duration.ofSeconds(5), Duration.ofSeconds(10));
    }
    /** After a failed bind (the LAN address not up yet at boot), the next try. */
    static final Duration BIND_RETRY = Duration.ofSeconds(5);
    /** Switches the page lists. */
    static final int SWITCHES_SHOWN = 20;

    private final WebConfig config;
    private final Limits limits;
    private final Routes routes;
    private final boolean modeChanges;
    private final Handoff<DaemonState> states = new Handoff<>();
    private final Latest<PageFeed.Frame> frames = new Latest<>();
    private final ArrayDeque<SwitchEvent> switches = new ArrayDeque<>();
    private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final RejectLog rejects = new RejectLog();
    private volatile ServerSocket server;
    private String bindError; // the last bind failure's message, touched by start() and then the timer only
    private volatile boolean closed;

    /**
     * @param password the password of {@code web.password-file} ({@link #password}); empty: read-only
     */
    public WebServer(Config config, WebConfig web, Optional<Password> password, ModeControl modes) {
        this(config, web, password, modes, Limits.DEFAULT);
    }

    WebServer(Config config, WebConfig web, Optional<Password> password, ModeControl modes, Limits limits) {
        this.config = web;
        this.limits = limits;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dualwan-web-timer");
            t.setDaemon(true);
            return t;
        });
        this.modeChanges = password.isPresent();
        this.routes = new Routes(config, password.map(p -> new Sessions(p, System::nanoTime)), modes, states);
    }

    /** Reads {@code web.password-file} when the config names one: at start, before anything else happens. */
    public static Optional<Password> password(Config config) throws ConfigException {
        Optional<dualwan.config.FileSetting> file = config.web().flatMap(WebConfig::passwordFile);
        return file.isEmpty() ? Optional.empty() : Optional.of(Password.load(config.source(), file.get()));
    }

    /** Starts the worker and binds; a failed bind is logged and tried again every {@link #BIND_RETRY}. */
    public void start() {
        Thread.ofPlatform().daemon().name("dualwan-web").start(new PageFeed(states, frames, this::recentSwitches));
        bind();
    }

    private void bind() {
        if (closed) {
            return;
        }
        ServerSocket s = null;
        try {
            s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(config.listen(), MAX_CONNECTIONS);
            server = s;
            if (closed) { // closed meanwhile, from another thread
                s.close();
                return;
            }
            ServerSocket bound = s;
            Logger.info("web: status page on http://{}:{}/ ({})", config.listen().getAddress().getHostAddress(),
                    s.getLocalPort(), modeChanges ? "mode changes with the password"
                            : "read-only: no web.password-file");
            Thread.ofPlatform().daemon().name("dualwan-web-accept").start(() -> accept(bound));
        } catch (IOException e) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // it never served
                }
            }
            if (!String.valueOf(e.getMessage()).equals(bindError)) { // once per kind of failure, not every 5 s
                Logger.warn("web: cannot listen on {}:{}: {}; trying again every {} s",
                        config.listen().getAddress().getHostAddress(), config.listen().getPort(), e.getMessage(),
                        BIND_RETRY.toSeconds());
                bindError = String.valueOf(e.getMessage());
            }
            timer.schedule(this::bind, BIND_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The address served, once bound (tests listen on port 0). */
    public Optional<InetSocketAddress> address() {
        ServerSocket s = server;
        return s == null ? Optional.empty() : Optional.of((InetSocketAddress) s.getLocalSocketAddress());
    }

    @Override
    public void stateChanged(DaemonState state) {
        states.publish(state);
    }

    @Override
    public void switched(SwitchEvent event) {
        synchronized (switches) {
            switches.addFirst(event);
            while (switches.size() > SWITCHES_SHOWN) {
                switches.removeLast();
            }
        }
    }

    private List<SwitchEvent> recentSwitches() {
        synchronized (switches) {
            return List.copyOf(switches);
        }
    }

    private void accept(ServerSocket s) {
        while (!closed) {
            Socket socket;
            try {
                socket = s.accept();
            } catch (IOException e) {
                if (!closed) {
                    Logger.warn("web: accept failed: {}", e.getMessage());
                    pause(); // out of file descriptors, say: do not spin
                }
                continue;
            }
            if (!connections.tryAcquire()) {
                rejects.log(socket, 503, "more than " + MAX_CONNECTIONS + " connections");
                refuse(socket, Http.Response.text(503, "too many connections; try again"));
                continue;
            }
            open.add(socket);
            Thread.ofVirtual().name("dualwan-web-conn").start(() -> {
                try {
                    serve(socket);
                } finally {
                    open.remove(socket);
                    closeQuietly(socket);
                    connections.release();
                }
            });
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A short answer written on the accepting thread: a fresh socket's send buffer takes it without blocking. */
    private static void refuse(Socket socket, Http.Response r) {
        try (socket) {
            Http.write(socket.getOutputStream(), r, false);
        } catch (IOException ignored) {
            // the client left
        }
    }

    private void serve(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(new Http.DeadlineInput(socket,
                    System.nanoTime() + limits.requestTime().toNanos()));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            Optional<Http.Request> request;
            try {
                request = Http.read(in);
            } catch (Http.Failure f) {
                rejects.log(socket, f.status, f.getMessage());
                guarded(socket, () -> Http.write(out, Http.Response.text(f.status, f.getMessage()), false));
                return;
            } catch (Http.Timeout t) {
                if (t.partial) {
                    rejects.log(socket, 408, t.getMessage());
                    guarded(socket, () -> Http.write(out, Http.Response.text(408, t.getMessage()), false));
                }
                return;
            }
            if (request.isEmpty()) {
                return;
            }
            Http.Request req = request.get();
            Routes.Reply reply = routes.handle(req, socket.getInetAddress().getHostAddress());
            if (reply instanceof Routes.Reply.Send send) {
                if (send.response().status() >= 400) {
                    rejects.log(socket, send.response().status(), req.method() + " " + req.path() + ": "
                            + send.response().bodyText());
                }
                guarded(socket, () -> Http.write(out, send.response(), req.method().equals("HEAD")));
            } else if (reply instanceof Routes.Reply.Stream) {
                if (!streams.tryAcquire()) {
                    rejects.log(socket, 503, "more than " + MAX_STREAMS + " open pages");
                    guarded(socket, () -> Http.write(out, Http.Response.text(503, "too many open pages"), false));
                    return;
                }
                try {
                    stream(socket, out);
                } finally {
                    streams.release();
                }
            }
        } catch (IOException e) {
            Logger.debug("web: connection from {} ended: {}", socket.getInetAddress(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stream(Socket socket, OutputStream out) throws IOException, InterruptedException {
        new PageFeed.Stream(frames, routes.pageInfo(), bytes -> guarded(socket, () -> {
            out.write(bytes);
            out.flush();
        })).run();
    }

    interface Write {
        void run() throws IOException;
    }

    /** Runs a write that closes the socket if the client has not taken it within the write time. */
    private void guarded(Socket socket, Write write) throws IOException {
        ScheduledFuture<?> watchdog = timer.schedule(() -> closeQuietly(socket), limits.writeTime().toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            write.run();
        } finally {
            watchdog.cancel(false);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** States turned into page updates so far (for tests that must not have states coalesced). */
    long pageUpdates() {
        return frames.now().map(Latest.Versioned::version).orElse(0L);
    }

    /** Connections open now (for tests). */
    int openConnections() {
        return open.size();
    }

    @Override
    public void close() {
        closed = true;
        states.close();
        frames.close();
        ServerSocket s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        open.forEach(WebServer::closeQuietly);
        timer.shutdownNow();
    }

    /** Logs refused requests, at most {@link #PER_MINUTE} a minute, so a flood cannot fill the journal. */
    static final class RejectLog {
        static final int PER_MINUTE = 20;
        private long windowStart = System.nanoTime();
        private int logged;
        private int suppressed;

        synchronized void log(Socket socket, int status, String why) {
            long now = System.nanoTime();
            if (now - windowStart >= TimeUnit.MINUTES.toNanos(1)) {
                if (suppressed > 0) {
                    Logger.warn("web: {} more refused requests not logged", suppressed);
                }
                windowStart = now;
                logged = 0;
                suppressed = 0;
            }
            if (logged++ < PER_MINUTE) {
                Logger.info("web: refused {} from {}: {}", status, socket.getInetAddress().getHostAddress(), why);
            } else {
                suppressed++;
            }
        }
    }
}
