package dualwan.labtools;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A host on an uplink's path (run it in the ISP's namespace) that forges ICMP echo replies for the probe
 * hosts, as an attacker who wants a dead uplink to look alive would, short of echoing each live request
 * exactly (which no prober can tell from a real reply). It sniffs the customer's echo requests with a packet
 * socket and sends, with spoofed source addresses through a raw socket:
 * <ul>
 * <li>{@code wrong_payload}: the live request's identifier and sequence number from the probed host, but
 *     another payload;
 * <li>{@code wrong_source}: the exact reply, but from another of the probe hosts;
 * <li>{@code other_socket}: the exact reply from the probed host, sent to the customer's other address so that
 *     it arrives through the other uplink (another socket);
 * <li>{@code replayed}: exact replies to requests sniffed more than --replay-age earlier (also those a live
 *     host answered);
 * <li>{@code predicted}: every 100 ms, the next three sequence numbers after each host's last request, with its
 *     identifier and payload (what a counter would give);
 * <li>{@code guessed}: every 100 ms, one random identifier, sequence number and payload per host.
 * </ul>
 * Stops after --seconds. Every second and at the end it writes {@code name=count} lines to --report: the
 * counts sent per kind, plus what it saw of the requests: {@code sniffed}, {@code consecutive_seq} (a request
 * whose sequence number follows the previous one with the same identifier) and {@code repeated_payload}.
 *
 * <pre>java -cp test-classes dualwan.labtools.EchoForger --customer 100.64.1.2 --other 100.64.2.2
 *     --hosts 192.0.2.1,198.51.100.1 --seconds 60 --report forger.txt [--replay-age 5s]</pre>
 */
public final class EchoForger {
    private static final int AF_INET = 2, AF_PACKET = 17, SOCK_RAW = 3, SOCK_DGRAM = 2, IPPROTO_RAW = 255;
    private static final int ETH_P_IP_NETWORK_ORDER = 0x0008, PACKET_OUTGOING = 4;
    private static final int SOL_SOCKET = 1, SO_RCVTIMEO = 20;
    private static final int ECHO_REPLY = 0, ECHO_REQUEST = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = fn("socket", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final MethodHandle SETSOCKOPT = fn("setsockopt", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    private static final MethodHandle RECVFROM = fn("recvfrom", ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS);
    private static final MethodHandle SENDTO = fn("sendto", ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);

    private static MethodHandle fn(String name, ValueLayout ret, ValueLayout... args) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), FunctionDescriptor.of(ret, args));
    }

    /** One sniffed echo request: who asked whom, and the ICMP part from the identifier on. */
    private record Request(long atNanos, int target, int ident, int seq, byte[] payload) {}

    private final int customer, other;
    private final int[] hosts;
    private final long replayAgeNanos;
    private final Random random = new Random();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(1600), sll = arena.allocate(32), sllLen = arena.allocate(4);
    private final MemorySegment out = arena.allocate(1600), sin = arena.allocate(16);
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final ArrayDeque<Request> history = new ArrayDeque<>();
    private final Map<Integer, Request> lastPerHost = new HashMap<>();
    private final Map<Integer, Integer> lastSeqPerIdent = new HashMap<>();
    private final Set<String> payloadsSeen = new HashSet<>();
    private int sniffer, sender;

    private EchoForger(int customer, int other, int[] hosts, long replayAgeNanos) {
        this.customer = customer;
        this.other = other;
        this.hosts = hosts;
        this.replayAgeNanos = replayAgeNanos;
        for (String k : List.of("sniffed", "consecutive_seq", "repeated_payload", "wrong_payload", "wrong_source",
                "other_socket", "replayed", "predicted", "guessed", "send_errors")) {
            counts.put(k, 0L);
        }
    }

    public static void main(String[] argv) throws Throwable {
        Args args;
        try {
            args = new Args(argv, Set.of("customer", "other", "hosts", "seconds", "report", "replay-age"));
            List<Integer> hosts = new ArrayList<>();
            for (String h : args.required("hosts").split(",")) hosts.add(ipv4(h.trim()));
            long replayAge = Args.duration(args.get("replay-age") == null ? "5s" : args.get("replay-age")).toNanos();
            EchoForger f = new EchoForger(ipv4(args.required("customer")), ipv4(args.required("other")),
                    hosts.stream().mapToInt(Integer::intValue).toArray(), replayAge);
            f.run(Long.parseLong(args.required("seconds")), Path.of(args.required("report")));
        } catch (IllegalArgumentException e) {
            System.err.println("EchoForger: " + e.getMessage());
            System.exit(2);
        }
    }

    private static int ipv4(String s) {
        byte[] a = Inet4Address.ofLiteral(s).getAddress();
        return ByteBuffer.wrap(a).getInt();
    }

    private void run(long seconds, Path report) throws Throwable {
        sniffer = (int) SOCKET.invokeExact(AF_PACKET, SOCK_DGRAM, ETH_P_IP_NETWORK_ORDER);
        sender = (int) SOCKET.invokeExact(AF_INET, SOCK_RAW, IPPROTO_RAW); // IPPROTO_RAW: we write the IP header
        if (sniffer < 0 || sender < 0) throw new IllegalStateException("socket failed (needs CAP_NET_RAW)");
        MemorySegment timeout = arena.allocate(16);
        timeout.set(ValueLayout.JAVA_LONG, 0, 0);
        timeout.set(ValueLayout.JAVA_LONG, 8, 20_000); // 20 ms: the timers below run even when nothing arrives
        int r = (int) SETSOCKOPT.invokeExact(sniffer, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
        if (r < 0) throw new IllegalStateException("SO_RCVTIMEO failed");
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long nextTick = System.nanoTime(), nextReport = nextTick;
        while (System.nanoTime() < end) {
            sllLen.set(ValueLayout.JAVA_INT, 0, (int) sll.byteSize());
            long n = (long) RECVFROM.invokeExact(sniffer, buf, buf.byteSize(), 0, sll, sllLen);
            if (n > 0 && sll.get(ValueLayout.JAVA_BYTE, 10) != PACKET_OUTGOING) sniffed((int) n);
            long now = System.nanoTime();
            if (now - nextTick >= 0) {
                tick();
                nextTick = now + 100_000_000L;
            }
            if (now - nextReport >= 0) {
                write(report);
                nextReport = now + 1_000_000_000L;
            }
        }
        write(report);
    }

    private void write(Path report) throws IOException {
        StringBuilder b = new StringBuilder();
        counts.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Path tmp = report.resolveSibling(report.getFileName() + ".tmp");
        Files.writeString(tmp, b);
        Files.move(tmp, report, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void count(String kind) {
        counts.merge(kind, 1L, Long::sum);
    }

    private static int u16(MemorySegment s, long at) {
        return (Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at)) << 8) | Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at + 1));
    }

    private static int u32(MemorySegment s, long at) {
        return (u16(s, at) << 16) | u16(s, at + 2);
    }

    /** A packet the customer sent: note its echo requests and forge against those to the probe hosts. */
    private void sniffed(int n) {
        if (n < 28 || (buf.get(ValueLayout.JAVA_BYTE, 0) & 0xf0) != 0x40 || buf.get(ValueLayout.JAVA_BYTE, 9) != 1) return;
        int ihl = (buf.get(ValueLayout.JAVA_BYTE, 0) & 0x0f) * 4;
        if (n < ihl + 8 || u32(buf, 12) != customer || buf.get(ValueLayout.JAVA_BYTE, ihl) != ECHO_REQUEST) return;
        int target = u32(buf, 16), ident = u16(buf, ihl + 4), seq = u16(buf, ihl + 6);
        byte[] payload = buf.asSlice(ihl + 8, n - ihl - 8).toArray(ValueLayout.JAVA_BYTE);
        count("sniffed");
        Integer last = lastSeqPerIdent.put(ident, seq);
        if (last != null && ((seq - last) & 0xffff) == 1) count("consecutive_seq");
        if (!payloadsSeen.add(ident + "/" + Arrays.toString(payload))) count("repeated_payload");
        if (!isHost(target)) return; // the gateway check: not ours to fake
        Request req = new Request(System.nanoTime(), target, ident, seq, payload);

        byte[] flipped = payload.clone();
        if (flipped.length > 0) flipped[flipped.length - 1] ^= 1;
        byte[] randomPayload = new byte[payload.length];
        random.nextBytes(randomPayload);
        forge("wrong_payload", target, customer, ident, seq, flipped);
        forge("wrong_payload", target, customer, ident, seq, randomPayload);
        forge("wrong_source", otherHost(target), customer, ident, seq, payload);
        forge("other_socket", target, other, ident, seq, payload);
        int replays = 0;
        for (Request old : history) {
            if (replays == 3 || req.atNanos - old.atNanos < replayAgeNanos) break;
            forge("replayed", old.target, customer, old.ident, old.seq, old.payload);
            replays++;
        }
        history.addLast(req);
        while (history.size() > 64) history.removeFirst();
        if (replays > 0) { // rotate, so that over time every old request is replayed
            for (int i = 0; i < replays && history.size() > 1; i++) history.addLast(history.removeFirst());
        }
        lastPerHost.put(target, req);
    }

    /** The 100 ms timer: predicted and guessed replies. */
    private void tick() {
        for (Request last : lastPerHost.values()) {
            for (int d = 1; d <= 3; d++) {
                forge("predicted", last.target, customer, last.ident, (last.seq + d) & 0xffff, last.payload);
            }
        }
        for (int h : hosts) {
            byte[] p = new byte[8];
            random.nextBytes(p);
            forge("guessed", h, customer, random.nextInt(0x10000), random.nextInt(0x10000), p);
        }
    }

    private boolean isHost(int a) {
        for (int h : hosts) if (h == a) return true;
        return false;
    }

    private int otherHost(int target) {
        for (int h : hosts) if (h != target) return h;
        return target ^ 1;
    }

    /** Sends an echo reply from {@code src} (spoofed) to {@code dst}. */
    private void forge(String kind, int src, int dst, int ident, int seq, byte[] payload) {
        int icmpLength = 8 + payload.length, total = 20 + icmpLength;
        out.asSlice(0, total).fill((byte) 0);
        out.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        put16(2, total);
        put16(4, random.nextInt(0x10000));
        out.set(ValueLayout.JAVA_BYTE, 8, (byte) 64);
        out.set(ValueLayout.JAVA_BYTE, 9, (byte) 1);
        put32(12, src);
        put32(16, dst);
        put16(10, checksum(0, 20));
        out.set(ValueLayout.JAVA_BYTE, 20, (byte) ECHO_REPLY);
        put16(24, ident);
        put16(26, seq);
        MemorySegment.copy(payload, 0, out, ValueLayout.JAVA_BYTE, 28, payload.length);
        put16(22, checksum(20, icmpLength));
        sin.fill((byte) 0);
        sin.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET); // sin_family in host order, port 0
        for (int i = 0; i < 4; i++) sin.set(ValueLayout.JAVA_BYTE, 4 + i, (byte) (dst >>> (24 - 8 * i)));
        long r;
        try {
            r = (long) SENDTO.invokeExact(sender, out, (long) total, 0, sin, 16);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        count(r == total ? kind : "send_errors");
    }

    private void put16(int at, int v) {
        out.set(ValueLayout.JAVA_BYTE, at, (byte) (v >>> 8));
        out.set(ValueLayout.JAVA_BYTE, at + 1, (byte) v);
    }

    private void put32(int at, int v) {
        put16(at, v >>> 16);
        put16(at + 2, v);
    }

    private int checksum(int from, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) sum += u16(out, from + i);
        if ((length & 1) != 0) sum += Byte.toUnsignedInt(out.get(ValueLayout.JAVA_BYTE, from + length - 1)) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }
}
