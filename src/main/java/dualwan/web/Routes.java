package dualwan.web;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.config.Config;
import dualwan.config.WanConfig;
import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.ModeControl;
import dualwan.model.ModeResult;
import dualwan.model.StateJson;
import org.tinylog.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What each path answers. Reads only published state; a mode change goes through the daemon's one mode API
 * ({@link ModeControl}), like the CLI, MQTT and the button, and only for a logged-in, same-origin request.
 */
final class Routes {

    /** A wrong password is answered this late, on the caller's own connection, to slow guessing down. */
    static final Duration WRONG_PASSWORD_DELAY = Duration.ofSeconds(1);
    /** Longest wait for the daemon's answer to a mode command. */
    static final Duration MODE_TIMEOUT = Duration.ofSeconds(5);
    static final String TOKEN_HEADER = "X-CSRF-Token";
    private static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    /** What {@link #handle} answers: a response, or the event stream of an open page. */
    sealed interface Reply {
        record Send(Http.Response response) implements Reply {
        }

        record Stream() implements Reply {
        }
    }

    private final List<String> uplinks;
    private final Optional<Sessions> sessions;
    private final ModeControl modes;
    private final Handoff<DaemonState> states;
    private final String version;
    private final Map<String, Http.Response> assets = new LinkedHashMap<>();

    Routes(Config config, Optional<Sessions> sessions, ModeControl modes, Handoff<DaemonState> states) {
        this.uplinks = config.wans().stream().map(WanConfig::name).toList();
        this.sessions = sessions;
        this.modes = modes;
        this.states = states;
        this.version = Optional.ofNullable(Routes.class.getPackage().getImplementationVersion()).orElse("dev");
        assets.put("/", asset("index.html", "text/html; charset=utf-8").with("Content-Security-Policy", PAGE_POLICY));
        assets.put("/page.js", asset("page.js", "text/javascript; charset=utf-8"));
        assets.put("/page.css", asset("page.css", "text/css; charset=utf-8"));
    }

    /** Sent once to every page that opens: uplinks in config order, whether the mode can be changed here. */
    Map<String, Object> pageInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uplinks", uplinks);
        m.put("mode_changes", sessions.isPresent());
        m.put("version", version);
        return m;
    }

    Reply handle(Http.Request r, String remote) throws InterruptedException {
        boolean read = r.method().equals("GET") || r.method().equals("HEAD");
        Http.Response asset = assets.get(r.path());
        if (asset != null) {
            return read ? send(asset) : notAllowed("GET, HEAD");
        }
        return switch (r.path()) {
            case "/events" -> r.method().equals("GET") ? new Reply.Stream() : notAllowed("GET");
            case "/api/state" -> read ? state() : notAllowed("GET, HEAD");
            case "/metrics" -> read ? metrics() : notAllowed("GET, HEAD");
            case "/api/session" -> read ? session(r) : notAllowed("GET, HEAD");
            case "/api/login" -> r.method().equals("POST") ? login(r) : notAllowed("POST");
            case "/api/logout" -> r.method().equals("POST") ? logout(r) : notAllowed("POST");
            case "/api/mode" -> r.method().equals("POST") ? mode(r, remote) : notAllowed("POST");
            default -> send(Http.Response.text(404, "no such page: " + clip(r.path())));
        };
    }

    private Reply state() {
        return states.now().map(v -> send(Http.Response.json(200, StateJson.pretty(v.value()))))
                .orElseGet(() -> send(Http.Response.text(503, "no state yet: the daemon is starting")));
    }

    private Reply metrics() {
        return states.now().map(v -> send(new Http.Response(200, Metrics.CONTENT_TYPE,
                        Metrics.render(v.value(), version).getBytes(StandardCharsets.UTF_8), Map.of())))
                .orElseGet(() -> send(Http.Response.text(503, "no state yet: the daemon is starting")));
    }

    private Reply session(Http.Request r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode_changes", sessions.isPresent());
        Optional<Sessions.Session> s = sessions.flatMap(all -> r.cookie(Sessions.COOKIE).flatMap(all::session));
        m.put("logged_in", s.isPresent());
        m.put("token", s.map(Sessions.Session::token).orElse(null));
        return send(Http.Response.json(200, StateJson.compact(m)));
    }

    private Reply login(Http.Request r) throws InterruptedException {
        Optional<Reply> refused = refusedChange(r);
        if (refused.isPresent()) {
            return refused.get();
        }
        Optional<String> password = field(r, "password");
        if (password.isEmpty()) {
            return send(Http.Response.text(400, "expected {\"password\": \"...\"}"));
        }
        return switch (sessions.orElseThrow().login(password.get())) {
            case Sessions.Login.Ok ok -> send(Http.Response.json(200, StateJson.compact(Map.of("token",
                    ok.session().token()))).with("Set-Cookie", Sessions.cookie(ok.id())));
            case Sessions.Login.Wrong w -> {
                Thread.sleep(WRONG_PASSWORD_DELAY.toMillis());
                yield send(Http.Response.text(401, "wrong password"));
            }
            case Sessions.Login.Throttled t -> send(Http.Response.text(429, "too many wrong passwords; wait a minute"));
        };
    }

    private Reply logout(Http.Request r) {
        if (sessions.isEmpty() || !sameOrigin(r)) {
            return send(Http.Response.text(403, sessions.isEmpty() ? readOnly() : "cross-site request refused"));
        }
        r.cookie(Sessions.COOKIE).ifPresent(sessions.get()::logout);
        return send(Http.Response.json(200, "{}").with("Set-Cookie", Sessions.clearedCookie()));
    }

    private Reply mode(Http.Request r, String remote) throws InterruptedException {
        Optional<Reply> refused = refusedChange(r);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (!sessions.get().authorised(r.cookie(Sessions.COOKIE), r.header(TOKEN_HEADER))) {
            return send(Http.Response.text(401, "log in first (a session cookie and its " + TOKEN_HEADER
                    + " header)"));
        }
        Optional<String> text = field(r, "mode");
        if (text.isEmpty() || !(text.get().equals("auto") || uplinks.contains(text.get()))) {
            return send(Http.Response.text(400, "expected {\"mode\": M} with M one of auto, "
                    + String.join(", ", uplinks)));
        }
        Mode wanted = Mode.parse(text.get());
        Logger.info("web: mode {} asked by {}", wanted, remote);
        try {
            ModeResult result = modes.setMode(wanted).get(MODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", result.mode().toString());
            m.put("active", result.active().orElse(null));
            m.put("reason", result.reason());
            return send(Http.Response.json(200, StateJson.compact(m)));
        } catch (ExecutionException e) {
            return send(Http.Response.text(400, "refused: " + e.getCause().getMessage()));
        } catch (TimeoutException e) {
            return send(Http.Response.text(504, "the daemon did not answer within " + MODE_TIMEOUT.toSeconds()
                    + " s"));
        }
    }

    /** Why a login or mode change is refused before its content is read, if it is. */
    private Optional<Reply> refusedChange(Http.Request r) {
        if (sessions.isEmpty()) {
            return Optional.of(send(Http.Response.text(403, readOnly())));
        }
        if (!sameOrigin(r)) {
            return Optional.of(send(Http.Response.text(403, "cross-site request refused")));
        }
        if (!r.header("content-type").orElse("").toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return Optional.of(send(Http.Response.text(415, "send JSON (Content-Type: application/json)")));
        }
        return Optional.empty();
    }

    private static String readOnly() {
        return "read-only: mode changes from the web need web.password-file in the config";
    }

    /**
     * A browser names the page that sent a request in {@code Origin} (every POST) or at least says in
     * {@code Sec-Fetch-Site} whether it was another site; either must be this server itself. A request with
     * neither comes from no browser (curl) and cannot be a forgery.
     */
    static boolean sameOrigin(Http.Request r) {
        Optional<String> origin = r.header("origin");
        if (origin.isPresent()) {
            return r.header("host").map(h -> origin.get().equals("http://" + h)).orElse(false);
        }
        return r.header("sec-fetch-site").map(s -> s.equals("same-origin") || s.equals("none")).orElse(true);
    }

    /** A string field of a JSON object body. */
    private static Optional<String> field(Http.Request r, String name) {
        try {
            Map<String, Object> m = JSON.std.mapFrom(r.bodyText());
            return m != null && m.get(name) instanceof String s ? Optional.of(s) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Reply send(Http.Response r) {
        return new Reply.Send(r);
    }

    private static Reply notAllowed(String allow) {
        return send(Http.Response.text(405, "method not allowed; use " + allow).with("Allow", allow));
    }

    private static String clip(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static Http.Response asset(String name, String type) {
        try (InputStream in = Routes.class.getResourceAsStream("/dualwan/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource dualwan/web/" + name);
            }
            return new Http.Response(200, type, in.readAllBytes(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
