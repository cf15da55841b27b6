package dualwan.labtools;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;

/**
 * Receives the datagrams of {@link UdpSender} and logs one line per datagram:
 * {@code arrivalEpochNanos seq sourceAddress}. Stops after --max-seconds
 * (default 600) or on SIGTERM; the log is flushed at least every 100 ms.
 *
 * <pre>java -cp target/classes dualwan.labtools.UdpSink --bind 203.0.113.100:9000 --out sink.log [--max-seconds N]</pre>
 */
public final class UdpSink {
    private UdpSink() {}

    public static void main(String[] argv) throws Exception {
        Args args;
        InetSocketAddress bind;
        Path out;
        long maxSeconds;
        try {
            args = new Args(argv, Set.of("bind", "out", "max-seconds"));
            bind = Args.socketAddress(args.required("bind"));
            out = Path.of(args.required("out"));
            maxSeconds = args.get("max-seconds") == null ? 600 : Long.parseLong(args.get("max-seconds"));
        } catch (IllegalArgumentException e) {
            System.err.println("UdpSink: " + e.getMessage());
            System.err.println("usage: UdpSink --bind ADDR:PORT --out FILE [--max-seconds N]");
            System.exit(2);
            return;
        }
        run(bind, out, maxSeconds);
    }

    static void run(InetSocketAddress bind, Path out, long maxSeconds) throws IOException {
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        Object lock = new Object();
        try (DatagramSocket socket = new DatagramSocket(bind);
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(
                        Files.newOutputStream(out, StandardOpenOption.CREATE,
                                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                        StandardCharsets.US_ASCII))) {
            Thread main = Thread.currentThread();
            var stopping = new java.util.concurrent.atomic.AtomicBoolean();
            Thread hook = new Thread(() -> {
                stopping.set(true);
                socket.close();
                try {
                    main.join(2000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                synchronized (lock) {
                    try {
                        w.flush();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            socket.setSoTimeout(100);
            System.out.println("UdpSink listening " + bind.getAddress().getHostAddress() + ":" + bind.getPort());
            System.out.flush();
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            long lastFlush = System.nanoTime();
            long count = 0;
            while (!stopping.get() && System.nanoTime() < deadline) {
                try {
                    p.setLength(buf.length);
                    socket.receive(p);
                    Instant now = Instant.now();
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, p.getLength());
                    long seq = p.getLength() >= 12 && bb.getInt(0) == UdpSender.MAGIC ? bb.getLong(4) : -1;
                    synchronized (lock) {
                        w.write(Long.toString(Args.epochNanos(now)));
                        w.write(' ');
                        w.write(Long.toString(seq));
                        w.write(' ');
                        w.write(p.getAddress().getHostAddress());
                        w.write('\n');
                    }
                    count++;
                } catch (SocketTimeoutException e) {
                    // fall through to flush / deadline check
                } catch (IOException e) {
                    if (stopping.get() || socket.isClosed()) {
                        break;
                    }
                    throw e;
                }
                long t = System.nanoTime();
                if (t - lastFlush >= 100_000_000L) {
                    synchronized (lock) {
                        w.flush();
                    }
                    lastFlush = t;
                }
            }
            synchronized (lock) {
                w.flush();
            }
            if (!stopping.get()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
            }
            System.out.println("UdpSink stopped after " + count + " datagrams");
        }
    }
}
