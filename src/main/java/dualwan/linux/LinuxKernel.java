package dualwan.linux;

import dualwan.plan.NftPlanner;
import dualwan.plan.RuleSpec;
import dualwan.plan.RouteSpec;

import dualwan.health.LinkState;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link Kernel} through iproute2 ({@code ip -json} to read), nft, conntrack and sysfs (carrier). Every program
 * runs by the absolute path {@link Tools} found at start. The control loop, the address reader and the kernel
 * worker call it from their threads; only the kept-open carrier files are shared state, and {@link #link} is
 * synchronized for them.
 */
public final class LinuxKernel implements Kernel {

    private static final Pattern DELETED = Pattern.compile("([0-9]+) flow entries have been deleted");
    private static final Pattern DELETED_OR_LISTED = Pattern.compile("([0-9]+) flow entries have been (deleted|shown)");
    private static final String VANISHED = "such conntrack doesn't exist";
    private static final int CONNTRACK_ATTEMPTS = 3;

    private final CommandRunner runner;
    private final Tools tools;
    private final Path sysClassNet;
    /** Open {@code carrier} files: re-reading one is a single pread, where opening it walks sysfs paths. */
    private final Map<String, FileChannel> carrierFiles = new HashMap<>();
    private final ByteBuffer carrierByte = ByteBuffer.allocate(8);

    public LinuxKernel(CommandRunner runner, Tools tools) {
        this(runner, tools, Path.of("/sys/class/net"));
    }

    LinuxKernel(CommandRunner runner, Tools tools, Path sysClassNet) {
        this.runner = runner;
        this.tools = tools;
        this.sysClassNet = sysClassNet;
    }

    /**
     * Reads sysfs: no process per check, one pread on a kept-open file, so it can run every 25 ms while that matters. The sysfs
     * {@code carrier} is the driver's own flag, not delayed by the kernel's linkwatch (see the README).
     */
    @Override
    public synchronized LinkState link(String iface) { // the loop and the address reader both read carrier
        FileChannel kept = carrierFiles.get(iface);
        if (kept != null) {
            try {
                return read(kept);
            } catch (IOException e) {
                // EINVAL: administratively down. ENODEV: the interface was removed, and perhaps re-created since
                // with a new ifindex and a new sysfs node that this file does not refer to. Open it afresh.
                closeCarrier(iface);
            }
        }
        Path dir = sysClassNet.resolve(iface);
        if (!Files.isDirectory(dir)) {
            return LinkState.MISSING;
        }
        try {
            FileChannel carrier = FileChannel.open(dir.resolve("carrier"), StandardOpenOption.READ);
            carrierFiles.put(iface, carrier);
            return read(carrier);
        } catch (IOException e) {
            closeCarrier(iface);
            return Files.isDirectory(dir) ? LinkState.NO_CARRIER : LinkState.MISSING;
        }
    }

    private LinkState read(FileChannel carrier) throws IOException {
        carrierByte.clear();
        return carrier.read(carrierByte, 0) > 0 && carrierByte.get(0) == '1' ? LinkState.CARRIER : LinkState.NO_CARRIER;
    }

    private void closeCarrier(String iface) {
        FileChannel stale = carrierFiles.remove(iface);
        if (stale != null) {
            try {
                stale.close();
            } catch (IOException ignored) {
                // nothing to do: it is gone either way
            }
        }
    }

    /** The monitor needs {@code ip}: without it (only when {@link Preflight} was skipped) this throws. */
    @Override
    public AutoCloseable watch(Consumer<KernelEvent> onChange) {
        try {
            return new KernelEvents(Path.of(tools.path(Tools.Tool.IP)), onChange);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, Inet4Address[]> addressesAndPeers() throws IOException {
        return IpJson.addressesAndPeers(readIp("-json", "-4", "addr", "show").stdout());
    }

    @Override
    public Map<String, Inet4Address> mainDefaultGateways() throws IOException {
        return IpJson.defaultGateways(readIp("-json", "-4", "route", "show", "table", "main", "default").stdout());
    }

    @Override
    public List<RuleSpec> rules() throws IOException {
        // -N: table numbers, not names from /etc/iproute2/rt_tables, so a named table still compares equal.
        return IpJson.rules(readIp("-N", "-json", "-4", "rule", "show").stdout());
    }

    @Override
    public Map<Integer, List<RouteSpec>> tables(Iterable<Integer> ids) throws IOException {
        // One process for every table: the daemon compares after every kernel event about its rules or tables
        // (at most once a second) and every 30 s, so this should cost next to nothing. -N as for rules.
        Map<String, List<RouteSpec>> all = IpJson.routesByTable(
                readIp("-N", "-json", "-4", "route", "show", "table", "all").stdout());
        Map<Integer, List<RouteSpec>> out = new HashMap<>();
        for (int id : ids) {
            out.put(id, all.getOrDefault(Integer.toString(id), List.of()));
        }
        return out;
    }

    /** Each interface's usable global IPv6 addresses (see {@link IpJson6#globalAddresses}). */
    @Override
    public Map<String, List<java.net.Inet6Address>> addresses6() throws IOException {
        return IpJson6.globalAddresses(readIp("-json", "-6", "addr", "show", "scope", "global").stdout());
    }

    /** Per device, the gateway of main's IPv6 default through it (router adverts), for {@code gateway6: auto}. */
    @Override
    public Map<String, java.net.Inet6Address> mainDefaultGateways6() throws IOException {
        return IpJson6.defaultGateways(readIp("-json", "-6", "route", "show", "table", "main", "default").stdout());
    }

    @Override
    public List<dualwan.plan.Rule6Spec> rules6() throws IOException {
        return IpJson6.rules(readIp("-N", "-json", "-6", "rule", "show").stdout());
    }

    @Override
    public Map<Integer, List<dualwan.plan.Route6Spec>> tables6(Iterable<Integer> ids) throws IOException {
        Map<String, List<dualwan.plan.Route6Spec>> all = IpJson6.routesByTable(
                readIp("-N", "-json", "-6", "route", "show", "table", "all").stdout());
        Map<Integer, List<dualwan.plan.Route6Spec>> out = new HashMap<>();
        for (int id : ids) {
            out.put(id, all.getOrDefault(Integer.toString(id), List.of()));
        }
        return out;
    }

    @Override
    public Optional<String> ip(List<String> args) throws IOException {
        CommandRunner.Result r = runner.run(tools.argv(Tools.Tool.IP, args));
        return r.ok() ? Optional.empty() : Optional.of(r.stderr().trim());
    }

    @Override
    public Optional<String> nftTable() throws IOException {
        CommandRunner.Result r = runner.run(tools.argv(Tools.Tool.NFT, List.of("-t", "-s", "list", "table",
                NftPlanner.FAMILY, NftPlanner.TABLE)));
        if (r.ok()) {
            return Optional.of(r.stdout());
        }
        if (r.stderr().contains("No such file or directory")) {
            return Optional.empty();
        }
        throw new IOException("nft list table: " + r.stderr().trim());
    }

    @Override
    public Optional<String> nft(String script) throws IOException {
        for (List<String> args : List.of(List.of("-c", "-f", "-"), List.of("-f", "-"))) {
            CommandRunner.Result r = runner.run(tools.argv(Tools.Tool.NFT, args), script);
            if (!r.ok()) {
                return Optional.of("nft " + String.join(" ", args) + ": " + r.stderr().trim());
            }
        }
        return Optional.empty();
    }

    /**
     * conntrack exits 1 when nothing matched; the count is in its message either way. An entry that goes away
     * between its listing and its deletion (it timed out, or netfilter killed it) makes conntrack stop with
     * "such conntrack doesn't exist" before the rest: run it again for those.
     */
    @Override
    public int conntrack(List<String> args) throws IOException {
        Optional<dualwan.config.Prefix6> prefix;
        try {
            prefix = ReplyPrefix.prefix(args);
        } catch (IllegalArgumentException e) {
            throw new IOException("conntrack " + String.join(" ", args) + ": " + e.getMessage());
        }
        if (prefix.isPresent()) {
            return conntrackInPrefix(args, prefix.get());
        }
        return conntrackOnce(args);
    }

    /** An IPv6 flush by a reply prefix, which conntrack cannot take itself: see {@link ReplyPrefix}. */
    private int conntrackInPrefix(List<String> args, dualwan.config.Prefix6 prefix) throws IOException {
        List<String> list = tools.argv(Tools.Tool.CONNTRACK, ReplyPrefix.listArgs(args));
        CommandRunner.Result r = runner.run(list);
        if (!r.ok() && !DELETED_OR_LISTED.matcher(r.stderr()).find()) {
            throw new IOException(String.join(" ", list) + ": " + r.stderr().trim());
        }
        int deleted = 0;
        for (List<String> each : ReplyPrefix.deletes(args, prefix, r.stdout())) {
            deleted += conntrackOnce(each);
        }
        return deleted;
    }

    private int conntrackOnce(List<String> args) throws IOException {
        List<String> argv = tools.argv(Tools.Tool.CONNTRACK, args);
        for (int attempt = 1; ; attempt++) {
            CommandRunner.Result r = runner.run(argv);
            Matcher m = DELETED.matcher(r.stderr());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (r.ok() && args.contains("-F")) {
                return -1; // a flush does not count what it deleted
            }
            if (!r.stderr().contains(VANISHED) || attempt == CONNTRACK_ATTEMPTS) {
                throw new IOException(String.join(" ", argv) + ": " + r.stderr().trim());
            }
        }
    }

    /** Runs {@code ip ARGS} to read: a failure is an IOException with its message. */
    private CommandRunner.Result readIp(String... args) throws IOException {
        List<String> argv = tools.argv(Tools.Tool.IP, List.of(args));
        CommandRunner.Result r = runner.run(argv);
        if (!r.ok()) {
            throw new IOException(String.join(" ", argv) + ": " + r.stderr().trim());
        }
        return r;
    }
}
