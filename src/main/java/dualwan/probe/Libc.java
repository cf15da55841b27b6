package dualwan.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc socket calls the prober needs, bound with the FFM API.
 *
 * <p>Every wrapper returns the call's result, or {@code -errno} when it failed, so callers never touch
 * a global errno. Only constants and struct layouts identical on Linux x86_64 and aarch64 appear here
 * (both are LP64 little-endian and use the generic socket/errno numbering).
 */
final class Libc {
    private Libc() {}

    static final int AF_INET = 2, AF_INET6 = 10;
    static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    static final int IPPROTO_ICMP = 1, IPPROTO_ICMPV6 = 58;
    static final int SOL_SOCKET = 1, SO_ERROR = 4, SO_LINGER = 13, SO_BINDTODEVICE = 25, SO_MARK = 36;
    static final int SOL_RAW = 255, ICMP_FILTER = 1;
    /** setsockopt(IPPROTO_ICMPV6, ICMP6_FILTER, struct icmp6_filter = 8 words, a set bit blocks that type). */
    static final int ICMP6_FILTER = 1, ICMP6_FILTER_SIZE = 32;
    static final int EFD_NONBLOCK = 04000, EFD_CLOEXEC = 02000000;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32;

    static final int EPERM = 1, EINTR = 4, EAGAIN = 11, ENODEV = 19, ENXIO = 6;
    static final int EINPROGRESS = 115, ECONNREFUSED = 111;

    /** struct pollfd { int fd; short events; short revents; } */
    static final long POLLFD_SIZE = 8;
    /** struct sockaddr_in: family (host order), port and address (network order), 8 bytes padding. */
    static final long SOCKADDR_IN_SIZE = 16;
    /**
     * struct sockaddr_in6: family (host order), port (network order), flowinfo, 16 address bytes, then the
     * scope id (host order): the interface index a link-local address belongs to.
     */
    static final long SOCKADDR_IN6_SIZE = 28;

    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong NET_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** errno is captured into a per-thread segment: cheap, and safe if a second thread ever calls in. */
    private static final ThreadLocal<MemorySegment> CAPTURED =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final MethodHandle SOCKET = bind("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT = bind("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKOPT = bind("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle CONNECT = bind("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SENDTO = bind("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVFROM = bind("recvfrom", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle POLL = bind("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle CLOSE = bind("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle IF_NAMETOINDEX = bind("if_nametoindex", JAVA_INT, ADDRESS);
    private static final MethodHandle EVENTFD = bind("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = bind("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    /** write without errno capture: used by {@code start()} on caller threads, where the result is ignored. */
    private static final MethodHandle WRITE_PLAIN = LINKER.downcallHandle(
            LINKER.defaultLookup().find("write").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    private static MethodHandle bind(String name, ValueLayout ret, ValueLayout... args) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(ret, args), Linker.Option.captureCallState("errno"));
    }

    private static int errno(MemorySegment captured) {
        return (int) ERRNO.get(captured, 0L);
    }

    static int socket(int domain, int type, int protocol) {
        MemorySegment c = CAPTURED.get();
        try {
            int r = (int) SOCKET.invokeExact(c, domain, type, protocol);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    static int setsockopt(int fd, int level, int name, MemorySegment value, int length) {
        MemorySegment c = CAPTURED.get();
        try {
            int r = (int) SETSOCKOPT.invokeExact(c, fd, level, name, value, length);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** getsockopt for an int option; {@code scratch} needs 8 bytes. Returns the value or -errno. */
    static int getsockoptInt(int fd, int level, int name, MemorySegment scratch) {
        MemorySegment c = CAPTURED.get();
        scratch.set(JAVA_INT, 0, 0);
        scratch.set(JAVA_INT, 4, 4);
        try {
            int r = (int) GETSOCKOPT.invokeExact(c, fd, level, name, scratch, scratch.asSlice(4));
            return r < 0 ? -errno(c) : scratch.get(JAVA_INT, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** connect to the first {@code length} bytes of {@code sockaddr} (a sockaddr_in or sockaddr_in6). */
    static int connect(int fd, MemorySegment sockaddr, int length) {
        MemorySegment c = CAPTURED.get();
        try {
            int r = (int) CONNECT.invokeExact(c, fd, sockaddr, length);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** sendto; pass {@link MemorySegment#NULL} and 0 as address for a connected socket. */
    static long sendto(int fd, MemorySegment buf, long len, MemorySegment sockaddr, int sockaddrLength) {
        MemorySegment c = CAPTURED.get();
        try {
            long r = (long) SENDTO.invokeExact(c, fd, buf, len, MSG_DONTWAIT, sockaddr, sockaddrLength);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** Nonblocking receive, ignoring the sender address (raw ICMP carries it in the IP header). */
    static long recv(int fd, MemorySegment buf) {
        MemorySegment c = CAPTURED.get();
        try {
            long r = (long) RECVFROM.invokeExact(c, fd, buf, buf.byteSize(), MSG_DONTWAIT,
                    MemorySegment.NULL, MemorySegment.NULL);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    /**
     * Nonblocking receive that also returns the sender's address ({@code from}, with its capacity in the int
     * {@code fromLength}, which the kernel overwrites with the address's length): raw ICMPv6 carries no IP header.
     */
    static long recvFrom(int fd, MemorySegment buf, MemorySegment from, MemorySegment fromLength) {
        MemorySegment c = CAPTURED.get();
        fromLength.set(JAVA_INT, 0, (int) from.byteSize());
        try {
            long r = (long) RECVFROM.invokeExact(c, fd, buf, buf.byteSize(), MSG_DONTWAIT, from, fromLength);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** The index of interface {@code name} (a NUL-terminated string), or -errno (ENODEV when there is none). */
    static int ifNameToIndex(MemorySegment name) {
        MemorySegment c = CAPTURED.get();
        try {
            int r = (int) IF_NAMETOINDEX.invokeExact(c, name);
            if (r != 0) return r;
            int e = errno(c);
            return e == 0 ? -ENODEV : -e;
        } catch (Throwable t) { throw rethrow(t); }
    }

    static int poll(MemorySegment pollfds, int count, int timeoutMillis) {
        MemorySegment c = CAPTURED.get();
        try {
            int r = (int) POLL.invokeExact(c, pollfds, (long) count, timeoutMillis);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    static int close(int fd) {
        MemorySegment c = CAPTURED.get();
        try {
            int r = (int) CLOSE.invokeExact(c, fd);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    static int eventfd(int flags) {
        MemorySegment c = CAPTURED.get();
        try {
            int r = (int) EVENTFD.invokeExact(c, 0, flags);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    static long read(int fd, MemorySegment buf) {
        MemorySegment c = CAPTURED.get();
        try {
            long r = (long) READ.invokeExact(c, fd, buf, buf.byteSize());
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    static long writePlain(int fd, MemorySegment buf) {
        try {
            return (long) WRITE_PLAIN.invokeExact(fd, buf, buf.byteSize());
        } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- struct helpers ----

    static void setPollFd(MemorySegment pollfds, int index, int fd, short events) {
        long o = index * POLLFD_SIZE;
        pollfds.set(JAVA_INT, o, fd);
        pollfds.set(ValueLayout.JAVA_SHORT, o + 4, events);
        pollfds.set(ValueLayout.JAVA_SHORT, o + 6, (short) 0);
    }

    static short revents(MemorySegment pollfds, int index) {
        return pollfds.get(ValueLayout.JAVA_SHORT, index * POLLFD_SIZE + 6);
    }

    /** Fills a sockaddr_in; {@code address} is the IPv4 address as a big-endian int. */
    static void setSockaddrIn(MemorySegment sa, int address, int port) {
        sa.fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
        sa.set(NET_SHORT, 2, (short) port);
        sa.set(NET_INT, 4, address);
    }

    /**
     * Fills a sockaddr_in6; the address is 16 bytes in network order as two big-endian longs, {@code scope}
     * the interface index (0 for an address that needs none).
     */
    static void setSockaddrIn6(MemorySegment sa, long high, long low, int port, int scope) {
        sa.asSlice(0, SOCKADDR_IN6_SIZE).fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET6);
        sa.set(NET_SHORT, 2, (short) port);
        sa.set(NET_LONG, 8, high);
        sa.set(NET_LONG, 16, low);
        sa.set(JAVA_INT, 24, scope);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    // ---- errno names (generic Linux numbering, shared by x86_64 and aarch64) ----

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(4, "EINTR"), Map.entry(6, "ENXIO"),
            Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"),
            Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(19, "ENODEV"), Map.entry(22, "EINVAL"),
            Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"), Map.entry(32, "EPIPE"), Map.entry(64, "ENONET"),
            Map.entry(71, "EPROTO"), Map.entry(90, "EMSGSIZE"), Map.entry(92, "ENOPROTOOPT"),
            Map.entry(93, "EPROTONOSUPPORT"), Map.entry(95, "EOPNOTSUPP"), Map.entry(97, "EAFNOSUPPORT"),
            Map.entry(98, "EADDRINUSE"), Map.entry(99, "EADDRNOTAVAIL"), Map.entry(100, "ENETDOWN"),
            Map.entry(101, "ENETUNREACH"), Map.entry(102, "ENETRESET"), Map.entry(103, "ECONNABORTED"),
            Map.entry(104, "ECONNRESET"), Map.entry(105, "ENOBUFS"), Map.entry(107, "ENOTCONN"),
            Map.entry(110, "ETIMEDOUT"), Map.entry(111, "ECONNREFUSED"), Map.entry(112, "EHOSTDOWN"),
            Map.entry(113, "EHOSTUNREACH"), Map.entry(114, "EALREADY"), Map.entry(115, "EINPROGRESS"));

    /** "ENETUNREACH" for 101; "errno N" for numbers without a name here. Accepts negative values too. */
    static String errnoName(int errno) {
        int e = Math.abs(errno);
        String name = NAMES.get(e);
        return name != null ? name : "errno " + e;
    }
}
