package dualwan.it;

import static dualwan.it.Daemon.active;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dualwan.labtools.UdpGapReport;
import dualwan.labtools.UdpGapReport.Arrival;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon with exactly the privileges systemd/dualwan.service gives it, in the ordinary lab: an
 * unprivileged user (nobody, with its own groups), CAP_NET_ADMIN and CAP_NET_RAW as ambient, inheritable and
 * the whole bounding set, no new privileges, umask 0077 (setpriv(1) and sh's umask; the unit's sandboxing
 * options are BootedTrixieTest's part). Through it: a failover with SNAT and a conntrack flush that moves a LAN
 * flow, MQTT against a real Mosquitto, the DNS follower's resolv-file (0644 in a 0755 directory that the user
 * owns, as RuntimeDirectory= makes it), the state file (0640) and the control socket, and a clean stop.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class ServiceUserLabTest extends DaemonLabTest {
    static final String USER = "nobody";
    /** CAP_NET_ADMIN (12) and CAP_NET_RAW (13), as /proc/PID/status prints a capability set. */
    static final String UNIT_CAPS = "0000000000003000";
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    /** systemd/dualwan.service's User=, AmbientCapabilities=, CapabilityBoundingSet=, NoNewPrivileges=, UMask=. */
    static List<String> asTheUnit() {
        String caps = "-all,+net_admin,+net_raw";
        return List.of("setpriv", "--reuid=" + USER, "--regid=nogroup", "--init-groups", "--inh-caps=" + caps,
                "--ambient-caps=" + caps, "--bounding-set=" + caps, "--no-new-privs", "--",
                // a fixed script: the daemon's argv follows as "$0" "$@", never part of the script
                "/bin/sh", "-c", "umask 0077 && exec \"$0\" \"$@\"");
    }

    @Test
    void failoverWithNatFlushMqttAndDnsAsTheServiceUser(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO), "mosquitto is not installed");
        assertTrue(Files.readString(dualwan.lab.Lab.repoRoot().resolve("systemd/dualwan.service")).contains(
                "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW\nCapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW\n"
                        + "NoNewPrivileges=yes"), "the unit's privileges changed: update asTheUnit()");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        // RuntimeDirectory=dualwan, RuntimeDirectoryMode=0755: the state file, control socket and resolv-file.
        Path run = Files.createDirectory(tmp.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Daemon.ok(lab.exec("rtr", "chown", USER + ":nogroup", run.toString()));
        Path learned = Files.createDirectory(tmp.resolve("learned"));
        Path resolv = run.resolve("resolv.conf");

        Path conf = Files.writeString(tmp.resolve("mosquitto.conf"), "listener 1883 127.0.0.1\nallow_anonymous true\n"
                + "persistence false\nuser " + System.getProperty("user.name") + "\n");
        Process broker = lab.spawn("rtr", List.of(MOSQUITTO.toString(), "-c", conf.toString()), tmp.resolve("mosquitto.log"));
        Path watchLog = tmp.resolve("watch.log");
        Process watch = null, sink = null, sender = null;
        try {
            daemon = Daemon.configure(lab, run, "3s", y -> NatFlushTest.snat("affected").apply(y
                    .replace("    interface: wan1\n    gateway: auto\n", "    interface: wan1\n    gateway: auto\n"
                            + "    dns: [100.64.1.1]\n")
                    .replace("    interface: wan2\n    gateway: auto\n", "    interface: wan2\n    gateway: auto\n"
                            + "    dns: [100.64.2.1]\n"))
                    + "mqtt:\n  broker: tcp://127.0.0.1:1883\n  topic-prefix: dualwan/unit\n  keep-alive: 5s\n"
                    + "dns:\n  resolv-file: " + resolv + "\n  learned-dir: " + learned + "\n")
                    .withLauncher(asTheUnit()).withEnv("HOME=/nonexistent").start();
            daemon.awaitAllUp();
            Map<String, String> status = procStatus(daemon.pid());
            System.out.println("[it] service user: " + status);
            assertEquals("java", Files.readString(Path.of("/proc/" + daemon.pid() + "/comm")).trim(),
                    "the pid is the JVM itself (every launcher execs)");
            assertEquals("65534", status.get("Uid").split("\\s+")[1], "effective uid: " + status);
            for (String set : List.of("CapEff", "CapPrm", "CapAmb", "CapBnd")) {
                assertEquals(UNIT_CAPS, status.get(set), set + ": " + status);
            }
            assertEquals("1", status.get("NoNewPrivs"), status::toString);

            assertEquals(List.of("nameserver 100.64.1.1"), nameservers(resolv));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(resolv)),
                    "dnsmasq, another user, must read the resolv-file despite UMask=0077");
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.stateFile())));
            assertEquals(USER, Files.getOwner(daemon.stateFile()).getName());
            assertTrue(Files.exists(run.resolve("control.sock")), "the control socket is made beside the state file");

            watch = lab.spawn("rtr", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab), "dualwan.labtools.MqttWatch",
                    "--broker", "tcp://127.0.0.1:1883", "--topic", "dualwan/unit/#", "--seconds", "60"), watchLog);
            awaitLine(watchLog, "dualwan/unit/availability [retained] online");

            // A SIP-like LAN flow (one source port): SNATed to isp1, stuck there after the switch unless the
            // conntrack flush (run as the service user) removes its entry.
            Path sipLog = tmp.resolve("sip.log");
            sink = ItLabs.startSink(lab, tmp, sipLog, NatFlushTest.SIP, 60);
            sender = lab.spawn("lan", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab),
                    "dualwan.labtools.UdpSender", "--to", "203.0.113.100:" + NatFlushTest.SIP, "--every", "100ms",
                    "--count", "300", "--source-port", Integer.toString(NatFlushTest.SIP)), tmp.resolve("sip-sender.out"));
            awaitArrival(sipLog, NatFlushTest.ISP1_ADDRESS, 0);

            lab.cut(1);
            Map<String, Object> s = daemon.awaitState("isp2 active and the flush counted", Duration.ofSeconds(15),
                    st -> "isp2".equals(active(st)) && NatFlushTest.flushes(st) == 1);
            java.time.Instant at = NatFlushTest.lastSwitchAt(s);
            long switchedAt = at.getEpochSecond() * 1_000_000_000L + at.getNano();
            Arrival viaIsp2 = awaitArrival(sipLog, NatFlushTest.ISP2_ADDRESS, switchedAt);
            System.out.println("[it] service user: the SNAT flow arrived through isp2 "
                    + (viaIsp2.epochNanos() - switchedAt) / 1_000_000 + " ms after the switch");
            assertEquals("wan2", Daemon.lanDefaultDev(lab));
            assertTrue(daemon.log().contains("--reply-dst 100.64.1.2"), daemon.log());
            awaitLine(watchLog, "dualwan/unit/event {\"from\":\"isp1\",\"to\":\"isp2\"");
            awaitNameservers(resolv, List.of("nameserver 100.64.2.1"));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(resolv)));
            assertEquals(true, ((Map<?, ?>) daemon.stateNow().get("mqtt")).get("connected"));

            String log = daemon.log();
            for (String denied : List.of("Operation not permitted", "Permission denied", "EPERM", "EACCES")) {
                assertFalse(log.contains(denied), "as the service user: " + denied + "\n" + log);
            }
            daemon.close();
            awaitLine(watchLog, "dualwan/unit/availability offline");
        } finally {
            for (Process p : new Process[] {sender, sink, watch, broker}) {
                if (p != null) p.destroyForcibly();
            }
        }
    }

    /** Uid, NoNewPrivs and the capability sets of a process. */
    private static Map<String, String> procStatus(long pid) throws Exception {
        Map<String, String> m = new java.util.TreeMap<>();
        Matcher line = Pattern.compile("(?m)^(Uid|Gid|Groups|Cap\\w+|NoNewPrivs):\\s*(.*)$")
                .matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
        while (line.find()) m.put(line.group(1), line.group(2).trim());
        return m;
    }

    /** The first datagram from {@code source} that arrived at or after {@code afterEpochNanos}, within 10 s. */
    private static Arrival awaitArrival(Path log, String source, long afterEpochNanos) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            if (Files.exists(log)) {
                for (Arrival a : UdpGapReport.read(log)) {
                    if (a.source().equals(source) && a.epochNanos() >= afterEpochNanos) return a;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no datagram from " + source + ":\n" + ItLabs.read(log));
            }
            Thread.sleep(100);
        }
    }

    private static List<String> nameservers(Path resolv) throws Exception {
        return Files.readAllLines(resolv).stream().filter(l -> l.startsWith("nameserver")).toList();
    }

    private static void awaitNameservers(Path resolv, List<String> expected) throws Exception {
        for (int i = 0; i < 100 && !expected.equals(nameservers(resolv)); i++) Thread.sleep(100);
        assertEquals(expected, nameservers(resolv), () -> ItLabs.read(resolv));
    }

    private static void awaitLine(Path log, String text) throws Exception {
        for (int i = 0; i < 150; i++) {
            if (Files.exists(log) && Files.readString(log).contains(text)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("the watcher never printed '" + text + "':\n" + ItLabs.read(log));
    }
}
