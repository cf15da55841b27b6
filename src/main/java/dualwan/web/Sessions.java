package dualwan.web;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Logins for mode changes. A login that knows the password gets a session: a random id (the {@code HttpOnly},
 * {@code SameSite=Strict} cookie) and a random anti-forgery token that the page sends back in a header with
 * every change; a cross-site page can send neither. Sessions live in memory only (a restart logs everyone
 * out). Wrong passwords are throttled for everyone: at most {@link #MAX_FAILURES} per {@link #FAILURE_WINDOW}.
 * Thread-safe; time is a monotonic clock in nanoseconds.
 */
final class Sessions {

    static final Duration LIFETIME = Duration.ofHours(12);
    static final int MAX_SESSIONS = 32;
    static final int MAX_FAILURES = 10;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);
    static final String COOKIE = "dualwan_session";

    /** A logged-in browser: its anti-forgery token and when it must log in again. */
    record Session(String token, long expiresAt) {
    }

    /** What a login led to. */
    sealed interface Login {
        record Ok(String id, Session session) implements Login {
        }

        record Wrong() implements Login {
        }

        record Throttled() implements Login {
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Password password;
    private final LongSupplier nanos;
    private final Map<String, Session> byId = new LinkedHashMap<>(); // oldest first
    private final ArrayDeque<Long> failures = new ArrayDeque<>();

    Sessions(Password password, LongSupplier nanos) {
        this.password = password;
        this.nanos = nanos;
    }

    synchronized Login login(String guess) {
        long now = nanos.getAsLong();
        while (!failures.isEmpty() && now - failures.peekFirst() >= FAILURE_WINDOW.toNanos()) {
            failures.removeFirst();
        }
        if (failures.size() >= MAX_FAILURES) {
            return new Login.Throttled();
        }
        if (!password.matches(guess)) {
            failures.addLast(now);
            return new Login.Wrong();
        }
        expire(now);
        while (byId.size() >= MAX_SESSIONS) {
            Iterator<String> oldest = byId.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        String id = random();
        Session s = new Session(random(), now + LIFETIME.toNanos());
        byId.put(id, s);
        return new Login.Ok(id, s);
    }

    /** The live session of a cookie value. */
    synchronized Optional<Session> session(String id) {
        expire(nanos.getAsLong());
        return Optional.ofNullable(byId.get(id));
    }

    /** True when {@code id} is a live session and {@code token} its anti-forgery token. */
    boolean authorised(Optional<String> id, Optional<String> token) {
        Optional<Session> s = id.flatMap(this::session);
        return s.isPresent() && token.isPresent() && MessageDigest.isEqual(
                s.get().token().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                token.get().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    synchronized void logout(String id) {
        byId.remove(id);
    }

    private void expire(long now) {
        byId.values().removeIf(s -> now - s.expiresAt() >= 0);
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The {@code Set-Cookie} value for a new session. */
    static String cookie(String id) {
        return COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + LIFETIME.toSeconds();
    }

    /** The {@code Set-Cookie} value that removes the session cookie. */
    static String clearedCookie() {
        return COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    }
}
