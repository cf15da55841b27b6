package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.lanDefaultDev;
import static dualwan.it.NatFlushTest.ISP1_ADDRESS;
import static dualwan.it.NatFlushTest.ISP2_ADDRESS;
import static dualwan.it.NatFlushTest.flushes;
import static dualwan.it.NatFlushTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dualwan.lab.Lab;
import dualwan.labtools.UdpGapReport;
import dualwan.labtools.UdpGapReport.Arrival;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forced mode, given with {@code dualwan mode} (the control socket) and over MQTT (a real Mosquitto in the
 * router's namespace), moves the real kernel while both uplinks are healthy: table 200's default, the policy's
 * routing mark in the nftables table, and the conntrack entries of the flows that moved. Both uplinks use
 * {@code nat: snat}, so a LAN flow arrives through the new uplink only if its conntrack entry was flushed.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class ForcedModeLabTest extends DaemonLabTest {
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final String BROKER = "tcp://127.0.0.1:1883";
    private static final int PLAIN_PORT = 5060;
    private static final int POLICY_PORT = 6001;
    private static final String POLICY = """
            policies:
              - name: toISP1
                match:
                  protocol: udp
                  ports: [6001]
                order: [isp1, isp2]
            mqtt:
              broker: tcp://127.0.0.1:1883
              topic-prefix: dualwan/lab
            """;

    @Test
    void cliAndMqttForceRoutesPoliciesAndFlushes(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO), "mosquitto is not installed");
        Path conf = Files.writeString(tmp.resolve("mosquitto.conf"), "listener 1883 127.0.0.1\n"
                + "allow_anonymous true\npersistence false\nuser " + System.getProperty("user.name") + "\n");
        List<Process> started = new ArrayList<>();
        started.add(lab.spawn("rtr", List.of(MOSQUITTO.toString(), "-c", conf.toString()), tmp.resolve("mosquitto.log")));
        try {
            daemon = Daemon.configure(lab, tmp, "3s", y -> NatFlushTest.snat("affected").apply(y) + POLICY).start();
            daemon.awaitAllUp();
            daemon.awaitState("connected to the broker", Duration.ofSeconds(15),
                    s -> s.get("mqtt") instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("connected")));
            Path plainLog = tmp.resolve("plain.log");
            Path policyLog = tmp.resolve("policy.log");
            started.add(ItLabs.startSink(lab, tmp, plainLog, PLAIN_PORT, 90));
            started.add(ItLabs.startSink(lab, tmp, policyLog, POLICY_PORT, 90));
            for (int port : List.of(PLAIN_PORT, POLICY_PORT)) { // one datagram every 100 ms, one 5-tuple each
                started.add(lab.spawn("lan", List.of(Daemon.java(), "-cp", Daemon.labClasspath(lab),
                        "dualwan.labtools.UdpSender", "--to", "203.0.113.100:" + port, "--every", "100ms",
                        "--count", "800", "--source-port", Integer.toString(port)), tmp.resolve("flow-" + port + ".out")));
            }
            awaitArrival(plainLog, ISP1_ADDRESS, 0, "the plain flow starts on isp1");
            awaitArrival(policyLog, ISP1_ADDRESS, 0, "the policy flow starts on isp1");

            step("cli", "isp2", "isp2", plainLog, policyLog);
            step("mqtt", "auto", "isp1", plainLog, policyLog);
            step("mqtt", "isp2", "isp2", plainLog, policyLog);
            step("cli", "auto", "isp1", plainLog, policyLog);
            assertEquals(4, Daemon.switches(daemon.stateNow()), "exactly one switch per command");
        } finally {
            started.forEach(Process::destroyForcibly);
        }
    }

    /**
     * Sets the mode through {@code how} and checks that the state, the kernel and both flows follow: each flow's
     * first datagram from the new uplink's address arrives after the command.
     */
    private void step(String how, String mode, String uplink, Path plainLog, Path policyLog) throws Exception {
        int flushesBefore = flushes(daemon.stateNow());
        long sentAtEpochNanos = epochNanos();
        long sentAt = System.nanoTime();
        if (how.equals("cli")) {
            Lab.Result r = lab.exec("rtr", Duration.ofSeconds(30), daemon.argv("mode", mode).toArray(String[]::new));
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stdout().startsWith("mode " + mode + ": active " + uplink), r::toString);
        } else {
            Lab.Result r = lab.exec("rtr", Duration.ofSeconds(30), Daemon.java(), "-cp", Daemon.labClasspath(lab),
                    "dualwan.labtools.MqttPublish", "--broker", BROKER, "--topic", "dualwan/lab/mode/set",
                    "--payload", mode);
            assertTrue(r.ok() && r.stdout().contains("published"), r::toString);
        }
        Map<String, Object> s = daemon.awaitState("mode " + mode + " by " + how + ": active " + uplink
                        + ", policy toISP1 on it, one more flush", Duration.ofSeconds(10),
                st -> mode.equals(st.get("mode")) && uplink.equals(active(st))
                        && uplink.equals(policy(st, "toISP1").get("active")) && flushes(st) > flushesBefore);
        long stateMs = (System.nanoTime() - sentAt) / 1_000_000;
        String dev = uplink.equals("isp1") ? "wan1" : "wan2";
        String address = uplink.equals("isp1") ? ISP1_ADDRESS : ISP2_ADDRESS;
        assertEquals(dev, lanDefaultDev(lab), "table 200's default after mode " + mode);
        String table = Daemon.ok(lab.exec("rtr", "nft", "list", "table", "inet", "dualwan"));
        assertTrue(table.contains("\"toISP1 via " + uplink + "\""), "the policy's mark follows the mode:\n" + table);
        Arrival plain = awaitArrival(plainLog, address, sentAtEpochNanos, "the plain flow after mode " + mode);
        Arrival pinned = awaitArrival(policyLog, address, sentAtEpochNanos, "the policy flow after mode " + mode);
        System.out.println("[it] mode " + mode + " by " + how + ": state " + stateMs + " ms, plain flow through "
                + uplink + " after " + (plain.epochNanos() - sentAtEpochNanos) / 1_000_000 + " ms, policy flow after "
                + (pinned.epochNanos() - sentAtEpochNanos) / 1_000_000 + " ms; conntrack " + s.get("conntrack"));
    }

    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The first datagram from {@code source} that arrived at or after {@code afterEpochNanos}, waiting up to 5 s. */
    private static Arrival awaitArrival(Path log, String source, long afterEpochNanos, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            for (Arrival a : UdpGapReport.read(log)) {
                if (a.source().equals(source) && a.epochNanos() >= afterEpochNanos) {
                    return a;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": nothing from " + source + " within 5 s; sources "
                        + UdpGapReport.analyze(log).sources());
            }
            Thread.sleep(100);
        }
    }
}
