package dualwan.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A loopback port of the test's own namespace whose connections go on to {@code 127.0.0.1:PORT} inside a lab
 * namespace: how the test's Selenium reaches a chromedriver that runs, with its browser, on the lab's LAN. The
 * outgoing sockets are made by one platform thread that has entered the lab namespace with {@code setns(2)}
 * (a namespace is per thread, and a socket keeps the one it was made in). Closed with the lab's test.
 */
final class NetnsRelay implements AutoCloseable {

    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns")
            .orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close")
            .orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final ServerSocket server;
    private final LinkedBlockingQueue<CompletableFuture<Socket>> wanted = new LinkedBlockingQueue<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread connector;
    private volatile boolean closed;

    private NetnsRelay(String namespace, int port) throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        CompletableFuture<Void> entered = new CompletableFuture<>();
        connector = Thread.ofPlatform().daemon().name("relay-into-" + namespace).start(() -> {
            try {
                enter(namespace);
                entered.complete(null);
            } catch (Throwable t) {
                entered.completeExceptionally(t);
                return;
            }
            while (!closed) {
                CompletableFuture<Socket> next;
                try {
                    next = wanted.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (next != null) {
                    try {
                        Socket s = new Socket();
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                        next.complete(s);
                    } catch (IOException e) {
                        next.completeExceptionally(e);
                    }
                }
            }
        });
        entered.join();
        Thread.ofPlatform().daemon().name("relay-accept").start(this::accept);
    }

    /** Forwards a free loopback port here to {@code 127.0.0.1:port} in {@code namespace} (a name in /run/netns). */
    static NetnsRelay to(String namespace, int port) throws IOException {
        return new NetnsRelay(namespace, port);
    }

    int port() {
        return server.getLocalPort();
    }

    private static void enter(String namespace) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom("/run/netns/" + namespace), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                throw new IOException("cannot open /run/netns/" + namespace);
            }
            int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (rc != 0) {
                throw new IOException("setns into " + namespace + " failed");
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket in = server.accept();
                CompletableFuture<Socket> out = new CompletableFuture<>();
                wanted.add(out);
                Socket remote;
                try {
                    remote = out.get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    quietly(in); // nothing listens there (yet): refuse this side too, as a direct connect would
                    throw e;
                }
                open.add(in);
                open.add(remote);
                pipe(in, remote);
                pipe(remote, in);
            } catch (Exception e) {
                if (!closed && !(e.getCause() instanceof java.net.ConnectException)) { // refused: nothing listens yet
                    System.err.println("[relay] " + e);
                }
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread.ofPlatform().daemon().name("relay-pipe").start(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // one side closed
            } finally {
                quietly(from);
                quietly(to);
            }
        });
    }

    private void quietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(this::quietly);
        connector.interrupt();
    }
}
