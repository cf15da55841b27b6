package dualwan.linux;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.engine.Input;
import dualwan.engine.KernelTarget;
import dualwan.health.LinkState;
import dualwan.model.DaemonState;
import dualwan.plan.NftPlanner;
import dualwan.plan.Planner;
import dualwan.plan.RouteSpec;
import dualwan.plan.RoutingPlan;
import dualwan.plan.RuleSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel worker against a kernel in memory that records every call in order and fails or hangs on demand. */
class KernelWorkerTest {

    private final Config config = TestConfigs.twoWans();
    private final RecordingKernel kernel = new RecordingKernel();
    private final LinkedBlockingQueue<Input.KernelReport> reports = new LinkedBlockingQueue<>();
    private KernelWorker worker;

    @AfterEach
    void close() {
        if (worker != null) {
            worker.close();
        }
    }

    private KernelWorker worker() {
        worker = new KernelWorker(kernel, Clock.systemUTC(), Optional.empty(), reports::add);
        return worker;
    }

    private KernelTarget target(long generation, String activeWan, List<List<String>> flushes) {
        Map<String, Planner.UplinkAddressing> a = new LinkedHashMap<>();
        a.put("isp1", new Planner.UplinkAddressing(true, Optional.of(ip("100.64.1.2")), Optional.of(ip("100.64.1.1"))));
        a.put("isp2", new Planner.UplinkAddressing(true, Optional.of(ip("100.64.2.2")), Optional.of(ip("100.64.2.1"))));
        RoutingPlan plan = Planner.plan(config, a, Optional.of(activeWan));
        return new KernelTarget(generation, plan, NftPlanner.ruleset(config, a, Map.of()), flushes,
                flushes.isEmpty() ? "" : "traffic off " + (activeWan.equals("isp1") ? "isp2" : "isp1"));
    }

    private Input.KernelReport awaitReport(String state) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Input.KernelReport r; (r = reports.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS)) != null; ) {
            if (r.sync().state().equals(state)) {
                return r;
            }
        }
        throw new AssertionError("no " + state + " report; calls: " + kernel.calls);
    }

    @Test
    void flushesRunOnlyAfterTheRoutesAndTheTableAreInPlaceAndOnlyOnce() throws Exception {
        kernel.failIp = true;
        worker().submit(target(1, "isp2", List.of(List.of("-D", "--reply-dst", "100.64.1.2"))));
        Input.KernelReport failing = awaitReport("failing");
        assertTrue(failing.sync().lastError().orElseThrow().contains("ip "), failing.toString());
        assertFalse(kernel.calls.stream().anyMatch(c -> c.startsWith("conntrack")), "no flush while routes fail");
        kernel.failIp = false;
        awaitReport("in_sync");
        assertTrue(kernel.flushed.await(5, TimeUnit.SECONDS));
        List<String> calls = List.copyOf(kernel.calls);
        int lastIp = -1, nft = -1, ct = -1;
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith("ip route") || calls.get(i).startsWith("ip rule")) lastIp = i;
            if (calls.get(i).startsWith("nft -f")) nft = i;
            if (calls.get(i).startsWith("conntrack")) ct = i;
        }
        assertTrue(lastIp >= 0 && nft > lastIp && ct > nft, "routes, then the table, then the flush: " + calls);
        Thread.sleep(1500); // a retry or a periodic check must not run it again
        assertEquals(1, calls(kernel, "conntrack"), kernel.calls.toString());
    }

    @Test
    void ipv6RulesAndRoutesFollowIpv4sAndAChangeCostsOnlyItsDifference() throws Exception {
        Config dual = dualwan.config.ConfigLoader.parse(java.nio.file.Path.of("t.yaml"),
                TestConfigs.DUAL_STACK_YAML);
        Map<String, dualwan.plan.Planner6.Uplink6> six = Map.of(
                "isp1", new dualwan.plan.Planner6.Uplink6(true, List.of(dualwan.config.Ipv6.of("2001:db8:1::2")),
                        Optional.of(dualwan.config.Ipv6.of("fe80::1")), Optional.empty()),
                "isp2", new dualwan.plan.Planner6.Uplink6(true, List.of(dualwan.config.Ipv6.of("2001:db8:2::2")),
                        Optional.of(dualwan.config.Ipv6.of("fe80::1")), Optional.empty()));
        KernelTarget v4 = target(1, "isp1", List.of());
        worker().submit(new KernelTarget(1, v4.plan(), dualwan.plan.Planner6.plan(dual, six, Optional.of("isp1"), false),
                v4.nft(), List.of(), ""));
        awaitReport("in_sync");
        List<String> calls = List.copyOf(kernel.calls);
        int lastIp4 = -1, firstIp6 = -1, nft = -1;
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith("ip route") || calls.get(i).startsWith("ip rule")) lastIp4 = i;
            if (calls.get(i).startsWith("ip -6") && firstIp6 < 0) firstIp6 = i;
            if (calls.get(i).startsWith("nft -f")) nft = i;
        }
        assertTrue(lastIp4 >= 0 && firstIp6 > lastIp4 && nft > firstIp6, "IPv4, then IPv6, then the table: " + calls);
        assertTrue(calls.contains("ip -6 route replace default via fe80::1 dev wan1 metric 1024 table 200"), calls.toString());
        kernel.calls.clear();
        worker.submit(new KernelTarget(2, v4.plan(), dualwan.plan.Planner6.plan(dual, six, Optional.of("isp2"), false),
                v4.nft(), List.of(), ""));
        Input.KernelReport r;
        do {
            r = awaitReport("in_sync");
        } while (r.generation() < 2);
        assertEquals(List.of("ip -6 route replace default via fe80::1 dev wan2 metric 1024 table 200"),
                kernel.calls.stream().filter(c -> c.startsWith("ip")).toList(), "only the IPv6 LAN default moved");
    }

    @Test
    void anIpv4OnlyTargetNeverReadsOrWritesIpv6() throws Exception {
        worker().submit(target(1, "isp1", List.of()));
        awaitReport("in_sync");
        worker.repair();
        Thread.sleep(300);
        assertFalse(kernel.calls.stream().anyMatch(c -> c.contains("rules6") || c.contains("tables6") || c.startsWith("ip -6")),
                kernel.calls.toString());
    }

    @Test
    void theNewestTargetWinsAndTheFlushesOfOnesDroppedOnTheWayStillRunOnce() throws Exception {
        kernel.blockIp = new CountDownLatch(1);
        worker().submit(target(1, "isp1", List.of()));
        Thread.sleep(200); // the worker is now inside ip, blocked
        worker.submit(target(2, "isp2", List.of(List.of("-D", "--reply-dst", "100.64.1.2"))));
        worker.submit(target(3, "isp1", List.of(List.of("-D", "--reply-dst", "100.64.2.2"))));
        kernel.blockIp.countDown();
        Input.KernelReport r;
        do {
            r = awaitReport("in_sync");
        } while (r.generation() < 3);
        assertTrue(kernel.flushed.await(5, TimeUnit.SECONDS));
        Thread.sleep(300);
        assertEquals(2, calls(kernel, "conntrack"), "both flushes, once each: " + kernel.calls);
        assertFalse(kernel.calls.stream().anyMatch(c -> c.contains("dev wan2") && c.contains("table 200")),
                "target 2's LAN route was never written: " + kernel.calls);
    }

    @Test
    void aHangingConntrackDelaysNoRoutes() throws Exception {
        kernel.blockConntrack = new CountDownLatch(1);
        worker().submit(target(1, "isp2", List.of(List.of("-D", "--reply-dst", "100.64.1.2"))));
        awaitReport("in_sync");
        Thread.sleep(200); // the flush is now hanging
        worker.submit(target(2, "isp1", List.of()));
        Input.KernelReport r;
        do {
            r = awaitReport("in_sync");
        } while (r.generation() < 2);
        assertTrue(kernel.calls.stream().anyMatch(c -> c.equals("ip route replace default via 100.64.1.1 dev wan1 onlink table 200")),
                "target 2 applied while conntrack hangs: " + kernel.calls);
        kernel.blockConntrack.countDown();
    }

    @Test
    void aFailedFlushIsTheLastErrorWhileTheRoutesStayInSync() throws Exception {
        kernel.failConntrack = true;
        worker().submit(target(1, "isp2", List.of(List.of("-D", "--reply-dst", "100.64.1.2"))));
        Input.KernelReport r = reports.poll(10, TimeUnit.SECONDS);
        while (r != null && r.flushes() == 0) { // the flusher reports on its own thread, apart from the routes
            r = reports.poll(10, TimeUnit.SECONDS);
        }
        assertTrue(r != null, "no report of the flush; calls: " + kernel.calls);
        assertEquals(Optional.of("conntrack -D --reply-dst 100.64.1.2: conntrack v1.4.7: injected failure"),
                r.sync().lastError(), r.toString());
        assertEquals(0, r.sync().attempts(), "the routes and the table are in place: nothing is being retried");
        assertEquals(2, calls(kernel, "conntrack"), "tried once more, then given up: " + kernel.calls);
    }

    @Test
    void itsOwnWritesAreRecognisedAsEchoesAndOthersAreNot() throws Exception {
        worker().submit(target(1, "isp1", List.of()));
        awaitReport("in_sync");
        KernelEvent ours = new KernelEvent(KernelEvent.Kind.ROUTE, Optional.of("wan1"), Optional.of("200"),
                OptionalInt.empty(), true, true);
        assertTrue(worker.isEcho(ours), "the LAN route we wrote");
        assertFalse(worker.isEcho(ours), "each write is expected once");
        KernelEvent rule = new KernelEvent(KernelEvent.Kind.RULE, Optional.empty(), Optional.of("101"),
                OptionalInt.of(config.routing().rulePriority() + 1), true, false);
        assertTrue(worker.isEcho(rule));
        KernelEvent lanAgain = new KernelEvent(KernelEvent.Kind.ROUTE, Optional.empty(), Optional.of("200"),
                OptionalInt.empty(), true, true);
        assertFalse(worker.isEcho(lanAgain), "a second change of the LAN table is someone else's");
        KernelEvent otherRule = new KernelEvent(KernelEvent.Kind.RULE, Optional.empty(), Optional.of("main"),
                OptionalInt.of(config.routing().rulePriority() + 9), true, false);
        assertFalse(worker.isEcho(otherRule), "a rule we did not write");
    }

    private static long calls(RecordingKernel k, String prefix) {
        return k.calls.stream().filter(c -> c.startsWith(prefix)).count();
    }

    /** Applies ip commands to rules and tables in memory, so a full check reads back what was written. */
    static final class RecordingKernel implements Kernel {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final List<RuleSpec> rules = Collections.synchronizedList(new ArrayList<>());
        final Map<Integer, List<RouteSpec>> tables = Collections.synchronizedMap(new HashMap<>());
        volatile boolean failIp;
        volatile CountDownLatch blockIp;
        volatile CountDownLatch blockConntrack;
        volatile boolean failConntrack;
        final CountDownLatch flushed = new CountDownLatch(1);
        private volatile Optional<String> table = Optional.empty();

        @Override
        public LinkState link(String iface) {
            return LinkState.CARRIER;
        }

        @Override
        public Map<String, Inet4Address[]> addressesAndPeers() {
            return Map.of();
        }

        @Override
        public Map<String, Inet4Address> mainDefaultGateways() {
            return Map.of();
        }

        @Override
        public List<RuleSpec> rules() {
            calls.add("read rules");
            return List.copyOf(rules);
        }

        @Override
        public List<dualwan.plan.Rule6Spec> rules6() {
            calls.add("read rules6");
            return List.of();
        }

        @Override
        public Map<Integer, List<dualwan.plan.Route6Spec>> tables6(Iterable<Integer> ids) {
            calls.add("read tables6");
            return Map.of();
        }

        @Override
        public Map<Integer, List<RouteSpec>> tables(Iterable<Integer> ids) {
            calls.add("read tables");
            Map<Integer, List<RouteSpec>> out = new HashMap<>();
            ids.forEach(id -> out.put(id, List.copyOf(tables.getOrDefault(id, List.of()))));
            return out;
        }

        @Override
        public Optional<String> ip(List<String> args) throws IOException {
            CountDownLatch b = blockIp;
            if (b != null) {
                try {
                    b.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException("interrupted");
                }
            }
            calls.add("ip " + String.join(" ", args));
            return failIp ? Optional.of("RTNETLINK answers: Operation not permitted") : Optional.empty();
        }

        @Override
        public Optional<String> nftTable() {
            return table;
        }

        @Override
        public Optional<String> nft(String script) {
            calls.add("nft -f -");
            table = Optional.of("table inet dualwan { comment \"" + NftPlanner.planId(script).map(id -> "dualwan plan " + id).orElse("") + "\" }");
            return Optional.empty();
        }

        @Override
        public int conntrack(List<String> args) throws IOException {
            calls.add("conntrack " + String.join(" ", args));
            CountDownLatch b = blockConntrack;
            if (b != null) {
                try {
                    b.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException("interrupted");
                }
            }
            flushed.countDown();
            if (failConntrack) {
                throw new IOException("conntrack v1.4.7: injected failure");
            }
            return 3;
        }
    }
}
