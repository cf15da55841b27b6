package dualwan.labtools;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends --count datagrams to --to, one every --every (default 20ms), each
 * carrying magic "DWL1", a sequence number (from 0) and the send time in
 * epoch nanos. A fixed --source-port makes it look like one long-lived flow
 * (SIP/RTP-like); {@code --source-port new} sends each datagram from a fresh
 * socket, so each is a new connection to conntrack (for testing balancing).
 * Send errors (e.g. no route during a failover) are counted, not fatal.
 *
 * <pre>java -cp target/classes dualwan.labtools.UdpSender --to 203.0.113.100:9000 --every 20ms --count 500 [--source-port 5060|new]</pre>
 */
public final class UdpSender {
    static final int MAGIC = 0x44574c31; // "DWL1"
    /** {@code --source-port new}: a new socket, hence a new flow, for every datagram. */
    public static final int NEW_FLOW_EACH = -1;

    private UdpSender() {}

    public static void main(String[] argv) throws Exception {
        InetSocketAddress to;
        Duration every;
        long count;
        int sourcePort;
        try {
            Args args = new Args(argv, Set.of("to", "every", "count", "source-port"));
            to = Args.socketAddress(args.required("to"));
            every = Args.duration(args.get("every") == null ? "20ms" : args.get("every"));
            count = Long.parseLong(args.required("count"));
            String port = args.get("source-port");
            sourcePort = port == null ? 0 : port.equals("new") ? NEW_FLOW_EACH : Integer.parseInt(port);
            if (count < 0 || every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("--count must be >= 0 and --every > 0");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("UdpSender: " + e.getMessage());
            System.err.println("usage: UdpSender --to ADDR:PORT --every 20ms --count N [--source-port P|new]");
            System.exit(2);
            return;
        }
        long errors = send(to, every, count, sourcePort);
        System.out.println("UdpSender sent=" + count + " send_errors=" + errors);
    }

    /** Sends the datagrams; returns the number of failed sends. */
    public static long send(InetSocketAddress to, Duration every, long count, int sourcePort) throws IOException {
        long errors = 0;
        try (DatagramSocket socket = new DatagramSocket(sourcePort == NEW_FLOW_EACH ? 0 : sourcePort)) {
            byte[] buf = new byte[20];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            DatagramPacket p = new DatagramPacket(buf, buf.length, to);
            long period = every.toNanos();
            long start = System.nanoTime();
            for (long seq = 0; seq < count; seq++) {
                long due = start + seq * period;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                bb.clear();
                bb.putInt(MAGIC).putLong(seq).putLong(Args.epochNanos(Instant.now()));
                try {
                    if (sourcePort == NEW_FLOW_EACH) {
                        try (DatagramSocket once = new DatagramSocket()) {
                            once.send(p);
                        }
                    } else {
                        socket.send(p);
                    }
                } catch (IOException e) {
                    errors++;
                }
            }
        }
        return errors;
    }
}
