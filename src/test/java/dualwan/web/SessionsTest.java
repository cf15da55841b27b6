package dualwan.web;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions on a fake monotonic clock: lifetime, the session cap, and throttled guessing. */
class SessionsTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final Sessions sessions = new Sessions(Password.of("pw"), now::get);

    private Sessions.Login.Ok ok() {
        return assertInstanceOf(Sessions.Login.Ok.class, sessions.login("pw"));
    }

    @Test
    void aSessionLastsItsLifetime() {
        Sessions.Login.Ok s = ok();
        assertTrue(sessions.authorised(Optional.of(s.id()), Optional.of(s.session().token())));
        assertNotEquals(s.id(), s.session().token());
        now.addAndGet(Sessions.LIFETIME.toNanos() - 1);
        assertTrue(sessions.session(s.id()).isPresent());
        now.addAndGet(1);
        assertFalse(sessions.authorised(Optional.of(s.id()), Optional.of(s.session().token())));
    }

    @Test
    void theTokenMustBeTheSessionsOwn() {
        Sessions.Login.Ok a = ok();
        Sessions.Login.Ok b = ok();
        assertFalse(sessions.authorised(Optional.of(a.id()), Optional.of(b.session().token())));
        assertFalse(sessions.authorised(Optional.of(a.id()), Optional.empty()));
        assertFalse(sessions.authorised(Optional.empty(), Optional.of(a.session().token())));
    }

    @Test
    void theOldestSessionMakesRoom() {
        Sessions.Login.Ok first = ok();
        for (int i = 1; i < Sessions.MAX_SESSIONS; i++) {
            ok();
        }
        assertTrue(sessions.session(first.id()).isPresent());
        ok();
        assertEquals(Optional.empty(), sessions.session(first.id()));
    }

    @Test
    void guessingIsThrottledForAMinute() {
        for (int i = 0; i < Sessions.MAX_FAILURES; i++) {
            assertInstanceOf(Sessions.Login.Wrong.class, sessions.login("guess" + i));
        }
        assertInstanceOf(Sessions.Login.Throttled.class, sessions.login("pw"), "even the right one, meanwhile");
        now.addAndGet(Sessions.FAILURE_WINDOW.toNanos());
        ok();
    }
}
