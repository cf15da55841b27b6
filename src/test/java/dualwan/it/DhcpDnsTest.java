package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.rules;
import static dualwan.it.Daemon.table;
import static dualwan.it.Daemon.wan;
import static dualwan.it.Daemon.wanState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.lab.Lab;
import dualwan.labtools.UdpGapReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DHCP uplink (isp3: dnsmasq as the ISP's DHCP server, ISC dhclient with Debian's script in the router) and
 * DNS following the active uplink: the LAN's dnsmasq in the router (as user nobody, polling dualwan's resolv-file,
 * never signalled) gets isp1's configured resolver, then after failover isp3's resolver as learned from its lease; isp3 renumbers to a new subnet and gateway and the
 * routes, rules, traffic and DNS follow without a restart.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class DhcpDnsTest extends DaemonLabTest {
    static final String NAME = "svc.example.test";

    @Test
    void dhcpUplinkRenumbersAndLanDnsFollowsTheActiveUplink(@TempDir Path tmp) throws Exception {
        lab.lab("dhcp-up", NAME, "198.51.100.13");
        lab.resolver(1, NAME, "198.51.100.11");
        lab.lab("dhclient", "start");
        Path run = lab.runDir();
        assertEquals("nameserver 100.64.3.1\n", Files.readString(run.resolve("dns").resolve("wan3")),
                "dhclient's hook recorded the lease's DNS server");

        // As on the board: dnsmasq runs as another user (nobody) and reads dualwan's resolv-file from a 0755
        // directory; dualwan gets no pid file and sends no signal, so only dnsmasq's own polling can switch it.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path runDir = Files.createDirectory(tmp.resolve("run"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Path resolv = runDir.resolve("resolv.conf");
        Files.writeString(resolv, "");
        Path dnsmasqLog = tmp.resolve("lan-dnsmasq.log");
        lab.spawn("rtr", List.of("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-hosts",
                "--user=nobody", "--group=nogroup", "--bind-interfaces", "--listen-address=100.64.10.1",
                "--resolv-file=" + resolv, "--pid-file=" + tmp.resolve("lan-dnsmasq.pid"), "--log-facility=-"),
                dnsmasqLog);

        daemon = Daemon.configure(lab, tmp, "1s", y -> y
                .replace("    interface: wan1\n    gateway: auto\n",
                        "    interface: wan1\n    gateway: auto\n    dns: [100.64.1.1]\n")
                .replace("  - name: isp2\n    interface: wan2\n    gateway: auto\n",
                        "  - name: isp3\n    interface: wan3\n    gateway: auto\n    dns: auto\n")
                .replace("hosts: [192.0.2.2, 198.51.100.2, 203.0.113.2]", "hosts: [192.0.2.3, 198.51.100.3, 203.0.113.3]")
                + "dns:\n  resolv-file: " + resolv + "\n  learned-dir: " + run.resolve("dns") + "\n").start();
        Map<String, Object> s = daemon.awaitState("isp1 active, isp3 up on its lease", Duration.ofSeconds(20),
                st -> "isp1".equals(active(st)) && "up".equals(wanState(st, "isp3")));
        assertEquals("100.64.3.1", wan(s, "isp3").get("gateway"), s::toString);
        assertEquals(List.of("198.51.100.11"), awaitAnswer("198.51.100.11"), "LAN resolves through isp1's resolver");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(resolv)));
        assertTrue(Files.readString(dnsmasqLog).contains("using nameserver 100.64.1.1#53"), () -> log(dnsmasqLog));
        // A SIGHUP makes dnsmasq log "cleared cache"; re-reading a changed resolv-file does not.
        long clearedBefore = clearedCache(dnsmasqLog);

        lab.carrier(1, false);
        daemon.awaitState("isp3 active", Duration.ofSeconds(10), st -> "isp3".equals(active(st)));
        assertEquals(List.of("198.51.100.13"), awaitAnswer("198.51.100.13"), "through isp3's learned resolver");
        assertTrue(Files.readString(dnsmasqLog).contains("using nameserver 100.64.3.1#53"), () -> log(dnsmasqLog));
        String old = String.valueOf(wan(daemon.stateNow(), "isp3").get("address"));
        assertTrue(old.startsWith("100.64.3."), old);
        assertEquals(old, udpSourceSeenByTheInternet(tmp, "before"));

        // The ISP renumbers: new subnet, gateway and resolver; the client gets a new lease.
        lab.lab("dhcp-renumber", NAME, "198.51.100.33");
        lab.lab("dhclient", "release");
        lab.lab("dhclient", "start");
        s = daemon.awaitState("isp3 on its new lease", Duration.ofSeconds(20), st -> "up".equals(wanState(st, "isp3"))
                && String.valueOf(wan(st, "isp3").get("address")).startsWith("100.64.33."));
        String renewed = String.valueOf(wan(s, "isp3").get("address"));
        assertEquals("100.64.33.1", wan(s, "isp3").get("gateway"), s::toString);
        assertEquals("isp3", active(s));
        assertTrue(table(lab, 102).contains("\"gateway\":\"100.64.33.1\",\"dev\":\"wan3\""), table(lab, 102));
        assertTrue(table(lab, 200).contains("\"gateway\":\"100.64.33.1\",\"dev\":\"wan3\""), table(lab, 200));
        String rules = rules(lab);
        assertTrue(rules.contains("\"src\":\"" + renewed + "\""), "rule from the new address: " + rules);
        assertFalse(rules.contains("\"src\":\"" + old + "\""), "rule from the old address is gone: " + rules);
        assertEquals(renewed, udpSourceSeenByTheInternet(tmp, "after"));
        assertTrue(daemon.log().contains("conntrack -D --reply-dst " + old + ":"),
                "flows NATed to the old address are flushed:\n" + daemon.log());
        assertEquals(List.of("198.51.100.33"), awaitAnswer("198.51.100.33"), "through the renumbered resolver");
        assertEquals("nameserver 100.64.33.1\n", Files.readString(run.resolve("dns").resolve("wan3")));
        String dnsmasqSaid = Files.readString(dnsmasqLog);
        assertTrue(dnsmasqSaid.contains("using nameserver 100.64.33.1#53"), dnsmasqSaid);
        assertEquals(clearedBefore, clearedCache(dnsmasqLog), "dnsmasq got no SIGHUP:\n" + dnsmasqSaid);
        long reads = dnsmasqSaid.lines().filter(l -> l.contains("reading " + resolv)).count();
        System.out.println("[it] LAN dnsmasq (user nobody, no signal) re-read " + resolv + " " + reads
                + " times: isp1 -> isp3 -> isp3 renumbered");
        System.out.println("[it] DHCP uplink renumbered " + old + " -> " + renewed
                + "; routes, rules, NAT, conntrack, LAN traffic and LAN DNS followed");
    }

    /** The LAN client's query to the router's dnsmasq (bounded: 1 s). */
    private static List<String> resolve() {
        Lab.Result r = lab.exec("lan", Duration.ofSeconds(20), Daemon.java(), "-cp", Daemon.labClasspath(lab),
                "dualwan.labtools.DnsLookup", "--server", "100.64.10.1:53", "--name", NAME, "--timeout", "1s");
        return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static long clearedCache(Path dnsmasqLog) throws java.io.IOException {
        return Files.readString(dnsmasqLog).lines().filter(l -> l.contains("cleared cache")).count();
    }

    private static String log(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    /** The resolv-file is replaced just after the switch (DNS adapter's thread); dnsmasq's inotify sees it. */
    private static List<String> awaitAnswer(String expected) {
        List<String> last = List.of();
        for (int i = 0; i < 10; i++) {
            last = resolve();
            if (last.equals(List.of(expected))) {
                return last;
            }
            Daemon.sleep(Duration.ofMillis(300));
        }
        return last;
    }

    /** Sends a few datagrams from the LAN client and returns the one source address the internet host saw. */
    private static String udpSourceSeenByTheInternet(Path tmp, String tag) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("udp-" + tag));
        Path sinkLog = dir.resolve("sink.log");
        Process sink = ItLabs.startSink(lab, dir, sinkLog);
        Process sender = lab.spawn("lan", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab), "dualwan.labtools.UdpSender",
                "--to", "203.0.113.100:9000", "--every", "20ms", "--count", "10"), dir.resolve("sender.out"));
        assertTrue(sender.waitFor(20, TimeUnit.SECONDS), "sender finished");
        Thread.sleep(300);
        sink.destroy();
        sink.waitFor(5, TimeUnit.SECONDS);
        UdpGapReport.Report r = UdpGapReport.analyze(sinkLog);
        assertEquals(1, r.sources().size(), "one source: " + r.sources());
        return r.firstSource();
    }
}
