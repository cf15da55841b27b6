package dualwan.labtools;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One bounded DNS query for a name's A records, for the lab's LAN client (no dig needed).
 *
 * <pre>java -cp dualwan.jar dualwan.labtools.DnsLookup --server 100.64.10.1:53 --name svc.example.test [--timeout 1s]</pre>
 *
 * Prints each address on its own line; exit 0 with at least one, 1 with none or no answer in time, 2 on bad input.
 */
public final class DnsLookup {
    private DnsLookup() {}

    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = new Args(argv, Set.of("server", "name", "timeout"));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        var server = Args.socketAddress(args.required("server"));
        String name = args.required("name");
        Duration timeout = Args.duration(args.get("timeout") == null ? "1s" : args.get("timeout"));
        int id = new SecureRandom().nextInt(0x10000);
        byte[] query = query(id, name);
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout((int) timeout.toMillis());
            s.send(new DatagramPacket(query, query.length, server));
            byte[] buf = new byte[1500];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            s.receive(reply);
            List<String> addresses = answers(ByteBuffer.wrap(buf, 0, reply.getLength()), id);
            addresses.forEach(System.out::println);
            System.exit(addresses.isEmpty() ? 1 : 0);
        } catch (SocketTimeoutException e) {
            System.err.println("no answer from " + server + " within " + timeout.toMillis() + " ms");
            System.exit(1);
        }
    }

    static byte[] query(int id, String name) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[]{(byte) (id >> 8), (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}); // RD, one question
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            if (l.length == 0 || l.length > 63) {
                throw new IllegalArgumentException("bad name " + name);
            }
            b.write(l.length);
            b.writeBytes(l);
        }
        b.writeBytes(new byte[]{0, 0, 1, 0, 1}); // root, type A, class IN
        return b.toByteArray();
    }

    static List<String> answers(ByteBuffer m, int id) throws Exception {
        List<String> out = new ArrayList<>();
        if (m.remaining() < 12 || (m.getShort(0) & 0xffff) != id || (m.get(2) & 0x80) == 0) {
            return out;
        }
        int questions = m.getShort(4) & 0xffff;
        int answers = m.getShort(6) & 0xffff;
        m.position(12);
        for (int i = 0; i < questions; i++) {
            skipName(m);
            m.position(m.position() + 4);
        }
        for (int i = 0; i < answers; i++) {
            skipName(m);
            int type = m.getShort() & 0xffff;
            m.getShort(); // class
            m.getInt(); // ttl
            int len = m.getShort() & 0xffff;
            if (type == 1 && len == 4) {
                byte[] a = new byte[4];
                m.get(a);
                out.add(InetAddress.getByAddress(a).getHostAddress());
            } else {
                m.position(m.position() + len);
            }
        }
        return out;
    }

    private static void skipName(ByteBuffer m) {
        while (true) {
            int len = m.get() & 0xff;
            if (len == 0) {
                return;
            }
            if ((len & 0xc0) == 0xc0) {
                m.get();
                return;
            }
            m.position(m.position() + len);
        }
    }
}
