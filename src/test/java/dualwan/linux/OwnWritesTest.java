package dualwan.linux;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's own writes are recognised in the kernel's events, IPv6 ones ({@code ip -6 …}) too. */
class OwnWritesTest {

    private static KernelEvent event(String line) {
        return KernelEvent.parse(line).orElseThrow();
    }

    @Test
    void anIpv6RouteAndRuleWriteAreEachExpectedOnce() {
        OwnWrites w = new OwnWrites(Clock.systemUTC());
        w.expect(List.of("-6", "route", "replace", "default", "via", "fe80::1", "dev", "wan2", "metric", "1024",
                "table", "200"));
        w.expect(List.of("-6", "rule", "add", "priority", "1020", "from", "2001:db8:1200::/56", "lookup", "101"));
        assertTrue(w.consume(event("default via fe80::1 dev wan2 table 200 metric 1024 pref medium")));
        assertFalse(w.consume(event("default via fe80::1 dev wan2 table 200 metric 1024 pref medium")),
                "once: a second such event is someone else's");
        assertTrue(w.consume(event("1020:\tfrom 2001:db8:1200::/56 lookup 101")));
        assertFalse(w.consume(event("1021:\tfrom 2001:db8:2:1::2 lookup 102")), "not ours");
    }
}
