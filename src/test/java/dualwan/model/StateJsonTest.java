package dualwan.model;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one JSON mapping of the daemon's state: every key, in a fixed order, nulls written out (what the state
 * file, MQTT and the page show), and the way back for a restart, which ignores whatever has the wrong shape.
 */
class StateJsonTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Every field set once, every optional one both present and absent somewhere. */
    private static DaemonState full() {
        Map<String, DaemonState.Target> hosts1 = new LinkedHashMap<>();
        hosts1.put("192.0.2.1", new DaemonState.Target(Verdict.UP, Optional.of(12.5), 5.0, 20));
        hosts1.put("198.51.100.1", new DaemonState.Target(Verdict.DOWN, Optional.empty(), 100.0, 20));
        DaemonState.Uplink isp1 = new DaemonState.Uplink(Verdict.UP, "2 of 3 hosts answer", T0.plusSeconds(1), true,
                Optional.of("100.64.1.2"), Optional.of("100.64.1.1"),
                Optional.of(new DaemonState.Target(Verdict.UP, Optional.of(0.8), 0.0, 20)), true, hosts1,
                Optional.of(12.5), Optional.of(52.5), Optional.of(new DaemonState.FailbackHold(Duration.ofSeconds(60),
                        "failed 28s after the last failback; doubled", 1)),
                new DaemonState.Late(true, 7, Optional.of(1840.5)), new DaemonState.Probing(false, false, 123456, 207.4));
        DaemonState.Uplink isp2 = new DaemonState.Uplink(Verdict.UNKNOWN, "no carrier", T0, false, Optional.empty(),
                Optional.empty(), Optional.empty(), false, Map.of(), Optional.empty(), Optional.empty());
        Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
        wans.put("isp1", isp1);
        wans.put("isp2", isp2);
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put("isp1", 3);
        weights.put("isp2", 1);
        Map<String, DaemonState.Policy> policies = new LinkedHashMap<>();
        policies.put("voip", new DaemonState.Policy(false, List.of("isp2", "isp1"), Map.of(), List.of("isp1"),
                "isp2 down", T0.plusSeconds(2)));
        policies.put("bulk", new DaemonState.Policy(true, List.of(), weights, List.of("isp1", "isp2"), "both up",
                T0.plusSeconds(3)));
        policies.put("idle", new DaemonState.Policy(false, List.of("isp1"), Map.of(), List.of(), "starting", T0));
        Map<String, Object> panel = new LinkedHashMap<>();
        panel.put("provider", "mock");
        panel.put("last_gesture", null);
        return new DaemonState(DaemonState.VERSION, Optional.of("isp1"), Mode.force("isp1"), "forced by the operator",
                T0.plusSeconds(4), 3,
                Optional.of(new SwitchEvent(Optional.of("isp2"), Optional.of("isp1"), T0.plusSeconds(4), "forced")),
                wans, policies, new DaemonState.Conntrack("affected", 2, 17),
                new DaemonState.KernelSync(DaemonState.KernelSync.FAILING, T0.plusSeconds(5),
                        Optional.of("nft: No such file"), 2, Optional.of("0123456789abcdef")), T0.plusSeconds(6), Map.of("panel", panel));
    }

    private static final String FULL = """
            {"version": 2, "active": "isp1", "mode": "isp1", "reason": "forced by the operator",
             "active_since": "2026-01-01T00:00:04Z", "switches": 3,
             "last_switch": {"from": "isp2", "to": "isp1", "at": "2026-01-01T00:00:04Z", "reason": "forced"},
             "wans": {
               "isp1": {"state": "up", "reason": "2 of 3 hosts answer", "since": "2026-01-01T00:00:01Z",
                        "carrier": true, "address": "100.64.1.2", "gateway": "100.64.1.1", "gateway_state": "up",
                        "confirming": true, "latency_ms": 12.5, "loss_pct": 52.5,
                        "degraded": "slow", "late_replies": 7, "late_rtt_max_ms": 1840.5,
                        "failback": {"hold_s": 60.0, "reason": "failed 28s after the last failback; doubled",
                                     "flaps": 1},
                        "metered": false, "probe_bytes": 123456, "probe_mb_per_30d": 207.4,
                        "hosts": {"192.0.2.1": {"state": "up", "rtt_ms": 12.5, "loss_pct": 5.0},
                                  "198.51.100.1": {"state": "down", "rtt_ms": null, "loss_pct": 100.0}}},
               "isp2": {"state": "unknown", "reason": "no carrier", "since": "2026-01-01T00:00:00Z",
                        "carrier": false, "address": null, "gateway": null, "gateway_state": null,
                        "confirming": false, "latency_ms": null, "loss_pct": null,
                        "degraded": null, "late_replies": 0, "late_rtt_max_ms": null, "failback": null,
                        "metered": false, "probe_bytes": 0, "probe_mb_per_30d": 0.0,
                        "hosts": {}}},
             "policies": {
               "voip": {"kind": "failover", "order": ["isp2", "isp1"], "active": "isp1", "uplinks": ["isp1"],
                        "reason": "isp2 down", "since": "2026-01-01T00:00:02Z"},
               "bulk": {"kind": "balance", "weights": {"isp1": 3, "isp2": 1}, "active": "isp1,isp2",
                        "uplinks": ["isp1", "isp2"], "reason": "both up", "since": "2026-01-01T00:00:03Z"},
               "idle": {"kind": "failover", "order": ["isp1"], "active": null, "uplinks": [],
                        "reason": "starting", "since": "2026-01-01T00:00:00Z"}},
             "conntrack": {"flush": "affected", "flushes": 2, "deleted": 17},
             "kernel": {"state": "failing", "since": "2026-01-01T00:00:05Z", "last_error": "nft: No such file",
                        "attempts": 2, "table_digest": "0123456789abcdef"},
             "updated": "2026-01-01T00:00:06Z",
             "panel": {"provider": "mock", "last_gesture": null}}
            """;

    /** Every key path of a tree, in order, with the value's kind: order and nulls both show. */
    private static List<String> paths(Object tree) {
        List<String> out = new ArrayList<>();
        walk("", tree, out);
        return out;
    }

    private static void walk(String at, Object v, List<String> out) {
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> walk(at + "/" + k, x, out));
            out.add(at + " map of " + m.size());
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                walk(at + "[" + i + "]", l.get(i), out);
            }
            out.add(at + " list of " + l.size());
        } else {
            out.add(at + " = " + v);
        }
    }

    private static Map<String, Object> parse(String json) throws Exception {
        return JSON.std.mapFrom(json);
    }

    @Test
    void aFullStateHasEveryKeyInOrderWithNullsWrittenOut() throws Exception {
        Map<String, Object> tree = StateJson.tree(full());
        assertEquals(paths(parse(FULL)), paths(parse(StateJson.compact(tree))), "through JSON, as readers get it");
        assertEquals(List.of("version", "active", "mode", "reason", "active_since", "switches", "last_switch", "wans",
                "policies", "conntrack", "kernel", "updated", "panel"), List.copyOf(tree.keySet()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void withIpv6InTheConfigActive6State6AndTheIpv6PartAppearAndNothingElseMoves() throws Exception {
        DaemonState v4 = full();
        DaemonState s = dualwan.DualStack.isp1Only(v4, T0.plusSeconds(7));
        Map<String, Object> tree = parse(StateJson.compact(StateJson.tree(s)));
        assertEquals(List.of("version", "active", "active6", "mode", "reason", "active_since", "switches",
                "last_switch", "wans", "policies", "conntrack", "kernel", "ipv6", "updated", "panel"),
                List.copyOf(tree.keySet()));
        assertEquals("isp1", tree.get("active6"));
        Map<?, ?> wans = (Map<?, ?>) tree.get("wans");
        Map<?, ?> isp1 = (Map<?, ?>) wans.get("isp1");
        Map<?, ?> isp2 = (Map<?, ?>) wans.get("isp2");
        assertEquals(List.of("state", "state6", "reason"), List.copyOf(isp1.keySet()).subList(0, 3));
        assertEquals("up", isp1.get("state6"));
        assertTrue(isp2.containsKey("state6") && isp2.get("state6") == null, "isp2 has no IPv6: " + isp2);
        Map<String, Object> without = new LinkedHashMap<>(tree);
        without.remove("active6");
        without.remove("ipv6");
        Map<String, Object> wansWithout = new LinkedHashMap<>();
        ((Map<String, Object>) tree.get("wans")).forEach((wan, u) -> {
            Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) u);
            m.remove("state6");
            wansWithout.put(wan, m);
        });
        without.put("wans", wansWithout);
        assertEquals(paths(parse(FULL)), paths(without), "the IPv4 keys are as before, in the same order");
        assertEquals(paths(parse("""
                {"active": "isp1", "reason": "isp1 is the best healthy IPv6 uplink", "since": "2026-01-01T00:00:07Z",
                 "switches": 0, "last_switch": null, "unreachable": false,
                 "wans": {"isp1": {"state": "up", "reason": "2 of 2 IPv6 hosts answer",
                                   "since": "2026-01-01T00:00:07Z", "carrier": true, "address": "2001:db8:1::2",
                                   "gateway": "fe80::1", "gateway_state": "up", "confirming": false,
                                   "latency_ms": 14.25, "loss_pct": 0.0, "degraded": null, "late_replies": 0,
                                   "late_rtt_max_ms": null, "failback": null, "metered": false, "probe_bytes": 0,
                                   "probe_mb_per_30d": 0.0,
                                   "hosts": {"2001:db8:100::1": {"state": "up", "rtt_ms": 14.0, "loss_pct": 0.0},
                                             "2001:db8:200::1": {"state": "up", "rtt_ms": 14.5, "loss_pct": 0.0}}}}}
                """)), paths(tree.get("ipv6")), "the ipv6 object; each uplink's tree as IPv4's");
    }

    @Test
    void noUplinkWithWorkingIpv6IsANullActive6AndUnreachable() throws Exception {
        DaemonState s = dualwan.DualStack.unreachable(full(), T0.plusSeconds(8));
        Map<String, Object> tree = parse(StateJson.compact(StateJson.tree(s)));
        assertTrue(tree.containsKey("active6") && tree.get("active6") == null, tree.toString());
        Map<?, ?> six = (Map<?, ?>) tree.get("ipv6");
        assertEquals(true, six.get("unreachable"));
        assertEquals(null, six.get("active"));
        assertEquals(Map.of("from", "isp1", "at", "2026-01-01T00:00:08Z", "reason", "isp1 IPv6 down"),
                ((Map<?, ?>) six.get("last_switch")).entrySet().stream().filter(e -> e.getValue() != null)
                        .collect(java.util.stream.Collectors.toMap(e -> (String) e.getKey(), e -> e.getValue())));
        assertEquals("down", ((Map<?, ?>) ((Map<?, ?>) tree.get("wans")).get("isp1")).get("state6"));
    }

    @Test
    void theStateFileIsThePrettyFormOfTheSameTree() throws Exception {
        String text = StateJson.pretty(full());
        assertTrue(text.endsWith("}\n"), "one line ending at the end");
        assertTrue(text.contains("\n  \"wans\" : {"), "indented for people: " + text);
        assertEquals(paths(parse(FULL)), paths(parse(text)));
        assertTrue(text.contains("\"gateway_state\" : null"), "nulls are written, not left out");
    }

    @Test
    void nothingChosenAndNoSwitchAreNullsNotMissingKeys() throws Exception {
        DaemonState s = full();
        DaemonState none = new DaemonState(s.version(), Optional.empty(), Mode.AUTO, "starting", T0, 0,
                Optional.empty(), s.wans(), Map.of(), s.conntrack(),
                new DaemonState.KernelSync(DaemonState.KernelSync.IN_SYNC, T0, Optional.empty(), 0, Optional.empty()), T0, Map.of());
        Map<String, Object> back = parse(StateJson.compact(StateJson.tree(none)));
        assertTrue(back.containsKey("active") && back.get("active") == null);
        assertTrue(back.containsKey("last_switch") && back.get("last_switch") == null);
        assertEquals("auto", back.get("mode"));
        assertEquals(Map.of(), back.get("policies"));
        Map<?, ?> kernel = (Map<?, ?>) back.get("kernel");
        assertTrue(kernel.containsKey("last_error") && kernel.get("last_error") == null, kernel.toString());
        Map<String, Object> noTarget = new LinkedHashMap<>();
        noTarget.put("from", null);
        noTarget.put("to", "isp1");
        noTarget.put("at", T0.toString());
        noTarget.put("reason", "first choice");
        assertEquals(noTarget, StateJson.event(new SwitchEvent(Optional.empty(), Optional.of("isp1"), T0,
                "first choice")));
    }

    @Test
    void anAdapterSectionCannotReplaceTheDaemonsOwnKeys() {
        DaemonState s = full().withSection("active", "isp2").withSection("mode", Map.of("evil", true))
                .withSection("dns", Map.of("uplink", "isp1"));
        Map<String, Object> tree = StateJson.tree(s);
        assertEquals("isp1", tree.get("active"));
        assertEquals("isp1", tree.get("mode"));
        assertEquals(Map.of("uplink", "isp1"), tree.get("dns"));
        assertEquals(List.of("updated", "panel", "dns"), List.copyOf(tree.keySet()).subList(11, 14),
                "sections after the daemon's keys, in the order they came");
        assertEquals(List.of("panel"), List.copyOf(full().withSection("dns", Map.of()).withSection("dns", null)
                .sections().keySet()), "null removes a section");
    }

    @Test
    void aRestartTakesEachUplinksFailbackHoldAndIgnoresNonsense() {
        StateJson.Saved s = StateJson.saved("{\"wans\": {\"isp1\": {\"failback\": {\"hold_s\": 120.0}},"
                + " \"isp2\": {\"failback\": {\"hold_s\": -5}}, \"isp3\": {\"failback\": {\"hold_s\": \"x\"}},"
                + " \"isp4\": {\"failback\": null}}}");
        assertEquals(Map.of("isp1", java.time.Duration.ofSeconds(120)), s.holds());
    }

    @Test
    void aRestartTakesTheModeAndEachPolicysUplinksFromThePreviousFile() {
        StateJson.Saved saved = StateJson.saved(StateJson.pretty(full()));
        assertEquals(Optional.of(Mode.force("isp1")), saved.mode());
        Map<String, List<String>> uplinks = new LinkedHashMap<>();
        uplinks.put("voip", List.of("isp1"));
        uplinks.put("bulk", List.of("isp1", "isp2"));
        uplinks.put("idle", List.of());
        assertEquals(uplinks, saved.policyUplinks());
        assertEquals(List.of("voip", "bulk", "idle"), List.copyOf(saved.policyUplinks().keySet()));
        assertEquals(Optional.of(Mode.AUTO), StateJson.saved("{\"mode\": \"auto\"}").mode());
    }

    @Test
    void aFileThatIsNotAStateGivesNothing() {
        for (String garbage : List.of("", "   ", "null", "not json", "{\"mode\": ", "[\"isp1\"]", "42", "\"isp1\"",
                "{\"mode\": \"isp1\"", "\u0000\u0001", "{\"policies\": {\"voip\": {\"uplinks\": [\"isp1\"]}}")) {
            assertEquals(StateJson.Saved.NONE, StateJson.saved(garbage), () -> "for " + garbage);
        }
    }

    @Test
    void fieldsOfTheWrongShapeAreIgnoredAndTheRestIsKept() {
        // mode: not a string, or blank
        for (String mode : List.of("3", "true", "null", "\"\"", "\" \"", "[\"isp1\"]", "{\"forced\": \"isp1\"}")) {
            StateJson.Saved s = StateJson.saved("{\"mode\": " + mode + ", \"policies\": {\"voip\": {\"uplinks\": [\"isp2\"]}}}");
            assertEquals(Optional.empty(), s.mode(), () -> "mode " + mode);
            assertEquals(Map.of("voip", List.of("isp2")), s.policyUplinks(), () -> "beside mode " + mode);
        }
        // policies: not a map, a policy not a map, uplinks not a list or holding anything but strings
        for (String policies : List.of("[]", "\"voip\"", "1", "null")) {
            StateJson.Saved s = StateJson.saved("{\"mode\": \"isp2\", \"policies\": " + policies + "}");
            assertEquals(Map.of(), s.policyUplinks(), () -> "policies " + policies);
            assertEquals(Optional.of(Mode.force("isp2")), s.mode(), () -> "beside policies " + policies);
        }
        StateJson.Saved mixed = StateJson.saved("""
                {"policies": {
                   "ok": {"uplinks": ["isp1", "isp2"]},
                   "number": {"uplinks": ["isp1", 2]},
                   "nested": {"uplinks": [["isp1"]]},
                   "null": {"uplinks": [null]},
                   "object": {"uplinks": [{"name": "isp1"}]},
                   "text": {"uplinks": "isp1"},
                   "missing": {"active": "isp1"},
                   "flat": "isp1",
                   "list": ["isp1"]}}
                """);
        assertEquals(Optional.empty(), mixed.mode());
        assertEquals(Map.of("ok", List.of("isp1", "isp2")), mixed.policyUplinks());
    }

    @Test
    void instantsAreReadOnlyWhenTheyAreInstants() {
        assertEquals(Optional.of(T0), StateJson.instant("2026-01-01T00:00:00Z"));
        assertEquals(Optional.empty(), StateJson.instant("yesterday"));
        assertEquals(Optional.empty(), StateJson.instant(1767225600L));
        assertEquals(Optional.empty(), StateJson.instant(null));
    }
}
