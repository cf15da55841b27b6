package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.lanDefaultDev;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dualwan.lab.Lab;
import dualwan.labtools.UdpGapReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product as users run it: the freshly built .deb installed with apt into a booted Debian trixie
 * (systemd 257) in the lab's router namespace, the shipped unit running the daemon as user dualwan, and the
 * core failover scenario (FailoverTest) through the lab's ISPs; then upgrade, remove and purge.
 * Needs target/dualwan_*_all.deb ({@code mvn package}); the trixie root is cached (scripts/trixie-root).
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class BootedTrixieTest {
    static final long HOLD_MS = 3000;
    static final String UNIT = "dualwan";
    static final String ALL_CAPS = "0000000000003000"; // CAP_NET_ADMIN (12) and CAP_NET_RAW (13)
    private static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for dualwan.service: ([0-9.]+)");

    @Test
    @org.junit.jupiter.api.Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES) // 2 min warm, 4+ cold
    void installRunFailOverUpgradeRemovePurge(@TempDir Path tmp) throws Exception {
        assumeTrue(TrixieMachine.available(), "needs root, systemd-nspawn and debootstrap");
        Path deb = Packages.newestDeb(Lab.repoRoot());
        System.out.println("[it] package " + deb.getFileName() + ": " + Files.size(deb) + " bytes; lintian: "
                + Packages.lintian(deb));
        Path debs = Files.createDirectories(tmp.resolve("debs"));
        Path v1 = Files.copy(deb, debs.resolve(deb.getFileName()));
        Lab lab = Lab.start();
        try (TrixieMachine m = TrixieMachine.boot(lab, tmp.resolve("machine"), lab.ns("rtr"), debs)) {
            long t0 = System.nanoTime();
            m.ok("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "/srv/debs/" + v1.getFileName());
            System.out.println("[it] apt-get install ./" + v1.getFileName() + ": " + ms(t0) + " ms (dependencies from the cache)");
            unitIsClean(m);

            Files.writeString(m.root().resolve("etc/dualwan/dualwan.yaml"), labConfig(lab));
            m.halt();
            long bootAt = System.nanoTime();
            m.bootAgain();
            m.awaitState("isp1 active after boot", Duration.ofSeconds(30), s -> "isp1".equals(active(s)));
            System.out.println("[it] reboot: machine booted and the daemon's first state seen " + ms(bootAt) + " ms after nspawn started");
            runsAsShipped(m);
            String invocation = m.show(UNIT, "InvocationID");

            failoverAndFailback(lab, m, tmp);
            journalHasPriorities(m);

            upgradeKeepsConfigAndRules(lab, m, debs, v1, invocation);
            long removeAt = System.nanoTime();
            m.ok("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "remove", "-y", "-q", "dualwan");
            System.out.println("[it] apt-get remove: " + ms(removeAt) + " ms");
            assertEquals("inactive", m.exec("systemctl", "is-active", UNIT).stdout().strip());
            assertKernelClean(lab);
            assertTrue(m.exec("test", "-f", "/etc/dualwan/dualwan.yaml").ok(), "remove keeps the config");
            assertTrue(m.exec("getent", "passwd", "dualwan").ok(), "remove keeps the user");

            m.ok("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "purge", "-y", "-q", "dualwan");
            assertFalse(m.exec("test", "-e", "/etc/dualwan").ok(), "purge removes /etc/dualwan");
            assertFalse(m.exec("getent", "passwd", "dualwan").ok(), "purge removes the user");
            assertFalse(m.exec("getent", "group", "dualwan").ok(), "purge removes the group");
        } finally {
            ItLabs.close(lab);
        }
    }

    /** systemd 257's verdicts on the installed unit: verify prints nothing, the exposure is at most 2.0. */
    private static void unitIsClean(TrixieMachine m) {
        Lab.Result verify = m.exec("systemd-analyze", "verify", "/usr/lib/systemd/system/dualwan.service");
        assertTrue(verify.ok() && verify.stdout().isBlank() && verify.stderr().isBlank(),
                "systemd-analyze verify must print nothing: " + verify);
        String security = m.ok("systemd-analyze", "security", "--offline=true", "--no-pager",
                "/usr/lib/systemd/system/dualwan.service");
        Matcher e = EXPOSURE.matcher(security);
        assertTrue(e.find(), security);
        System.out.println("[it] systemd " + m.ok("systemctl", "--version").lines().findFirst().orElse("?")
                + ": exposure of dualwan.service " + e.group(1) + " (" + security.lines().reduce((a, b) -> b).orElse("") + ")");
        assertTrue(Double.parseDouble(e.group(1)) <= 2.0, security);
    }

    /** Active as user dualwan, exactly CAP_NET_ADMIN and CAP_NET_RAW, READY sent, nothing world-readable. */
    private static void runsAsShipped(TrixieMachine m) {
        assertEquals("notify", m.show(UNIT, "Type"));
        assertEquals("active", m.show(UNIT, "ActiveState"), "Type=notify: active only after READY=1");
        assertEquals("running", m.show(UNIT, "SubState"));
        assertEquals("0", m.show(UNIT, "NRestarts"));
        long bootToReady = (Long.parseLong(m.show(UNIT, "ActiveEnterTimestampMonotonic"))
                - Long.parseLong(m.ok("systemctl", "show", "-P", "UserspaceTimestampMonotonic"))) / 1000;
        long startToReady = (Long.parseLong(m.show(UNIT, "ActiveEnterTimestampMonotonic"))
                - Long.parseLong(m.show(UNIT, "ExecMainStartTimestampMonotonic"))) / 1000;
        System.out.println("[it] boot to READY " + bootToReady + " ms (systemd's clock), process start to READY "
                + startToReady + " ms");
        String pid = m.show(UNIT, "MainPID");
        String status = m.ok("cat", "/proc/" + pid + "/status");
        String uid = m.ok("id", "-u", "dualwan");
        assertTrue(status.contains("\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid), status);
        for (String set : List.of("CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertTrue(status.contains(set + ":\t" + ALL_CAPS), set + " must be exactly NET_ADMIN+NET_RAW: " + status);
        }
        assertEquals("640 dualwan dualwan", m.ok("stat", "-c", "%a %U %G", "/run/dualwan/state.json"));
        // 0755: the LAN's dnsmasq (another user) must reach the resolv-file dualwan writes there (0644, public
        // resolvers only); every other file in it is the service's own.
        assertEquals("755", m.ok("stat", "-c", "%a", "/run/dualwan"));
        assertEquals("", m.ok("find", "/run/dualwan", "-mindepth", "1", "-perm", "/o=rwx", "!", "-name", "resolv.conf"),
                "nothing but the resolv-file is world-accessible");
    }

    /** FailoverTest's scenario under the shipped unit: cut isp1, a LAN flow re-NATed through isp2, failback. */
    private static void failoverAndFailback(Lab lab, TrixieMachine m, Path tmp) throws Exception {
        m.awaitState("both uplinks up", Duration.ofSeconds(30),
                s -> "isp1".equals(active(s)) && "up".equals(wanState(s, "isp1")) && "up".equals(wanState(s, "isp2")));
        Path sinkLog = tmp.resolve("sink.log");
        Process sink = ItLabs.startSink(lab, tmp, sinkLog);
        Process sender = lab.spawn("lan", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab),
                "dualwan.labtools.UdpSender", "--to", "203.0.113.100:9000", "--every", "20ms",
                "--count", "500", "--source-port", "5061"), tmp.resolve("sender.out"));
        Thread.sleep(2000);
        long cutAt = System.nanoTime();
        lab.cut(1);
        // In sync: the kernel worker applies a decision a moment after the state file shows it.
        Map<String, Object> s = m.awaitState("active isp2 after cutting isp1", Duration.ofSeconds(10),
                st -> "isp2".equals(active(st)) && Daemon.inSync(st));
        System.out.println("[it] booted trixie: cut isp1, state switched to isp2 after " + ms(cutAt) + " ms");
        assertEquals("wan2", lanDefaultDev(lab));
        assertTrue(sender.waitFor(20, TimeUnit.SECONDS), "sender did not finish");
        Thread.sleep(300);
        sink.destroy();
        sink.waitFor(5, TimeUnit.SECONDS);
        UdpGapReport.Report r = UdpGapReport.analyze(sinkLog);
        System.out.println("[it] booted trixie: LAN UDP flow across the failover: max gap " + r.maxGapMillis()
                + " ms, lost " + r.lostOf(500) + " of 500, sources " + r.sources());
        assertEquals("100.64.1.2", r.firstSource());
        assertEquals("100.64.2.2", r.lastSource(), "the flow must be re-NATed through isp2");
        // The flush runs on the worker's conntrack thread after the routes; its count follows in a later state.
        Map<String, Object> flushed = m.awaitState("a conntrack flush on the switch", Duration.ofSeconds(10),
                st -> st.get("conntrack") instanceof Map<?, ?> c && ((Number) c.get("flushes")).intValue() >= 1);
        assertTrue(flushed.get("conntrack") instanceof Map<?, ?>, flushed::toString);

        long restoredAt = System.nanoTime();
        lab.restore(1);
        Map<String, Object> back = m.awaitState("failback to isp1", Duration.ofSeconds(30),
                st -> "isp1".equals(active(st)));
        long backMs = ms(restoredAt);
        System.out.println("[it] booted trixie: restore isp1, failback after " + backMs + " ms (hold " + HOLD_MS + " ms)");
        assertTrue(backMs >= HOLD_MS - 1000, "failed back before the hold: " + backMs + " ms");
        assertEquals("wan1", lanDefaultDev(lab));
        assertEquals(2, Daemon.switches(back), back::toString);
    }

    /** Under systemd the lines carry their priority: -p warning shows the switches, not the ip commands. */
    private static void journalHasPriorities(TrixieMachine m) {
        String warnings = m.ok("journalctl", "-u", UNIT, "-t", "dualwan", "-p", "warning", "-o", "cat", "--no-pager");
        assertTrue(warnings.contains("switch isp1 -> isp2"), warnings);
        assertTrue(warnings.contains("switch isp2 -> isp1"), warnings);
        assertFalse(warnings.contains("ip rule add") || warnings.contains("ip route replace"), "info lines: " + warnings);
        String info = m.ok("journalctl", "-u", UNIT, "-t", "dualwan", "-p", "info..info", "-o", "cat", "--no-pager");
        assertTrue(info.contains("ip rule add priority 1000"), info);
        assertFalse(info.lines().anyMatch(l -> l.matches("^\\d{4}-\\d\\d-\\d\\d .*")), "no second timestamp: " + info);
    }

    private static void upgradeKeepsConfigAndRules(Lab lab, TrixieMachine m, Path debs, Path v1, String invocation)
            throws Exception {
        String config = m.ok("cat", "/etc/dualwan/dualwan.yaml");
        String kernelBefore = Daemon.kernelSnapshot(lab);
        Path v2 = Packages.withVersion(v1, debs, m.ok("dpkg-query", "-W", "-f", "${Version}", "dualwan") + "+rebuilt");
        long t0 = System.nanoTime();
        m.ok("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "/srv/debs/" + v2.getFileName());
        System.out.println("[it] upgrade to " + v2.getFileName() + ": " + ms(t0) + " ms");
        assertNotEquals(invocation, m.show(UNIT, "InvocationID"), "the upgrade restarts the service");
        assertEquals("active", m.show(UNIT, "ActiveState"));
        assertEquals(config, m.ok("cat", "/etc/dualwan/dualwan.yaml"), "the config is kept");
        m.awaitState("isp1 active after the upgrade", Duration.ofSeconds(30),
                s -> "isp1".equals(active(s)) && "up".equals(wanState(s, "isp2")));
        String kernelAfter = Daemon.kernelSnapshot(lab);
        assertEquals(kernelBefore, kernelAfter, "the restarted daemon adopts the kernel state: no duplicates");
        List<Object> priorities = Daemon.jsonList(Daemon.rules(lab)).stream().map(r -> r.get("priority")).toList();
        assertEquals(priorities.stream().distinct().count(), priorities.size(), "duplicate rules: " + priorities);
    }

    private static void assertKernelClean(Lab lab) {
        for (Map<String, Object> r : Daemon.jsonList(Daemon.rules(lab))) {
            int p = ((Number) r.get("priority")).intValue();
            assertFalse(p >= 1000 && p <= 1099, "rule left behind: " + r);
        }
        for (int t : List.of(101, 102, 200)) {
            assertEquals("", Daemon.table(lab, t).replace("[]", ""), "table " + t + " left behind");
        }
        assertFalse(lab.exec("rtr", "nft", "list", "table", "inet", "dualwan").ok(), "nftables table left behind");
    }

    private static String labConfig(Lab lab) throws Exception {
        return Files.readString(lab.root().resolve("scripts").resolve("lab.yaml"))
                .replace("hold: 10s", "hold: 3s")
                .replaceAll("(?m)^state-file:.*$", "# state-file: the default, /run/dualwan/state.json");
    }

    private static long ms(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }
}
