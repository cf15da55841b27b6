package dualwan.web;

import dualwan.model.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mode changes over the API with a password: login, session cookie, anti-forgery token, same-origin rule. */
class WebModeTest {

    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([A-Za-z0-9_-]+)\"");
    private final Servers.Modes modes = new Servers.Modes();
    private WebServer server;
    private InetSocketAddress at;

    @BeforeEach
    void start() {
        server = Servers.start(Optional.of(Servers.PASSWORD), modes);
        at = Servers.address(server);
        server.stateChanged(States.healthy("isp1", States.T0));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Login(String cookie, String token) {
        String headers() {
            return "Cookie: " + cookie + "\r\nX-CSRF-Token: " + token + "\r\n";
        }
    }

    private Login login() throws IOException {
        RawHttp.Response r = RawHttp.post(at, "/api/login", "{\"password\":\"" + Servers.PASSWORD + "\"}", "");
        assertEquals(200, r.status(), r.body());
        String setCookie = r.header("set-cookie");
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.contains("SameSite=Strict"), setCookie);
        Matcher m = TOKEN.matcher(r.body());
        assertTrue(m.find(), r.body());
        return new Login(setCookie.substring(0, setCookie.indexOf(';')), m.group(1));
    }

    private RawHttp.Response mode(String json, String headers) throws IOException {
        return RawHttp.post(at, "/api/mode", json, headers);
    }

    @Test
    void aLoggedInSameOriginRequestChangesTheModeThroughTheModeApi() throws IOException {
        Login l = login();
        RawHttp.Response r = mode("{\"mode\":\"isp2\"}", l.headers() + "Origin: http://" + RawHttp.host(at) + "\r\n");
        assertEquals(200, r.status(), r.body());
        assertEquals("{\"mode\":\"isp2\",\"active\":\"isp2\",\"reason\":\"forced by the operator\"}", r.body());
        assertEquals(200, mode("{\"mode\":\"auto\"}", l.headers()).status(), "curl sends no Origin: fine");
        assertEquals(List.of(Mode.force("isp2"), Mode.AUTO), modes.asked);
        RawHttp.Response session = RawHttp.send(at, "GET /api/session HTTP/1.1\r\nHost: x\r\nCookie: " + l.cookie()
                + "\r\n\r\n");
        assertTrue(session.body().contains("\"logged_in\":true") && session.body().contains(l.token()));
    }

    @Test
    void withoutALoginOrItsTokenNothingChanges() throws IOException {
        assertEquals(401, mode("{\"mode\":\"isp2\"}", "").status());
        Login l = login();
        assertEquals(401, mode("{\"mode\":\"isp2\"}", "Cookie: " + l.cookie() + "\r\n").status(), "no token");
        assertEquals(401, mode("{\"mode\":\"isp2\"}", "Cookie: " + l.cookie() + "\r\nX-CSRF-Token: forged\r\n")
                .status());
        assertEquals(401, mode("{\"mode\":\"isp2\"}", "X-CSRF-Token: " + l.token() + "\r\n").status(), "no cookie");
        assertEquals(List.of(), modes.asked);
    }

    @Test
    void crossSiteRequestsAreRefusedEvenWithAValidSession() throws IOException {
        Login l = login();
        for (String origin : List.of("Origin: http://evil.example\r\n", "Origin: null\r\n",
                "Origin: http://" + RawHttp.host(at) + ".evil.example\r\n", "Sec-Fetch-Site: cross-site\r\n",
                "Sec-Fetch-Site: same-site\r\n")) {
            RawHttp.Response r = mode("{\"mode\":\"isp2\"}", l.headers() + origin);
            assertEquals(403, r.status(), origin);
            assertEquals("cross-site request refused\n", r.body());
        }
        RawHttp.Response login = RawHttp.post(at, "/api/login", "{\"password\":\"" + Servers.PASSWORD + "\"}",
                "Origin: http://evil.example\r\n");
        assertEquals(403, login.status(), "login forgery too");
        assertEquals(null, login.header("set-cookie"));
        assertEquals(List.of(), modes.asked);
    }

    @Test
    void badCommandsAreRefusedAndChangeNothing() throws IOException {
        Login l = login();
        assertEquals(400, mode("{\"mode\":\"isp3\"}", l.headers()).status(), "unknown uplink");
        assertEquals(400, mode("{\"mode\":1}", l.headers()).status());
        assertEquals(400, mode("[\"isp2\"]", l.headers()).status());
        assertEquals(400, mode("isp2", l.headers()).status());
        RawHttp.Response form = RawHttp.send(at, "POST /api/mode HTTP/1.1\r\nHost: x\r\nContent-Type:"
                + " application/x-www-form-urlencoded\r\nContent-Length: 9\r\n" + l.headers() + "\r\nmode=isp2");
        assertEquals(415, form.status(), "a form, as a cross-site page could send");
        assertEquals(List.of(), modes.asked);
    }

    @Test
    void aWrongPasswordIsRefusedSlowlyAndLogoutEndsTheSession() throws IOException {
        long start = System.nanoTime();
        RawHttp.Response wrong = RawHttp.post(at, "/api/login", "{\"password\":\"guess\"}", "");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(401, wrong.status());
        assertEquals(null, wrong.header("set-cookie"));
        assertTrue(ms >= Routes.WRONG_PASSWORD_DELAY.toMillis() - 50, ms + " ms");
        Login l = login();
        RawHttp.Response out = RawHttp.post(at, "/api/logout", "{}", l.headers());
        assertEquals(200, out.status());
        assertTrue(out.header("set-cookie").contains("Max-Age=0"));
        assertEquals(401, mode("{\"mode\":\"isp2\"}", l.headers()).status());
        assertEquals(List.of(), modes.asked);
    }
}
