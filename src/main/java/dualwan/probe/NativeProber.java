package dualwan.probe;

import dualwan.model.ProbeRequest;
import dualwan.model.ProbeResult;
import dualwan.model.ProbeMethod;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.tinylog.Logger;

import static dualwan.probe.Libc.*;

/**
 * {@link Prober} on raw Linux sockets through FFM: one platform thread polls every probe socket plus an
 * eventfd that {@link #start} uses to wake it. All socket work and all timeouts live on that thread, so
 * the only shared state is the request queue.
 *
 * <p>Every probe socket gets SO_MARK (so {@code ip rule fwmark} picks the uplink's table) and
 * SO_BINDTODEVICE (so the kernel can only use the uplink's interface) before anything is sent; if
 * either fails the probe is a miss and nothing leaves the host.
 */
public final class NativeProber implements Prober {
    private static final int IFNAMSIZ = 16;
    private static final int LAUNCH_BATCH = 32;
    /** ICMP types the raw socket should not even wake us for: all except echo reply, unreachable, ttl. */
    private static final int ICMP_FILTER_MASK =
            ~((1 << IcmpPacket.ECHO_REPLY) | (1 << IcmpPacket.DEST_UNREACHABLE) | (1 << IcmpPacket.TIME_EXCEEDED));

    private final Consumer<ProbeResult> listener;
    private final ConcurrentLinkedQueue<Probe> incoming = new ConcurrentLinkedQueue<>();
    private final int wakeFd;
    private final java.util.concurrent.atomic.AtomicBoolean wakePending = new java.util.concurrent.atomic.AtomicBoolean();
    /** eventfd increment; read-only after construction, so callers' threads may pass it to write(). */
    private final MemorySegment one = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
    /** Threads between their "closed?" check and their eventfd write: the fd stays open until this is 0. */
    private final AtomicInteger writers = new AtomicInteger();
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    private volatile boolean closed;
    /** close() was called: a thread that ended then did not die. */
    private volatile boolean stopped;
    private final Thread thread;

    public NativeProber(Consumer<ProbeResult> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        wakeFd = Libc.eventfd(EFD_NONBLOCK | EFD_CLOEXEC);
        if (wakeFd < 0) throw new IllegalStateException("eventfd: " + errnoName(wakeFd));
        thread = Thread.ofPlatform().name("dualwan-prober").daemon().unstarted(this::run);
        thread.start();
    }

    public static Prober.Factory factory() {
        return NativeProber::new;
    }

    @Override
    public void start(ProbeRequest request) {
        Objects.requireNonNull(request, "request");
        Probe probe = new Probe(request, System.nanoTime());
        writers.incrementAndGet();
        try {
            if (closed) throw new IllegalStateException("prober is closed");
            incoming.add(probe);
            // One wake-up per batch: the I/O thread drains everything queued before it clears the flag.
            if (wakePending.compareAndSet(false, true)) Libc.writePlain(wakeFd, one);
        } finally {
            writers.decrementAndGet();
        }
    }

    @Override
    public boolean alive() {
        return thread.isAlive() || stopped;
    }

    /** Stops the I/O thread (pending probes get no result) and closes every socket. Idempotent. */
    @Override
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) return;
        stopped = true;
        writers.incrementAndGet();
        closed = true;
        Libc.writePlain(wakeFd, one);
        writers.decrementAndGet();
        if (Thread.currentThread() == thread) return; // called from the listener: the loop ends after it
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    // ------------------------------------------------------------------ I/O thread only below

    /** One request in flight. */
    private static final class Probe {
        final ProbeRequest request;
        final long startedAt;
        final long deadline;
        /** Until then a reply still counts, as a late one (see {@link ProbeRequest#LATE_HORIZON}). */
        final long horizon;
        final int target;
        long sentAt;
        int fd = -1;            // DNS and TCP: the probe's own socket
        IcmpSocket icmp;        // ICMP: the shared raw socket and our sequence number on it
        int seq;
        int dnsId;
        boolean done;
        /** Its miss was reported at the deadline; it keeps listening (socket, ident and seq) until the horizon. */
        boolean timedOut;

        Probe(ProbeRequest request, long now) {
            this.request = request;
            this.startedAt = now;
            this.deadline = now + Math.max(0, request.timeout().toNanos());
            this.horizon = Math.max(deadline, now + ProbeRequest.LATE_HORIZON.toNanos());
            byte[] a = request.target().getAddress();
            this.target = (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
        }
    }

    /** A raw ICMP socket pinned to one (device, mark); kept open and shared by that uplink's pings. */
    private static final class IcmpSocket {
        final String device;
        final int mark;
        final int fd;
        final int ident;
        int nextSeq;

        IcmpSocket(String device, int mark, int fd, int ident) {
            this.device = device;
            this.mark = mark;
            this.fd = fd;
            this.ident = ident;
            this.nextSeq = ThreadLocalRandom.current().nextInt(0x10000);
        }
    }

    private final List<Probe> inflight = new ArrayList<>();
    private final List<IcmpSocket> icmpSockets = new ArrayList<>();
    private final IcmpPacket.Parsed parsed = new IcmpPacket.Parsed();
    private int nextIdent = ThreadLocalRandom.current().nextInt(0x10000);
    private Arena arena;
    private MemorySegment sendBuf, recvBuf, sockaddr, intOpt, nameOpt, pollFds;
    private Object[] pollOwners = new Object[16];

    private void run() {
        try (Arena a = Arena.ofConfined()) {
            arena = a;
            sendBuf = a.allocate(64, 8);
            recvBuf = a.allocate(1500, 8);
            sockaddr = a.allocate(SOCKADDR_IN_SIZE, 8);
            intOpt = a.allocate(8, 8);
            nameOpt = a.allocate(IFNAMSIZ, 8);
            pollFds = a.allocate(POLLFD_SIZE * pollOwners.length, 8);
            loop();
        } catch (Throwable t) {
            Logger.error(t, "prober I/O thread failed");
        } finally {
            for (Probe p : inflight) if (p.fd >= 0) Libc.close(p.fd);
            for (IcmpSocket s : icmpSockets) Libc.close(s.fd);
            inflight.clear();
            icmpSockets.clear();
            // The loop may also end on an error: refuse further work, then wait out any writer.
            closed = true;
            while (writers.get() != 0) Thread.onSpinWait();
            Libc.close(wakeFd);
        }
    }

    private void loop() {
        while (!closed) {
            // Launch in bounded batches so replies to a burst are read before the socket buffer overflows.
            Probe next = null;
            for (int i = 0; i < LAUNCH_BATCH && (next = incoming.poll()) != null; i++) launch(next);
            boolean backlog = next != null && !incoming.isEmpty();
            long now = System.nanoTime();
            for (Probe p : inflight) {
                if (!p.done && !p.timedOut && now - p.deadline >= 0) timeOut(p, now);
                if (!p.done && now - p.horizon >= 0) expire(p);
            }
            inflight.removeIf(p -> p.done);

            int n = buildPollSet();
            int r = Libc.poll(pollFds, n, backlog ? 0 : pollTimeout(now));
            if (closed) return;
            if (r < 0) {
                if (r != -EINTR) {
                    Logger.warn("poll failed: {}", errnoName(r));
                    sleepQuietly(); // never spin on a persistent error
                }
                continue;
            }
            now = System.nanoTime();
            for (int i = 0; i < n && r > 0; i++) {
                short ev = revents(pollFds, i);
                if (ev == 0) continue;
                r--;
                Object owner = pollOwners[i];
                if (owner == null) {
                    Libc.read(wakeFd, intOpt.asSlice(0, 8)); // reset the eventfd counter
                    wakePending.set(false); // later start() calls wake us again; earlier ones are drained next
                } else if (owner instanceof IcmpSocket s) {
                    readIcmp(s, ev, now);
                } else if (owner instanceof Probe p && !p.done) {
                    if (p.request.method() instanceof ProbeMethod.Tcp) tcpReady(p, now);
                    else readDns(p, now);
                }
            }
            inflight.removeIf(p -> p.done);
        }
    }

    private int buildPollSet() {
        int needed = 1 + icmpSockets.size() + inflight.size();
        if (needed > pollOwners.length) {
            int cap = Math.max(needed, pollOwners.length * 2);
            pollOwners = new Object[cap];
            pollFds = arena.allocate(POLLFD_SIZE * cap, 8); // rare; old block is freed with the arena
        }
        int n = 0;
        pollOwners[n] = null;
        setPollFd(pollFds, n++, wakeFd, POLLIN);
        for (IcmpSocket s : icmpSockets) {
            pollOwners[n] = s;
            setPollFd(pollFds, n++, s.fd, POLLIN);
        }
        for (Probe p : inflight) {
            if (p.fd < 0) continue;
            pollOwners[n] = p;
            setPollFd(pollFds, n++, p.fd, p.request.method() instanceof ProbeMethod.Tcp ? POLLOUT : POLLIN);
        }
        for (int i = n; i < pollOwners.length && pollOwners[i] != null; i++) pollOwners[i] = null;
        return n;
    }

    /** Milliseconds until the nearest deadline, rounded up so we never wake just before it. */
    private int pollTimeout(long now) {
        long nearest = Long.MAX_VALUE;
        for (Probe p : inflight) nearest = Math.min(nearest, (p.timedOut ? p.horizon : p.deadline) - now);
        if (nearest == Long.MAX_VALUE) return -1;
        if (nearest <= 0) return 0;
        return (int) Math.min(Integer.MAX_VALUE, (nearest + 999_999) / 1_000_000);
    }

    // ------------------------------------------------------------------ starting probes

    private void launch(Probe p) {
        long late = System.nanoTime() - p.deadline;
        if (late >= 0) { // waited out its whole timeout in the queue (a huge burst): don't send it now
            finish(p, false, "timeout", late + p.request.timeout().toNanos());
            return;
        }
        String device = p.request.device();
        byte[] name = device == null ? new byte[0] : device.getBytes(StandardCharsets.UTF_8);
        // An empty name would unbind the socket and a long one is silently truncated by the kernel
        // (possibly naming another interface): either way the probe would not be pinned.
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            finish(p, false, "invalid device name", 0);
            return;
        }
        nameOpt.fill((byte) 0);
        MemorySegment.copy(name, 0, nameOpt, ValueLayout.JAVA_BYTE, 0, name.length);
        switch (p.request.method()) {
            case ProbeMethod.Icmp _ -> sendIcmp(p, name.length + 1);
            case ProbeMethod.Dns _ -> sendDns(p, name.length + 1);
            case ProbeMethod.Tcp t -> connectTcp(p, t.port(), name.length + 1);
        }
    }

    /** SO_MARK then SO_BINDTODEVICE (name already in {@code nameOpt}); 0 or -errno. */
    private int pin(int fd, int mark, int nameLength) {
        intOpt.set(ValueLayout.JAVA_INT, 0, mark);
        int r = Libc.setsockopt(fd, SOL_SOCKET, SO_MARK, intOpt, 4);
        if (r < 0) return r;
        return Libc.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, nameOpt, nameLength);
    }

    /** A pinned nonblocking socket, or -errno (nothing left open). */
    private int openPinned(int type, int protocol, int mark, int nameLength) {
        int fd = Libc.socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
        if (fd < 0) return fd;
        int r = pin(fd, mark, nameLength);
        if (r < 0) {
            Libc.close(fd);
            return r;
        }
        return fd;
    }

    private void sendIcmp(Probe p, int nameLength) {
        IcmpSocket s = null;
        for (IcmpSocket c : icmpSockets) {
            if (c.mark == p.request.mark() && c.device.equals(p.request.device())) s = c;
        }
        if (s == null) {
            int fd = openPinned(SOCK_RAW, IPPROTO_ICMP, p.request.mark(), nameLength);
            if (fd < 0) {
                finish(p, false, errnoName(fd), 0);
                return;
            }
            intOpt.set(ValueLayout.JAVA_INT, 0, ICMP_FILTER_MASK);
            Libc.setsockopt(fd, SOL_RAW, ICMP_FILTER, intOpt, 4); // optional: only saves wakeups
            s = new IcmpSocket(p.request.device(), p.request.mark(), fd, freeIdent());
            icmpSockets.add(s);
        }
        p.icmp = s;
        p.seq = s.nextSeq;
        s.nextSeq = (s.nextSeq + 1) & 0xffff;
        setSockaddrIn(sockaddr, p.target, 0);
        IcmpPacket.writeEchoRequest(sendBuf, s.ident, p.seq, System.nanoTime());
        p.sentAt = System.nanoTime();
        long r = Libc.sendto(s.fd, sendBuf, IcmpPacket.ECHO_LENGTH, sockaddr);
        if (r < 0) {
            finish(p, false, errnoName((int) r), System.nanoTime() - p.startedAt);
            if (r == -ENODEV || r == -ENXIO) dropIcmpSocket(s, (int) r);
            return;
        }
        inflight.add(p);
    }

    /** An identifier not used by another of our raw sockets (they all see each other's replies). */
    private int freeIdent() {
        while (true) {
            int id = nextIdent;
            nextIdent = (nextIdent + 1) & 0xffff;
            boolean used = false;
            for (IcmpSocket s : icmpSockets) used |= s.ident == id;
            if (!used) return id;
        }
    }

    private void sendDns(Probe p, int nameLength) {
        int fd = openPinned(SOCK_DGRAM, 0, p.request.mark(), nameLength);
        if (fd < 0) {
            finish(p, false, errnoName(fd), 0);
            return;
        }
        p.fd = fd; // from here on finish() closes it
        setSockaddrIn(sockaddr, p.target, DnsPacket.PORT);
        int r = Libc.connect(fd, sockaddr); // connected UDP: ICMP port unreachable comes back as ECONNREFUSED
        if (r < 0) {
            finish(p, false, errnoName(r), System.nanoTime() - p.startedAt);
            return;
        }
        p.dnsId = ThreadLocalRandom.current().nextInt(0x10000);
        DnsPacket.writeQuery(sendBuf, p.dnsId);
        p.sentAt = System.nanoTime();
        long sent = Libc.sendto(fd, sendBuf, DnsPacket.QUERY_LENGTH, MemorySegment.NULL);
        if (sent < 0) {
            finish(p, false, errnoName((int) sent), System.nanoTime() - p.startedAt);
            return;
        }
        inflight.add(p);
    }

    private void connectTcp(Probe p, int port, int nameLength) {
        int fd = openPinned(SOCK_STREAM, 0, p.request.mark(), nameLength);
        if (fd < 0) {
            finish(p, false, errnoName(fd), 0);
            return;
        }
        p.fd = fd;
        // Linger 0: close() resets instead of leaving a FIN_WAIT/TIME_WAIT socket per probe.
        intOpt.set(ValueLayout.JAVA_INT, 0, 1);
        intOpt.set(ValueLayout.JAVA_INT, 4, 0);
        Libc.setsockopt(fd, SOL_SOCKET, SO_LINGER, intOpt, 8);
        setSockaddrIn(sockaddr, p.target, port);
        p.sentAt = System.nanoTime();
        int r = Libc.connect(fd, sockaddr);
        if (r == -EINPROGRESS) {
            inflight.add(p);
        } else {
            tcpOutcome(p, r == 0 ? 0 : -r, System.nanoTime());
        }
    }

    // ------------------------------------------------------------------ answers

    private void readIcmp(IcmpSocket s, short ev, long now) {
        if ((ev & POLLNVAL) != 0) {
            dropIcmpSocket(s, -ENODEV);
            return;
        }
        for (int i = 0; i < 64; i++) { // bounded: other traffic must not starve the loop
            long n = Libc.recv(s.fd, recvBuf);
            if (n == -EAGAIN) return;
            if (n < 0) {
                if (n == -ENODEV || n == -ENXIO) dropIcmpSocket(s, (int) n);
                return; // a pending socket error is consumed by this recv; nothing else to do
            }
            if (!IcmpPacket.parse(recvBuf, (int) n, s.ident, parsed)) continue;
            for (Probe p : inflight) {
                if (p.done || p.icmp != s || p.seq != parsed.seq || p.target != parsed.target) continue;
                if (parsed.type == IcmpPacket.ECHO_REPLY) finish(p, true, "ok", now - p.sentAt);
                else finish(p, false, IcmpPacket.describeError(parsed.type, parsed.code), now - p.startedAt);
                break;
            }
        }
    }

    /** The socket is dead (interface gone): close it, fail its probes; the next probe reopens one. */
    private void dropIcmpSocket(IcmpSocket s, int errno) {
        icmpSockets.remove(s);
        Libc.close(s.fd);
        long now = System.nanoTime();
        for (Probe p : inflight) {
            if (!p.done && p.icmp == s) finish(p, false, errnoName(errno), now - p.startedAt);
        }
    }

    private void readDns(Probe p, long now) {
        for (int i = 0; i < 16; i++) {
            long n = Libc.recv(p.fd, recvBuf);
            if (n == -EAGAIN) return;
            if (n == -ECONNREFUSED) {
                finish(p, false, "refused", now - p.startedAt);
                return;
            }
            if (n < 0) {
                finish(p, false, errnoName((int) n), now - p.startedAt);
                return;
            }
            if (DnsPacket.isResponseTo(recvBuf, (int) n, p.dnsId)) {
                finish(p, true, "ok", now - p.sentAt);
                return;
            }
        }
    }

    private void tcpReady(Probe p, long now) {
        int err = Libc.getsockoptInt(p.fd, SOL_SOCKET, SO_ERROR, intOpt);
        tcpOutcome(p, err < 0 ? -err : err, now);
    }

    private void tcpOutcome(Probe p, int errno, long now) {
        if (errno == 0) finish(p, true, "ok", now - p.sentAt);
        else if (errno == ECONNREFUSED) finish(p, true, "refused (host answered)", now - p.sentAt);
        else finish(p, false, errnoName(errno), now - p.startedAt);
    }

    /** The deadline passed: report the miss now, but keep the probe listening for a late reply. */
    private void timeOut(Probe p, long now) {
        p.timedOut = true;
        deliver(new ProbeResult(p.request.id(), false, Duration.ofNanos(Math.max(0, now - p.startedAt)), "timeout"));
    }

    /** The horizon passed without a late reply: nothing more to say about this probe. */
    private void expire(Probe p) {
        p.done = true;
        closeSocket(p);
    }

    /**
     * The single exit of every answered or failed probe: closes its socket and delivers its result. After a
     * timeout only a reply is news (a late one); a late error changes nothing that the miss did not say.
     */
    private void finish(Probe p, boolean reachable, String detail, long nanos) {
        if (p.done) return;
        p.done = true;
        closeSocket(p);
        Duration d = Duration.ofNanos(Math.max(0, nanos));
        if (!p.timedOut) deliver(new ProbeResult(p.request.id(), reachable, d, detail));
        else if (reachable) deliver(ProbeResult.lateReply(p.request.id(), d));
    }

    private void closeSocket(Probe p) {
        if (p.fd >= 0) {
            Libc.close(p.fd);
            p.fd = -1;
        }
    }

    private void deliver(ProbeResult result) {
        if (closed) return;
        try {
            listener.accept(result);
        } catch (RuntimeException e) {
            Logger.warn(e, "probe listener failed");
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
