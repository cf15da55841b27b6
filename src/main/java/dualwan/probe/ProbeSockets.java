package dualwan.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static dualwan.probe.Libc.*;

/**
 * The I/O thread's native scratch buffers (packets, sockaddr, socket options), and sockets pinned to one
 * uplink: SO_MARK, then SO_BINDTODEVICE, before anything is sent.
 */
final class ProbeSockets {
    private static final int IFNAMSIZ = 16;

    final MemorySegment sendBuf, recvBuf, sockaddr, intOpt;
    /** A received datagram's sender (raw ICMPv6: the replying host) and the int length recvfrom fills in. */
    final MemorySegment fromAddr, fromLength;
    /** The SO_BINDTODEVICE value of the probe being launched ({@link #deviceOption}). */
    private final MemorySegment nameOpt;

    /** {@code arena} must be confined to the I/O thread and outlive every use. */
    ProbeSockets(Arena arena) {
        sendBuf = arena.allocate(64, 8);
        recvBuf = arena.allocate(1500, 8);
        sockaddr = arena.allocate(SOCKADDR_IN6_SIZE, 8);
        fromAddr = arena.allocate(SOCKADDR_IN6_SIZE, 8);
        fromLength = arena.allocate(4, 4);
        intOpt = arena.allocate(ICMP6_FILTER_SIZE, 8);
        nameOpt = arena.allocate(IFNAMSIZ, 8);
    }

    /**
     * Puts {@code device} into the SO_BINDTODEVICE value for the next {@link #openPinned}; returns the
     * value's length, or -1 when the name cannot pin a socket.
     */
    int deviceOption(String device) {
        byte[] name = device == null ? new byte[0] : device.getBytes(StandardCharsets.UTF_8);
        // An empty name would unbind the socket and a long one is silently truncated by the kernel
        // (possibly naming another interface): either way the probe would not be pinned.
        if (name.length == 0 || name.length >= IFNAMSIZ) return -1;
        nameOpt.fill((byte) 0);
        MemorySegment.copy(name, 0, nameOpt, ValueLayout.JAVA_BYTE, 0, name.length);
        return name.length + 1;
    }

    /**
     * The index of the device last given to {@link #deviceOption}, or -errno: the scope of a link-local
     * target. Both uplinks' routers may well be fe80::1, so it comes from the probe's own device, always.
     */
    int deviceIndex() {
        return Libc.ifNameToIndex(nameOpt);
    }

    /** Writes {@code p}'s target and {@code port} into {@link #sockaddr}; returns the address's length. */
    int address(Probe p, int port) {
        if (!p.v6) {
            setSockaddrIn(sockaddr, p.target, port);
            return (int) SOCKADDR_IN_SIZE;
        }
        setSockaddrIn6(sockaddr, p.target6High, p.target6Low, port, p.scope);
        return (int) SOCKADDR_IN6_SIZE;
    }

    /** A pinned nonblocking socket of {@code family}, or -errno (nothing left open). */
    int openPinned(int family, int type, int protocol, int mark, int nameLength) {
        int fd = Libc.socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
        if (fd < 0) return fd;
        int r = pin(fd, mark, nameLength);
        if (r < 0) {
            Libc.close(fd);
            return r;
        }
        return fd;
    }

    /** SO_MARK then SO_BINDTODEVICE (name already in {@code nameOpt}); 0 or -errno. */
    private int pin(int fd, int mark, int nameLength) {
        intOpt.set(ValueLayout.JAVA_INT, 0, mark);
        int r = Libc.setsockopt(fd, SOL_SOCKET, SO_MARK, intOpt, 4);
        if (r < 0) return r;
        return Libc.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, nameOpt, nameLength);
    }
}
