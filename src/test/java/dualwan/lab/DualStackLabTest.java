package dualwan.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dualwan.config.Prefix6;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Proves the dual-stack lab by itself, without the daemon: router adverts from radvd give both uplinks a SLAAC
 * address and a default via fe80::1, ISC dhcpd delegates a prefix per ISP that the router's dhclient and
 * dualwan's hook write to the learned dir, IPv6 goes out through each ISP (counted at the ISP), the IPv6 faults
 * hit IPv6 only, a renumbered delegation reaches the file, and teardown leaves no namespace or daemon.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class DualStackLabTest {
    private static final String HOST = LabIpv6.HOSTS6.get(0);
    private static final String OTHER_HOST = LabIpv6.HOSTS6.get(3);
    private static Lab lab;
    private static LabIpv6 six;
    private static Path runDir;

    @BeforeAll
    static void up() {
        assumeTrue(LabIpv6.available(), "the dual-stack lab needs root, ip, nft, radvd, dhcpd and dhclient");
        long t0 = System.nanoTime();
        lab = Lab.startDualStack(env -> env.put("LAB_NAT", "1")); // no daemon here to do NAT44/NAT66
        System.out.printf("[lab6] dual-stack lab up in %d ms (IPv4 lab, RA, SLAAC, DHCPv6-PD on both uplinks)%n",
                (System.nanoTime() - t0) / 1_000_000);
        six = lab.ipv6();
        runDir = lab.runDir();
    }

    @AfterAll
    static void teardown() throws IOException {
        if (lab == null) {
            return;
        }
        lab.close();
        Lab.Result r = Lab.runArgv(List.of("ip", "netns", "list"), Duration.ofSeconds(10), e -> {});
        assertFalse(r.stdout().contains(lab.prefix() + "-"), "namespaces left behind:\n" + r.stdout());
        List<String> left = labDaemons();
        assertTrue(left.isEmpty(), "lab daemons left behind: " + left);
        assertFalse(Files.exists(runDir), "run dir left behind: " + runDir);
    }

    /** Processes whose command line names this lab's run dir (radvd, dhcpd, dhclient all get their files there). */
    private static List<String> labDaemons() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (cmd.contains(runDir.toString()) && !cmd.contains("DualStackLabTest")) {
                        found.add(p.getFileName() + ": " + cmd);
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return found;
    }

    @AfterEach
    void heal() {
        lab.heal();
    }

    private static boolean ping6(String role, String... via) {
        List<String> argv = new ArrayList<>(List.of("ping", "-6", "-n", "-c", "1", "-W", "1"));
        argv.addAll(List.of(via));
        return lab.exec(role, argv.toArray(String[]::new)).ok();
    }

    private static boolean ping6Soon(String wan, String addr) {
        for (int i = 0; i < 3; i++) {
            if (ping6("rtr", "-I", wan, addr)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void routerAdvertsGiveBothUplinksALinkLocalDefaultAndASlaacAddress() {
        String defaults = lab.exec("rtr", "ip", "-6", "route", "show", "default").stdout();
        System.out.print("[lab6] rtr: ip -6 route show default\n" + defaults);
        for (int n = 1; n <= 2; n++) {
            assertTrue(defaults.matches("(?s).*default via fe80::1 dev wan" + n + " proto ra .*"),
                    "RA default via fe80::1 dev wan" + n + ":\n" + defaults);
            String addr = lab.exec("rtr", "ip", "-6", "addr", "show", "dev", "wan" + n, "scope", "global").stdout();
            assertTrue(addr.contains("inet6 " + LabIpv6.wanAddress(n) + "/64 scope global dynamic"),
                    "SLAAC address (dynamic, from the RA) on wan" + n + ":\n" + addr);
        }
    }

    @Test
    void bothDelegatedPrefixesAreLearnedAndValid() {
        System.out.println("[lab6] " + six.pdStatus().strip().replace("\n", "\n[lab6] "));
        assertEquals(runDir.resolve("prefix6"), six.learnedDir());
        for (int n = 1; n <= 2; n++) {
            Optional<Prefix6> p = six.learnedPrefix(n);
            assertTrue(p.isPresent(), "wan" + n + "'s file is a valid learned prefix");
            assertEquals(56, p.get().length());
            assertTrue(inside(p.get(), LabIpv6.delegationRange(n)), p.get() + " from ISP " + n + "'s range");
        }
    }

    /** The ISPs route the delegated prefixes to the router: an address of each answers from the internet. */
    @Test
    void theDelegatedPrefixesAreRoutedToTheRouter() throws Exception {
        for (int n = 1; n <= 2; n++) {
            Prefix6 p = six.learnedPrefix(n).orElseThrow();
            byte[] first = p.address().getAddress();
            first[15] = 1;
            String addr = java.net.InetAddress.getByAddress(first).getHostAddress();
            String table = Integer.toString(60 + n);
            // The reply leaves through the ISP that delegated the prefix (the other one drops a foreign source).
            List<List<String>> setup = List.of(List.of("ip", "-6", "addr", "add", addr + "/128", "dev", "lo"),
                    List.of("ip", "-6", "route", "add", "default", "via", "fe80::1", "dev", "wan" + n, "table", table),
                    List.of("ip", "-6", "rule", "add", "from", p.toString(), "lookup", table, "priority", "600"));
            try {
                for (List<String> c : setup) {
                    Lab.Result r = lab.exec("rtr", c.toArray(String[]::new));
                    assertTrue(r.ok(), c + ": " + r);
                }
                assertTrue(ping6("inet", addr), "inet -> " + addr + " (ISP " + n + "'s delegation) reaches the router");
            } finally {
                lab.exec("rtr", "ip", "-6", "rule", "del", "from", p.toString(), "lookup", table, "priority", "600");
                lab.exec("rtr", "ip", "-6", "route", "flush", "table", table);
                lab.exec("rtr", "ip", "-6", "addr", "del", addr + "/128", "dev", "lo");
            }
        }
    }

    @Test
    void ipv6LeavesThroughEachIspAndIsCountedOnlyThere() {
        six.countStart6(1, "via1", HOST, OTHER_HOST);
        six.countStart6(2, "via2", HOST, OTHER_HOST);
        assertTrue(ping6Soon("wan1", HOST), "wan1 -> " + HOST);
        assertEquals(1, six.countRead6(1, "via1"), "the echo through ISP1 is counted at ISP1");
        assertEquals(0, six.countRead6(2, "via2"), "and not at ISP2");
        assertTrue(ping6Soon("wan2", OTHER_HOST), "wan2 -> " + OTHER_HOST);
        assertEquals(1, six.countRead6(2, "via2"));
        assertEquals(1, six.countRead6(1, "via1"));
        assertTrue(ping6("lan", HOST), "the LAN client's ULA reaches the internet (NAT66 of LAB_NAT)");
    }

    @Test
    void cut6StopsIpv6ButNotIpv4AndRestoreUndoesIt() {
        six.cut6(1);
        assertFalse(ping6("rtr", "-I", "wan1", HOST), "no IPv6 through ISP1");
        assertTrue(ping6("rtr", "-I", "wan1", LabIpv6.GATEWAY6 + "%wan1"), "ISP1's fe80::1 still answers");
        assertTrue(lab.exec("rtr", "ping", "-n", "-c", "1", "-W", "1", "-I", "wan1", "192.0.2.1").ok(),
                "IPv4 through ISP1 unaffected");
        assertTrue(ping6Soon("wan2", HOST), "ISP2's IPv6 unaffected");
        lab.restore(1);
        assertTrue(ping6Soon("wan1", HOST), "restore brings ISP1's IPv6 back");
    }

    @Test
    void gw6SilentDropsEchoToTheGatewayOnly() {
        six.gatewaySilent6(2);
        assertFalse(ping6("rtr", "-I", "wan2", LabIpv6.GATEWAY6 + "%wan2"), "fe80::1 ignores echo");
        assertTrue(ping6Soon("wan2", HOST), "ISP2 still forwards IPv6");
        assertTrue(lab.exec("rtr", "ping", "-n", "-c", "1", "-W", "1", "100.64.2.1").ok(), "IPv4 gateway answers");
    }

    @Test
    void theIpv4CutAndBlackholeCutIpv6Too() {
        lab.cut(1);
        assertFalse(ping6("rtr", "-I", "wan1", HOST), "cut: no IPv6 through ISP1");
        lab.blackhole(2);
        assertFalse(ping6("rtr", "-I", "wan2", HOST), "blackhole: no IPv6 through ISP2");
        lab.heal();
        assertTrue(ping6Soon("wan1", HOST), "heal: ISP1's IPv6 back (routes re-added after the link came up)");
        assertTrue(ping6Soon("wan2", HOST), "heal: ISP2's IPv6 back");
    }

    /** pd-renumber itself fails when the file has not changed 30 s after the ISP's server moved; the time is printed. */
    @Test
    void aRenumberedDelegationReachesTheLearnedFile() {
        Prefix6 before = six.learnedPrefix(2).orElseThrow();
        LabIpv6.Renumbered r = six.pdRenumber(2);
        System.out.printf("[lab6] pd-renumber isp2: %s -> %s, the hook wrote it %d ms after the new server started%n",
                before, r.prefix(), r.millis());
        assertEquals("prefix " + before, r.previous());
        assertNotEquals(before, r.prefix());
        assertEquals(Optional.of(r.prefix()), six.learnedPrefix(2), "the file holds the new prefix");
        assertTrue(inside(r.prefix(), LabIpv6.delegationRange(2)));
        assertTrue(ping6Soon("wan2", HOST), "ISP2 still carries IPv6 after renumbering");
    }

    private static boolean inside(Prefix6 p, Prefix6 range) {
        byte[] a = p.address().getAddress();
        byte[] r = range.address().getAddress();
        int bits = range.length();
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (r[i / 8] & mask)) {
                return false;
            }
        }
        return p.length() >= bits;
    }
}
