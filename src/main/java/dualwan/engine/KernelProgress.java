package dualwan.engine;

import dualwan.model.DaemonState;
import dualwan.model.DaemonState.KernelSync;

import java.time.Instant;
import java.util.Optional;

/** What the engine knows of the kernel worker's progress: its sync state, and the flushes it ran. */
final class KernelProgress {

    private KernelSync sync;
    private long flushes;
    private long deleted;

    KernelProgress(Instant now, Optional<String> tableDigest) {
        sync = new KernelSync(KernelSync.PENDING, now, Optional.empty(), 0, tableDigest);
    }

    KernelSync sync() {
        return sync;
    }

    DaemonState.Conntrack conntrack(String flush) {
        return new DaemonState.Conntrack(flush, flushes, deleted);
    }

    /**
     * The worker's report; true when what people see changed.
     *
     * @param newest the newest target's generation, or -1 for none
     */
    boolean report(Input.KernelReport r, long newest) {
        boolean changed = !r.sync().state().equals(sync.state()) || r.flushes() > 0
                || !r.sync().lastError().equals(sync.lastError())
                || !r.sync().tableDigest().equals(sync.tableDigest()); // a restart adopts by this digest
        boolean behind = r.sync().state().equals(KernelSync.IN_SYNC) && r.generation() < newest;
        // In sync with an older target is still pending for the newest one: people must not read it as done.
        sync = behind ? new KernelSync(KernelSync.PENDING, sync.since(), r.sync().lastError(), 0,
                r.sync().tableDigest()) : r.sync();
        flushes += r.flushes();
        deleted += r.deleted();
        return changed;
    }

    /** A new target went out: pending until the worker applies it (failing stays failing, with its error). */
    void submitted(Instant now) {
        if (!sync.state().equals(KernelSync.FAILING)) {
            sync = new KernelSync(KernelSync.PENDING, now, sync.lastError(), 0, sync.tableDigest());
        }
    }
}
