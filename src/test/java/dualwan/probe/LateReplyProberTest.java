package dualwan.probe;

import dualwan.model.ProbeMethod;
import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real prober and a DNS responder on loopback (127.0.0.77:53, bound to lo: nothing leaves the host) that
 * answers 1.2 s late, after first sending an answer with the wrong id. The probe times out at 300 ms, then gets
 * exactly one late reply with its real round trip; the forged answer is never taken. Needs CAP_NET_ADMIN for
 * SO_MARK/SO_BINDTODEVICE (lab only).
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class LateReplyProberTest {

    private static final Inet4Address RESPONDER = Inet4Address.ofLiteral("127.0.0.77");
    private static final Duration DELAY = Duration.ofMillis(1200);

    @Test
    void aReplyAfterTheTimeoutComesAsOneLateResultAndAForgedOneIsIgnored() throws Exception {
        List<ProbeResult> results = new CopyOnWriteArrayList<>();
        List<Long> at = new CopyOnWriteArrayList<>();
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(RESPONDER, 53))) {
            server.setSoTimeout(5000);
            Thread responder = Thread.ofPlatform().daemon().start(() -> respondLate(server));
            long t0 = System.nanoTime();
            try (Prober prober = new NativeProber(r -> {
                results.add(r);
                at.add(System.nanoTime() - t0);
            })) {
                prober.start(new ProbeRequest(7, "lo", 0, RESPONDER, ProbeMethod.DNS, Duration.ofMillis(300)));
                long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                while (results.size() < 2 && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
                Thread.sleep(300); // a duplicate would show here
            }
            responder.join(1000);
        }
        assertEquals(2, results.size(), "a miss, then the late reply: " + results);
        ProbeResult miss = results.get(0);
        assertFalse(miss.reachable());
        assertFalse(miss.late());
        assertEquals("timeout", miss.detail());
        ProbeResult late = results.get(1);
        assertTrue(late.reachable() && late.late(), late.toString());
        assertEquals(7, late.id());
        assertTrue(late.rtt().compareTo(DELAY) >= 0 && late.rtt().compareTo(DELAY.plusMillis(500)) < 0,
                "the real round trip: " + late.rtt());
        System.out.println("late DNS reply: miss after " + at.get(0) / 1_000_000 + " ms, late reply after "
                + late.rtt().toMillis() + " ms (a forged answer before it was ignored)");
    }

    /** Waits for the query, sends a forged answer (wrong id) at once, and the real one after {@link #DELAY}. */
    private static void respondLate(DatagramSocket server) {
        try {
            DatagramPacket q = new DatagramPacket(new byte[512], 512);
            server.receive(q);
            byte[] answer = java.util.Arrays.copyOf(q.getData(), q.getLength());
            answer[2] |= (byte) 0x80; // QR: a response
            byte[] forged = answer.clone();
            forged[1] ^= 0x5a; // another id
            server.send(new DatagramPacket(forged, forged.length, q.getSocketAddress()));
            Thread.sleep(DELAY.toMillis());
            server.send(new DatagramPacket(answer, answer.length, q.getSocketAddress()));
        } catch (SocketTimeoutException e) {
            // no query came: the assertions say so
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
