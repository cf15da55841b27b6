package dualwan.web;

import dualwan.model.StateJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server over real loopback sockets: what each path answers, and clean errors for bad requests. */
class WebServerTest {

    private final Servers.Modes modes = new Servers.Modes();
    private WebServer server;
    private InetSocketAddress at;

    private void start(Optional<String> password) {
        server = Servers.start(password, modes);
        at = Servers.address(server);
        server.stateChanged(States.healthy("isp1", States.T0));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void thePageComesWithItsScriptAndStyleAndAStrictPolicy() throws IOException {
        start(Optional.empty());
        RawHttp.Response page = RawHttp.get(at, "/");
        assertEquals(200, page.status());
        assertTrue(page.header("content-type").startsWith("text/html"));
        assertTrue(page.body().contains("id=\"active\""), page.body());
        assertTrue(page.header("content-security-policy").contains("script-src 'self'"));
        assertEquals("DENY", page.header("x-frame-options"));
        assertEquals(200, RawHttp.get(at, "/page.js").status());
        assertEquals(200, RawHttp.get(at, "/page.css").status());
        RawHttp.Response head = RawHttp.send(at, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, head.status());
        assertEquals("", head.body());
        assertEquals(page.header("content-length"), head.header("content-length"));
    }

    @Test
    void apiStateIsTheStateFilesJson() throws IOException {
        start(Optional.empty());
        RawHttp.Response r = RawHttp.get(at, "/api/state");
        assertEquals(200, r.status());
        assertEquals("application/json", r.header("content-type"));
        assertEquals(StateJson.pretty(States.healthy("isp1", States.T0)), r.body());
    }

    @Test
    void beforeTheFirstStateTheApiSaysSo() throws IOException {
        server = Servers.start(Optional.empty(), modes);
        at = Servers.address(server);
        assertEquals(503, RawHttp.get(at, "/api/state").status());
        assertEquals(503, RawHttp.get(at, "/metrics").status());
        assertEquals(200, RawHttp.get(at, "/").status());
    }

    @Test
    void unknownPathsAndWrongMethodsGetCleanErrors() throws IOException {
        start(Optional.empty());
        RawHttp.Response missing = RawHttp.get(at, "/admin");
        assertEquals(404, missing.status());
        assertEquals("no such page: /admin\n", missing.body());
        RawHttp.Response post = RawHttp.post(at, "/metrics", "{}", "");
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.header("allow"));
        RawHttp.Response get = RawHttp.get(at, "/api/mode");
        assertEquals(405, get.status());
        assertEquals("POST", get.header("allow"));
        assertEquals(405, RawHttp.send(at, "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n").status());
        assertEquals(List.of(), modes.asked);
    }

    @Test
    void malformedRequestsGet400Or505() throws IOException {
        start(Optional.empty());
        assertEquals(400, RawHttp.send(at, "GET /\r\n\r\n").status());
        assertEquals(400, RawHttp.send(at, "get / HTTP/1.1\r\nHost: x\r\n\r\n").status());
        assertEquals(400, RawHttp.send(at, "GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n").status());
        assertEquals(400, RawHttp.send(at, "GET / HTTP/1.1\r\n\r\n").status(), "HTTP/1.1 needs a Host");
        assertEquals(400, RawHttp.send(at, "GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n").status());
        assertEquals(400, RawHttp.send(at, "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n").status());
        assertEquals(400, RawHttp.send(at, "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n").status());
        assertEquals(505, RawHttp.send(at, "GET / HTTP/2.0\r\nHost: x\r\n\r\n").status());
        assertEquals(200, RawHttp.send(at, "\r\nGET / HTTP/1.0\n\n").status(), "bare LF and a leading CRLF are fine");
    }

    @Test
    void oversizeRequestsAreRefusedWithoutReadingThem() throws IOException {
        start(Optional.empty());
        String big = "x".repeat(Http.MAX_HEAD_BYTES);
        assertEquals(431, RawHttp.send(at, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n").status());
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < Http.MAX_HEADERS; i++) {
            many.append("X-").append(i).append(": 1\r\n");
        }
        assertEquals(431, RawHttp.send(at, many + "\r\n").status());
        assertEquals(414, RawHttp.get(at, "/" + "a".repeat(Http.MAX_TARGET)).status());
        // The body is refused on its announced length: the server does not wait for 5000 bytes.
        assertEquals(413, RawHttp.send(at, "POST /api/mode HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
                .status());
        assertEquals(413, RawHttp.send(at, "POST /api/mode HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n")
                .status());
        assertEquals(400, RawHttp.send(at, "POST /api/mode HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
                .status());
        assertEquals(501, RawHttp.send(at, "POST /api/mode HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n").status());
        assertEquals(List.of(), modes.asked);
    }

    @Test
    void aSlowlorisClientGets408AtTheDeadlineAndItsPlaceBack() throws Exception {
        start(Optional.empty());
        try (Socket s = RawHttp.open(at)) {
            OutputStream out = s.getOutputStream();
            long start = System.nanoTime();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            // One header byte every 300 ms: each arrives well within any per-read timeout, the whole never.
            InputStream in = s.getInputStream();
            int dribbled = 0;
            for (int i = 0; i < 30 && in.available() == 0; i++) {
                try {
                    dribbled++;
                    out.write('X');
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(300);
            }
            RawHttp.Response r = RawHttp.read(in);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("[web] slowloris: " + r.status() + " after " + ms + " ms (request deadline 2000 ms)");
            assertEquals(408, r.status());
            // An ordering, not a clock threshold: the answer came while the client was still dribbling (30 bytes
            // at 300 ms would take 9 s), so the deadline counts from the request's start, not from the last read.
            assertTrue(dribbled < 30, "the deadline is for the whole request: 408 only after all " + dribbled
                    + " bytes (" + ms + " ms)");
        }
        // A connection that sends nothing is closed silently at the deadline.
        try (Socket s = RawHttp.open(at)) {
            assertEquals(-1, RawHttp.read(s.getInputStream()).status());
        }
        assertEquals(200, RawHttp.get(at, "/api/state").status());
    }

    @Test
    void connectionsAreBoundedAndComeBackWhenClientsLeave() throws Exception {
        // Requests may take 30 s here, so the idle connections are not timed out while the test counts them.
        server = Servers.start(Optional.empty(), modes, new WebServer.Limits(Duration.ofSeconds(30),
                Duration.ofSeconds(2)));
        at = Servers.address(server);
        server.stateChanged(States.healthy("isp1", States.T0));
        List<Socket> hogs = new ArrayList<>();
        try {
            for (int i = 0; i < WebServer.MAX_CONNECTIONS; i++) {
                Socket s = RawHttp.open(at);
                s.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                hogs.add(s);
            }
            waitFor(() -> server.openConnections() == WebServer.MAX_CONNECTIONS);
            RawHttp.Response refused = RawHttp.get(at, "/api/state");
            assertEquals(503, refused.status());
        } finally {
            for (Socket s : hogs) {
                s.close();
            }
        }
        waitFor(() -> server.openConnections() == 0);
        assertEquals(200, RawHttp.get(at, "/api/state").status());
    }

    @Test
    void aPageThatStopsReadingIsClosedAndStallsNeitherTheLoopNorOtherClients() throws Exception {
        start(Optional.empty());
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(at, 2000);
            stuck.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            waitFor(() -> server.openConnections() == 1);
            // Big states fill the socket buffers of a client that reads nothing; publishing must go on regardless.
            String bulk = "x".repeat(200_000);
            long[] nanos = new long[200];
            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                var state = States.healthy(i % 2 == 0 ? "isp1" : "isp2", States.T0.plusSeconds(i))
                        .withSection("bulk", bulk);
                long t = System.nanoTime();
                server.stateChanged(state);
                nanos[i] = System.nanoTime() - t;
                Thread.sleep(5);
            }
            java.util.Arrays.sort(nanos);
            System.out.printf("[web] 200 states published past a page that reads nothing: median %.1f us, slowest"
                    + " %.1f us (a publish swaps a slot, lock-free; the slowest is GC or the VM's scheduling)%n", nanos[100] / 1e3,
                    nanos[199] / 1e3);
            RawHttp.Response now = RawHttp.get(at, "/api/state");
            assertEquals(200, now.status());
            assertTrue(now.body().contains("\"active\" : \"isp2\""), "the newest state, for everyone else");
            waitFor(() -> server.openConnections() == 0);
            System.out.println("[web] the stuck page was closed " + (System.nanoTime() - start) / 1_000_000
                    + " ms after the first state (write time 2000 ms)");
        }
    }

    @Test
    void aTakenAddressIsTriedAgainUntilItIsFree() throws Exception {
        java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        int port = taken.getLocalPort();
        server = new WebServer(Servers.config(), new dualwan.config.WebConfig(new InetSocketAddress("127.0.0.1", port),
                Optional.empty()), Optional.empty(), modes);
        server.start();
        assertEquals(Optional.empty(), server.address(), "bound although the port is taken");
        taken.close();
        for (int i = 0; i < 100 && server.address().isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertEquals(port, server.address().orElseThrow(() -> new AssertionError("not bound 10 s after the port"
                + " was freed")).getPort());
        server.stateChanged(States.healthy("isp1", States.T0));
        assertEquals(200, RawHttp.get(server.address().get(), "/api/state").status());
    }

    @Test
    void withoutAPasswordModeChangesAreRefused() throws IOException {
        start(Optional.empty());
        RawHttp.Response mode = RawHttp.post(at, "/api/mode", "{\"mode\":\"isp2\"}", "");
        assertEquals(403, mode.status());
        assertTrue(mode.body().contains("read-only"), mode.body());
        assertEquals(403, RawHttp.post(at, "/api/login", "{\"password\":\"x\"}", "").status());
        assertTrue(RawHttp.get(at, "/api/session").body().contains("\"mode_changes\":false"));
        assertEquals(List.of(), modes.asked);
    }

    static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        for (int i = 0; i < 200 && !cond.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertTrue(cond.getAsBoolean(), "condition not reached within 10 s");
    }
}
