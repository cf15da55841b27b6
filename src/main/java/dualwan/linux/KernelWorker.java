package dualwan.linux;

import dualwan.engine.Input;
import dualwan.engine.KernelTarget;
import dualwan.model.DaemonState.KernelSync;
import dualwan.plan.NftPlanner;
import dualwan.plan.Reconciler;
import dualwan.plan.RoutingPlan;
import dualwan.plan.RoutingPlan6;
import org.tinylog.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Owns every kernel write, on a thread of its own, so the control loop never waits for {@code ip}, {@code nft} or
 * {@code conntrack}. It always works towards the newest {@link KernelTarget} (an older one not yet applied is
 * dropped, its flushes kept), retries with backoff, and hands the flushes to the {@link Flusher} only once the
 * target's routes and table are in place. A switch costs only the difference from the last applied plan (a
 * carrier loss: one {@code ip route replace}); every {@link #FULL_CHECK}, after a failure and when asked to
 * repair, the kernel is read and compared instead.
 */
public final class KernelWorker implements AutoCloseable {

    /** Rules, tables and the nftables table are compared with the target this often (others may change them). */
    static final Duration FULL_CHECK = Duration.ofSeconds(30);
    static final Duration RETRY_FIRST = Duration.ofSeconds(1);
    static final Duration RETRY_MAX = Duration.ofSeconds(30);

    private final Kernel kernel;
    private final Clock mono;
    private final Consumer<Input.KernelReport> onReport;
    private final OwnWrites ownWrites;
    private final Flusher flusher;
    private final Thread thread;

    // Handed over under the lock.
    private KernelTarget newest;
    private final LinkedHashSet<List<String>> pendingFlushes = new LinkedHashSet<>();
    private final List<String> pendingFlushWhat = new ArrayList<>();
    private boolean repairAsked;
    private boolean closed;

    // The worker thread's own.
    private RoutingPlan appliedPlan;
    /** The IPv6 plan last applied (null: compare with the kernel next time); unused without IPv6. */
    private RoutingPlan6 appliedPlan6;
    private long appliedGeneration = -1;
    private long attemptedGeneration = -1;
    private final NftTable nft;
    private Instant nextFullCheck = Instant.MIN;
    private Instant retryAt = Instant.MIN;
    private int failures;
    private KernelSync sync;

    /**
     * @param adoptDigest the digest of the nftables table the previous run left (from its state file): a table
     *                    found at start is adopted only if it is exactly that one, unedited
     * @param onReport    called on the worker's threads after every attempt and flush
     */
    public KernelWorker(Kernel kernel, Clock mono, Optional<String> adoptDigest, Consumer<Input.KernelReport> onReport) {
        this.kernel = kernel;
        this.mono = mono;
        this.onReport = onReport;
        this.ownWrites = new OwnWrites(mono);
        this.nft = new NftTable(kernel, adoptDigest);
        this.sync = new KernelSync(KernelSync.PENDING, mono.instant(), Optional.empty(), 0, Optional.empty());
        this.flusher = new Flusher(kernel, this::flushed);
        // Virtual: it waits for work or for ip most of the time; Java 25 does not pin it in synchronized.
        this.thread = Thread.ofVirtual().name("dualwan-kernel").start(this::run);
    }

    /** Any thread: the kernel should hold {@code target}. Its flushes run once, after it (or a newer one) is applied. */
    public synchronized void submit(KernelTarget target) {
        if (newest != null && target.generation() <= newest.generation()) {
            return;
        }
        newest = target;
        pendingFlushes.addAll(target.flushes());
        if (!target.flushWhat().isEmpty() && !target.flushes().isEmpty()) {
            pendingFlushWhat.add(target.flushWhat());
        }
        notifyAll();
    }

    /** Any thread: read the kernel and repair what differs from the target, soon. */
    public synchronized void repair() {
        repairAsked = true;
        notifyAll();
    }

    /** Any thread: true when {@code event} is the echo of a write this worker just made (no repair needed). */
    public boolean isEcho(KernelEvent event) {
        return ownWrites.consume(event);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        thread.interrupt();
        flusher.close();
    }

    private void run() {
        while (true) {
            KernelTarget target;
            boolean repair;
            synchronized (this) {
                try {
                    while (!closed && !hasWork()) {
                        wait(waitMillis());
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (closed) {
                    return;
                }
                target = newest;
                repair = repairAsked;
                repairAsked = false;
            }
            try {
                attempt(target, repair);
            } catch (RuntimeException e) { // a bug must not end the kernel's only writer
                Logger.error(e, "kernel worker");
                failed("internal error: " + e);
            }
        }
    }

    private boolean hasWork() {
        if (newest == null) {
            return false;
        }
        Instant now = mono.instant();
        return newest.generation() > attemptedGeneration || repairAsked
                || !now.isBefore(failures == 0 ? nextFullCheck : retryAt);
    }

    private long waitMillis() {
        if (newest == null) {
            return 0; // wait() with 0: until notified
        }
        Instant wake = failures == 0 ? nextFullCheck : retryAt;
        return Math.max(1, Duration.between(mono.instant(), wake).toMillis() + 1);
    }

    private void attempt(KernelTarget target, boolean repair) {
        attemptedGeneration = target.generation();
        Instant now = mono.instant();
        boolean full = repair || appliedPlan == null || (!target.plan6().empty() && appliedPlan6 == null)
                || failures > 0 || !now.isBefore(nextFullCheck);
        Optional<String> error = routes(target, full);
        if (error.isPresent() && !full) {
            error = routes(target, true); // the kernel was not what we applied last: compare and repair
            full = true;
        }
        if (error.isEmpty()) {
            error = nft.apply(target.nft(), full);
        }
        if (error.isPresent()) {
            failed(error.get());
            return;
        }
        if (full) {
            nextFullCheck = now.plus(FULL_CHECK);
        }
        failures = 0;
        appliedGeneration = target.generation();
        List<List<String>> flushes;
        String what;
        synchronized (this) {
            flushes = List.copyOf(pendingFlushes);
            what = String.join(", ", pendingFlushWhat);
            pendingFlushes.clear();
            pendingFlushWhat.clear();
        }
        if (!flushes.isEmpty()) {
            flusher.run(flushes, what); // only now: the flows' next packets find the new routes and marks
        }
        setSync(KernelSync.IN_SYNC, Optional.empty());
        report(0, 0);
    }

    /** Brings IPv4's and then IPv6's rules and tables to the target; the error, or empty. */
    private Optional<String> routes(KernelTarget target, boolean full) {
        RoutingPlan plan = target.plan();
        List<List<String>> commands;
        try {
            commands = full ? Reconciler.commands(plan, kernel.rules(), kernel.tables(List.copyOf(plan.tables().keySet())))
                    : Reconciler.commands(plan, appliedPlan.rules(), appliedPlan.tables());
        } catch (IOException | RuntimeException e) {
            appliedPlan = null;
            return Optional.of("cannot read routing state: " + e.getMessage());
        }
        Optional<String> error = run(commands);
        appliedPlan = error.isEmpty() ? plan : null;
        return error.isPresent() ? error : routes6(target.plan6(), full);
    }

    /** IPv6's rules and tables ({@code ip -6}); nothing at all is read or run for a config without IPv6. */
    private Optional<String> routes6(RoutingPlan6 plan, boolean full) {
        if (plan.empty()) {
            return Optional.empty();
        }
        List<List<String>> commands;
        try {
            commands = full || appliedPlan6 == null
                    ? Reconciler.commands6(plan, kernel.rules6(), kernel.tables6(List.copyOf(plan.tables().keySet())))
                    : Reconciler.commands6(plan, appliedPlan6.rules(), appliedPlan6.tables());
        } catch (IOException | RuntimeException e) {
            appliedPlan6 = null;
            return Optional.of("cannot read IPv6 routing state: " + e.getMessage());
        }
        Optional<String> error = run(commands);
        appliedPlan6 = error.isEmpty() ? plan : null;
        return error;
    }

    /** Runs {@code ip} argument lists in order, up to the first failure; its error, or empty. */
    private Optional<String> run(List<List<String>> commands) {
        for (List<String> c : commands) {
            ownWrites.expect(c);
            Optional<String> error;
            try {
                error = kernel.ip(c);
            } catch (IOException e) {
                error = Optional.of(e.getMessage());
            }
            if (error.isPresent()) {
                Logger.warn("ip {} failed: {}", String.join(" ", c), error.get());
                return Optional.of("ip " + String.join(" ", c) + ": " + error.get());
            }
            Logger.info("ip {}", String.join(" ", c));
        }
        return Optional.empty();
    }

    private void failed(String error) {
        failures++;
        long backoff = Math.min(RETRY_MAX.toMillis(), RETRY_FIRST.toMillis() << Math.min(failures - 1, 10));
        retryAt = mono.instant().plusMillis(backoff);
        nextFullCheck = Instant.MIN;
        Logger.warn("kernel not in sync ({} failed attempts; next in {} ms): {}", failures, backoff, error);
        setSync(KernelSync.FAILING, Optional.of(error));
        report(0, 0);
    }

    /** Called on the flusher's thread when a batch of flushes is done. */
    private void flushed(int batches, long deleted, Optional<String> error) {
        error.ifPresent(e -> {
            Logger.warn("conntrack: {}", e);
            flushFailed(e);
        });
        report(batches, deleted);
    }

    /** A flush is not retried (it runs once per switch), but its failure is the state file's last error. */
    private synchronized void flushFailed(String error) {
        sync = new KernelSync(sync.state(), sync.since(), Optional.of(error), sync.attempts(), sync.tableDigest());
    }

    private synchronized void setSync(String state, Optional<String> error) {
        Optional<String> lastError = error.isPresent() ? error : sync.lastError();
        Instant since = state.equals(sync.state()) ? sync.since() : mono.instant();
        sync = new KernelSync(state, since, lastError, state.equals(KernelSync.FAILING) ? failures : 0,
                nft.digest());
    }

    private void report(int flushes, long deleted) {
        KernelSync s;
        long generation;
        synchronized (this) {
            s = sync;
            generation = appliedGeneration;
        }
        try {
            onReport.accept(new Input.KernelReport(s, generation, flushes, deleted));
        } catch (RuntimeException e) {
            Logger.error(e, "kernel report");
        }
    }

    /** dualwan's nftables table: replaced in one transaction when it differs from the target. */
    private static final class NftTable {
        private final Kernel kernel;
        private Optional<String> adoptDigest;
        private String applied;
        private Optional<String> appliedListing = Optional.empty();

        NftTable(Kernel kernel, Optional<String> adoptDigest) {
            this.kernel = kernel;
            this.adoptDigest = adoptDigest;
        }

        Optional<String> digest() {
            return appliedListing.map(NftPlanner::digest);
        }

        /**
         * An identical table is left alone: same plan id in its comment and unchanged since we listed it (at
         * start: the very listing the previous run recorded), so a restart or a repeated pass changes nothing.
         */
        Optional<String> apply(String script, boolean full) {
            if (!full && script.equals(applied)) {
                return Optional.empty();
            }
            try {
                Optional<String> listed = kernel.nftTable();
                Optional<String> expected = appliedListing.isPresent() ? appliedListing.map(NftPlanner::digest) : adoptDigest;
                boolean inPlace = listed.isPresent() && listed.flatMap(NftPlanner::planId).equals(NftPlanner.planId(script))
                        && expected.equals(listed.map(NftPlanner::digest));
                if (!inPlace) {
                    Optional<String> error = kernel.nft(script);
                    if (error.isPresent()) {
                        applied = null;
                        return Optional.of("nftables table not applied: " + error.get());
                    }
                    Logger.info("nftables table inet dualwan {}", listed.isPresent() ? "replaced" : "created");
                    listed = kernel.nftTable();
                }
                applied = script;
                appliedListing = listed;
                adoptDigest = Optional.empty();
                return Optional.empty();
            } catch (IOException | RuntimeException e) {
                applied = null;
                return Optional.of("nftables: " + e.getMessage());
            }
        }
    }
}
