package dualwan.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * JUnit fixture around {@code scripts/lab}: builds a private lab with a unique
 * prefix, exposes the fault commands and runs commands inside its namespaces.
 * Everything is passed as argv lists, never through a shell.
 *
 * <pre>
 * try (Lab lab = Lab.start()) {
 *     lab.cut(1);
 *     Lab.Result r = lab.exec("rtr", "ping", "-c", "1", "-W", "1", "-I", "wan1", "192.0.2.1");
 * }
 * </pre>
 */
public final class Lab implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Exit code, stdout and stderr of a finished command; exit code -1 on timeout. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit=" + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    private final String prefix;
    private final Path root;
    private final Path script;
    private final List<Process> spawned = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;
    private volatile boolean closed;

    private Lab(String prefix, Path root) {
        this.prefix = prefix;
        this.root = root;
        this.script = root.resolve("scripts").resolve("lab");
        this.shutdownHook = new Thread(this::teardown, "lab-teardown-" + prefix);
    }

    /** True when running as root with {@code ip} and {@code nft} on the PATH. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || !"0".equals(uid)) {
                return false;
            }
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return onPath("ip") && onPath("nft");
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** The repository root: system property {@code dualwan.root}, else the working directory. */
    public static Path repoRoot() {
        String r = System.getProperty("dualwan.root");
        return Path.of(r == null || r.isBlank() ? System.getProperty("user.dir") : r).toAbsolutePath();
    }

    /** Builds a fresh lab with a random unused prefix ("t" + 4 base36 chars). */
    public static Lab start() {
        return start(env -> {});
    }

    /** As {@link #start()}, letting the caller adjust the environment of {@code up} (e.g. LAB_NAT=0). */
    public static Lab start(java.util.function.Consumer<java.util.Map<String, String>> upEnv) {
        Path root = repoRoot();
        String prefix;
        List<String> existing = existingNamespaces();
        do {
            StringBuilder sb = new StringBuilder("t");
            for (int i = 0; i < 4; i++) {
                sb.append(Character.forDigit(RANDOM.nextInt(36), 36));
            }
            prefix = sb.toString();
        } while (existing.contains(prefix + "-rtr"));
        Lab lab = new Lab(prefix, root);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        Result r = lab.run(lab.scriptArgv("up"), Duration.ofSeconds(60), upEnv);
        if (!r.ok()) {
            lab.close();
            throw new IllegalStateException("scripts/lab up failed: " + r);
        }
        return lab;
    }

    /** As {@link #start()} with IPv6 as well (LAB_IPV6=1, see {@link LabIpv6}); needs {@link LabIpv6#available()}. */
    public static Lab startDualStack() {
        return startDualStack(env -> {});
    }

    /** As {@link #startDualStack()}, letting the caller adjust the environment of {@code up} (e.g. LAB_NAT=1). */
    public static Lab startDualStack(java.util.function.Consumer<java.util.Map<String, String>> upEnv) {
        return start(env -> {
            env.put("LAB_IPV6", "1");
            upEnv.accept(env);
        });
    }

    private static List<String> existingNamespaces() {
        Result r = runArgv(List.of("ip", "netns", "list"), Duration.ofSeconds(10), env -> {});
        List<String> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) {
                out.add(line.trim().split("\\s+")[0]);
            }
        }
        return out;
    }

    public String prefix() {
        return prefix;
    }

    public Path root() {
        return root;
    }

    /** Namespace name of a role: rtr, isp1, isp2, inet, lan. */
    public String ns(String role) {
        return prefix + "-" + role;
    }

    // ------------------------------------------------------------ faults

    public void cut(int isp) {
        lab("cut", isp(isp));
    }

    public void blackhole(int isp) {
        lab("blackhole", isp(isp));
    }

    public void killHost(int isp, String addr) {
        lab("kill-host", isp(isp), addr);
    }

    public void gatewaySilent(int isp) {
        lab("gw-silent", isp(isp));
    }

    public void carrier(int isp, boolean on) {
        lab("carrier", isp(isp), on ? "on" : "off");
    }

    public void loss(int isp, int pct) {
        lab("loss", isp(isp), Integer.toString(pct));
    }

    public void restore(int isp) {
        lab("restore", isp(isp));
    }

    public void heal() {
        lab("heal");
    }

    /** Starts (or restarts at zero) a named counter of packets from the customer to any of addrs. */
    public void countStart(int isp, String name, String... addrs) {
        List<String> a = new ArrayList<>(List.of("count-start", isp(isp), name));
        a.addAll(List.of(addrs));
        lab(a.toArray(String[]::new));
    }

    public long countRead(int isp, String name) {
        return Long.parseLong(lab("count-read", isp(isp), name).stdout().trim());
    }

    /** Deletes the router's wanN, as pulling out a USB NIC does. */
    public void unplug(int isp) {
        lab("unplug", isp(isp));
    }

    /** (Re)creates the router's wanN with its usual addressing and a new ifindex; usbLike: linkwatch delays it. */
    public void plug(int isp, boolean usbLike) {
        if (usbLike) {
            lab("plug", isp(isp), "usb");
        } else {
            lab("plug", isp(isp));
        }
    }

    /** Readdresses ispN's link point-to-point: router 100.64.N.2 peer 100.64.N.9/32, no default route in main. */
    public void pointToPoint(int isp) {
        lab("ptp", isp(isp));
    }

    /** A DNS server on ispN's gateway (100.64.N.1) answering name with addr. */
    public void resolver(int isp, String name, String addr) {
        lab("resolver", isp(isp), name, addr);
    }

    /** The lab's own files (dnsmasq, dhclient; dns/IFACE written by the DHCP client's hook). */
    public Path runDir() {
        return Path.of(lab("rundir").stdout().trim());
    }

    /** The IPv6 addresses, faults and learned prefixes of a lab built by {@link #startDualStack()}. */
    public LabIpv6 ipv6() {
        return new LabIpv6(this);
    }

    public String status() {
        return lab("status").stdout();
    }

    /** Runs a scripts/lab subcommand of this lab; throws if it fails. */
    public Result lab(String... args) {
        return lab(DEFAULT_TIMEOUT, args);
    }

    Result lab(Duration timeout, String... args) {
        Result r = run(scriptArgv(args), timeout, env -> {});
        if (!r.ok()) {
            throw new IllegalStateException("scripts/lab " + String.join(" ", args) + " failed: " + r);
        }
        return r;
    }

    static String isp(int n) {
        if (n != 1 && n != 2) {
            throw new IllegalArgumentException("isp must be 1 or 2: " + n);
        }
        return "isp" + n;
    }

    // ------------------------------------------------------------ commands in namespaces

    /** Runs argv in the role's namespace with the default timeout (30 s). */
    public Result exec(String role, String... argv) {
        return exec(role, DEFAULT_TIMEOUT, argv);
    }

    public Result exec(String role, Duration timeout, String... argv) {
        return run(nsArgv(role, List.of(argv)), timeout, env -> {});
    }

    /**
     * Starts argv in the role's namespace, stdout and stderr appended to log.
     * The process is destroyed by {@link #close()} if still running.
     */
    public Process spawn(String role, List<String> argv, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(nsArgv(role, argv))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            spawned.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> nsArgv(String role, List<String> argv) {
        if (!List.of("rtr", "isp1", "isp2", "isp3", "inet", "lan").contains(role)) {
            throw new IllegalArgumentException("unknown role " + role);
        }
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        List<String> a = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        a.addAll(argv);
        return a;
    }

    private List<String> scriptArgv(String... args) {
        List<String> a = new ArrayList<>(List.of("bash", script.toString(), "-p", prefix));
        a.addAll(List.of(args));
        return a;
    }

    private Result run(List<String> argv, Duration timeout,
            java.util.function.Consumer<java.util.Map<String, String>> env) {
        return runArgv(argv, timeout, env);
    }

    /** Runs argv on the host (no namespace), e.g. a machine of BootedTrixieTest. */
    public static Result runHost(List<String> argv, Duration timeout) {
        return runArgv(argv, timeout, env -> {});
    }

    static Result runArgv(List<String> argv, Duration timeout,
            java.util.function.Consumer<java.util.Map<String, String>> env) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("lab-out", ".txt");
            err = Files.createTempFile("lab-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(argv)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            env.accept(pb.environment());
            Process p = pb.start();
            int code;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                code = p.exitValue();
            } else {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                code = -1;
            }
            return new Result(code, Files.readString(out), Files.readString(err)
                    + (code == -1 ? "\n[timed out after " + timeout + "]" : ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + argv, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // temp file
            }
        }
    }

    // ------------------------------------------------------------ teardown

    private synchronized void teardown() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : spawned) {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : spawned) {
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        Result r = run(scriptArgv("down"), DEFAULT_TIMEOUT, env -> {});
        if (!r.ok()) {
            System.err.println("lab " + prefix + ": down failed: " + r);
        }
    }

    /** Kills spawned processes and tears the namespaces down. Idempotent. */
    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // JVM already shutting down; the hook is running or ran
        }
    }
}
