package dualwan.mqtt;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.config.Config;
import dualwan.config.ConfigLoader;
import dualwan.model.Mode;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS with a user name and a password file against a Mosquitto that requires both, configured the way a user
 * would: YAML, loader, password and CA files read at start. The CA and server certificate are made for each
 * run with {@code openssl}; the password file with {@code mosquitto_passwd}.
 */
class MqttTlsTest {

    private static final String P = "dualwan/tls";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path pki;
    @TempDir
    Path dir;

    private Mosquitto broker;

    @BeforeAll
    static void makeCertificates() throws Exception {
        Mosquitto.assumeInstalled();
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed: skipping TLS");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")), "mosquitto_passwd is missing");
        ca("ca");
        ca("rogue"); // a CA the client does not trust
        run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        Files.writeString(pki.resolve("server.ext"),
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
        run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
        run("mosquitto_passwd", "-c", "-b", "passwd", "dualwan", "s3cret pass");
        Files.writeString(pki.resolve("good.secret"), "s3cret pass\n");
        Files.writeString(pki.resolve("bad.secret"), "guess\n");
    }

    private static void ca(String name) throws Exception {
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=dualwan test " + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).directory(pki.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed:\n" + out);
        }
    }

    @BeforeEach
    void startBroker() throws Exception {
        broker = Mosquitto.start(dir, "allow_anonymous false\n"
                + "password_file " + pki.resolve("passwd") + "\n"
                + "cafile " + pki.resolve("ca.crt") + "\n"
                + "certfile " + pki.resolve("server.crt") + "\n"
                + "keyfile " + pki.resolve("server.key") + "\n");
    }

    @org.junit.jupiter.api.AfterEach
    void stopBroker() throws Exception {
        broker.close();
    }

    /** A reporter built as {@code dualwan run} builds it, from YAML; its state sections go to {@code sections}. */
    private MqttReporter reporter(String secret, String ca, BlockingQueue<Map<String, Object>> sections) throws Exception {
        Path yaml = Files.writeString(dir.resolve("dualwan.yaml"), """
                wans:
                  - name: isp1
                    interface: wan1
                  - name: isp2
                    interface: wan2
                state-file: %s
                mqtt:
                  broker: ssl://127.0.0.1:%d
                  client-id: dualwan-tls
                  username: dualwan
                  password-file: %s
                  ca-file: %s
                  topic-prefix: %s
                """.formatted(dir.resolve("state.json"), broker.port(), pki.resolve(secret), pki.resolve(ca), P));
        Config config = ConfigLoader.load(yaml);
        MqttReporter r = MqttReporter.create(config, Credentials.load(yaml, config.mqtt().orElseThrow()),
                MqttFixtures.acceptingEveryMode(""),
                sections::add);
        r.stateChanged(MqttFixtures.status("isp1", Mode.AUTO));
        r.start();
        return r;
    }

    /** Home Assistant's side: TLS, trusting our CA, with the same user. */
    private TestClient watcher() throws Exception {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("dualwan");
        o.setPassword("s3cret pass".toCharArray());
        o.setSocketFactory(Credentials.load(Path.of("test.yaml"), MqttFixtures.mqtt(broker.uri().replace("tcp:", "ssl:"),
                P, "w", Duration.ofSeconds(30), Optional.of("dualwan"), Optional.empty(),
                Optional.of(pki.resolve("ca.crt")))).tls().orElseThrow());
        return TestClient.connect(broker.uri().replace("tcp:", "ssl:"), o);
    }

    private static Map<String, Object> next(BlockingQueue<Map<String, Object>> sections) throws InterruptedException {
        Map<String, Object> s = sections.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(s != null, "no state section from the reporter");
        return s;
    }

    @Test
    void withTheRightCaAndPasswordEverythingIsPublished() throws Exception {
        BlockingQueue<Map<String, Object>> sections = new LinkedBlockingQueue<>();
        try (MqttReporter r = reporter("good.secret", "ca.crt", sections);
             TestClient ha = watcher().subscribe(P + "/availability", P + "/state")) {
            assertEquals(true, next(sections).get("connected"));
            assertEquals("online", ha.await(P + "/availability", x -> true, WAIT).payload());
            assertEquals("isp1", JSON.std.mapFrom(ha.await(P + "/state", x -> true, WAIT).payload()).get("active"));
            assertEquals(1, r.connections());
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndSaidSo() throws Exception {
        BlockingQueue<Map<String, Object>> sections = new LinkedBlockingQueue<>();
        try (MqttReporter r = reporter("bad.secret", "ca.crt", sections)) {
            Map<String, Object> s = next(sections);
            assertEquals(false, s.get("connected"));
            String error = s.get("error").toString();
            assertTrue(error.contains("Not authorized") || error.contains("Bad user name or password"), error);
            assertEquals(0, r.connections());
        }
        assertTrue(broker.log().contains("not authorised"), broker::log);
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefused() throws Exception {
        BlockingQueue<Map<String, Object>> sections = new LinkedBlockingQueue<>();
        try (MqttReporter r = reporter("good.secret", "rogue.crt", sections)) {
            Map<String, Object> s = next(sections);
            assertEquals(false, s.get("connected"));
            String error = s.get("error").toString();
            assertTrue(List.of("PKIX", "certificat", "handshake").stream().anyMatch(error::contains), error);
            assertEquals(0, r.connections());
        }
    }
}
