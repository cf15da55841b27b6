package dualwan.app;

import org.tinylog.Logger;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * systemd's notification protocol (sd_notify(3)) without libsystemd: datagrams such as {@code READY=1} sent to
 * the AF_UNIX socket named by {@code $NOTIFY_SOCKET}, a path or, with a leading {@code @}, an abstract name.
 *
 * <p>The unit has {@code Type=notify}: systemd counts the service as started when {@link #ready()} arrives,
 * and with {@code WatchdogSec=} restarts it when {@link #watchdog()} stops arriving. Sending never blocks
 * (MSG_DONTWAIT) and never throws: a failure is logged once and reported as {@code false}.
 */
public final class SdNotify {

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000;
    private static final int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
    /** struct sockaddr_un: sa_family_t (2 bytes), then sun_path[108]. Same on x86_64 and aarch64. */
    private static final int SUN_PATH_OFFSET = 2, SUN_PATH_MAX = 108;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = bind("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SENDTO = bind("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_INT);

    private final String socketName;
    private final Optional<Duration> watchdogInterval;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment address;
    private final int addressLength;
    private final MemorySegment captured = arena.allocate(CAPTURE);
    private int fd = -1;
    private boolean failureLogged;

    private SdNotify(String socketName, byte[] sunPath, Optional<Duration> watchdogInterval) {
        this.socketName = socketName;
        this.watchdogInterval = watchdogInterval;
        this.address = arena.allocate(SUN_PATH_OFFSET + SUN_PATH_MAX);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(sunPath, 0, address, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, sunPath.length);
        this.addressLength = SUN_PATH_OFFSET + sunPath.length;
    }

    /** The notifier of this process, or empty when it does not run under systemd with a notify socket. */
    public static Optional<SdNotify> fromEnvironment() {
        return from(System.getenv(), ProcessHandle.current().pid());
    }

    /** As {@link #fromEnvironment()}, for the given environment and own pid. */
    static Optional<SdNotify> from(Map<String, String> env, long ownPid) {
        String name = env.getOrDefault("NOTIFY_SOCKET", "");
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Optional<byte[]> sunPath = sunPath(name);
        if (sunPath.isEmpty()) {
            Logger.warn("NOTIFY_SOCKET '{}' is neither an absolute path nor an @abstract name of at most {} bytes; "
                    + "systemd will not hear from this process", name, SUN_PATH_MAX - 1);
            return Optional.empty();
        }
        return Optional.of(new SdNotify(name, sunPath.get(), watchdog(env, ownPid)));
    }

    /** sun_path's bytes: a path NUL-terminated, an abstract name with a leading NUL instead of '@' and no end. */
    static Optional<byte[]> sunPath(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (name.startsWith("@") && utf8.length > 1 && utf8.length <= SUN_PATH_MAX) {
            utf8[0] = 0;
            return Optional.of(utf8);
        }
        if (name.startsWith("/") && utf8.length < SUN_PATH_MAX && name.indexOf('\0') < 0) {
            byte[] terminated = new byte[utf8.length + 1];
            System.arraycopy(utf8, 0, terminated, 0, utf8.length);
            return Optional.of(terminated);
        }
        return Optional.empty();
    }

    /** {@code $WATCHDOG_USEC}, if meant for this process ({@code $WATCHDOG_PID} absent or our pid). */
    static Optional<Duration> watchdog(Map<String, String> env, long ownPid) {
        String pid = env.get("WATCHDOG_PID");
        if (pid != null && !pid.equals(Long.toString(ownPid))) {
            return Optional.empty();
        }
        try {
            long usec = Long.parseLong(env.getOrDefault("WATCHDOG_USEC", ""));
            return usec > 0 ? Optional.of(Duration.ofNanos(usec * 1000)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The watchdog timeout systemd applies ({@code WatchdogSec=}), if any: {@link #watchdog()} must be sent
     * more often than this; sd_watchdog_enabled(3) recommends every half of it.
     */
    public Optional<Duration> watchdogInterval() {
        return watchdogInterval;
    }

    /** Start-up is finished: systemd marks the service active. */
    public boolean ready() {
        return send("READY=1");
    }

    /** Keep-alive ping for {@code WatchdogSec=}. */
    public boolean watchdog() {
        return send("WATCHDOG=1");
    }

    /** A line for {@code systemctl status}; line breaks become spaces (one datagram is one assignment each). */
    public boolean status(String text) {
        return send("STATUS=" + text.replaceAll("[\\r\\n]+", " "));
    }

    /** The service is shutting down. */
    public boolean stopping() {
        return send("STOPPING=1");
    }

    private synchronized boolean send(String message) {
        try {
            if (fd < 0) {
                int s = (int) SOCKET.invokeExact(captured, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (s < 0) {
                    return failed(message, errno());
                }
                fd = s;
            }
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            try (Arena call = Arena.ofConfined()) {
                MemorySegment buf = call.allocate(bytes.length);
                MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
                long n = (long) SENDTO.invokeExact(captured, fd, buf, (long) bytes.length,
                        MSG_DONTWAIT | MSG_NOSIGNAL, address, addressLength);
                return n == bytes.length || failed(message, n < 0 ? errno() : 0);
            }
        } catch (Throwable t) {
            Logger.warn(t, "sd_notify {} to {} failed", message, socketName);
            return false;
        }
    }

    private int errno() {
        return (int) ERRNO.get(captured, 0L);
    }

    private boolean failed(String message, int errno) {
        if (!failureLogged) {
            failureLogged = true;
            Logger.warn("sd_notify {} to {} failed (errno {}); later failures are not logged", message, socketName,
                    errno);
        }
        return false;
    }

    private static MethodHandle bind(String name, ValueLayout ret, ValueLayout... args) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(ret, args), Linker.Option.captureCallState("errno"));
    }
}
