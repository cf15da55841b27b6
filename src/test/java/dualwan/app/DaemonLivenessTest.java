package dualwan.app;

import dualwan.FakeKernel;
import dualwan.config.Config;
import dualwan.config.ConfigLoader;
import dualwan.model.Mode;
import dualwan.model.ModeResult;
import dualwan.model.ProbeRequest;
import dualwan.probe.Prober;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real daemon on a fake kernel: failures in one stage are contained; a dead part ends the process. */
class DaemonLivenessTest {

    @TempDir
    Path dir;
    private Daemon daemon;

    @AfterEach
    void close() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private Config config() throws Exception {
        Path file = dir.resolve("dualwan.yaml");
        Files.writeString(file, """
                wans:
                  - {name: isp1, interface: wan1, gateway: 100.64.1.1, check: {hosts: [192.0.2.1]}}
                  - {name: isp2, interface: wan2, gateway: 100.64.2.1, check: {hosts: [192.0.2.2]}}
                state-file: %s
                """.formatted(dir.resolve("state.json")));
        return ConfigLoader.load(file);
    }

    private Map<String, Object> awaitState(String what, java.util.function.Predicate<Map<String, Object>> cond)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Map<String, Object> s = Map.of();
        while (System.nanoTime() < end) {
            s = daemon.state().get(5, TimeUnit.SECONDS);
            if (cond.test(s)) {
                return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not reached: " + what + "; last state " + s);
    }

    @Test
    void anUnexpectedValueInIpOutputIsContainedAndProbingAndDecidingGoOn() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        FakeKernel kernel = new FakeKernel() {
            @Override
            public Map<String, Inet4Address[]> addressesAndPeers() {
                if (reads.incrementAndGet() <= 3) {
                    throw new ClassCastException("class java.lang.Integer cannot be cast to class java.lang.String");
                }
                return Map.of();
            }
        };
        daemon = new Daemon(config(), kernel, FakeKernel::answering, Clock.systemUTC());
        daemon.start();
        awaitState("isp1 chosen while addresses cannot be read", st -> "isp1".equals(st.get("active")));
        assertTrue(reads.get() <= 3, "decided before the reads recovered: " + reads.get());
        Map<String, Object> s = awaitState("the kernel in sync once addresses can be read",
                st -> "in_sync".equals(((Map<?, ?>) st.get("kernel")).get("state")));
        assertTrue(reads.get() >= 4, "the read was retried: " + reads.get());
        assertEquals("isp1", s.get("active"));
        kernel.link("wan1", dualwan.health.LinkState.NO_CARRIER);
        awaitState("deciding goes on: isp2 after isp1's carrier loss", st -> "isp2".equals(st.get("active")));
    }

    @Test
    void aModeCommandDuringStartUpWaitsForTheFirstDecisionInsteadOfBeingLost() throws Exception {
        daemon = new Daemon(config(), new FakeKernel(), FakeKernel::answering, Clock.systemUTC());
        CompletableFuture<ModeResult> early = daemon.setMode(Mode.force("isp2"));
        daemon.start();
        ModeResult r = early.get(5, TimeUnit.SECONDS);
        assertEquals(Mode.force("isp2"), r.mode());
        awaitState("forced to isp2", st -> "isp2".equals(st.get("active")) && "isp2".equals(st.get("mode")));
    }

    /**
     * The reply is the operator's receipt: a crash right after it must not bring the daemon back in the old
     * mode, so the state file holds the mode before the reply is given. (Asked before start, so the reply's
     * future exists before the loop handles it; the listener runs right after the file is written.)
     */
    @Test
    void aModeIsInTheStateFileBeforeItsReplyIsGiven() throws Exception {
        daemon = new Daemon(config(), new FakeKernel(), FakeKernel::answering, Clock.systemUTC());
        StateFile file = new StateFile(dir.resolve("state.json"));
        AtomicReference<CompletableFuture<ModeResult>> reply = new AtomicReference<>();
        AtomicReference<String> whenSaved = new AtomicReference<>();
        daemon.addListener(state -> {
            if (state.mode().equals(Mode.force("isp2")) && whenSaved.get() == null) {
                whenSaved.set("file: " + file.saved().mode().map(Mode::toString).orElse("(none)")
                        + ", reply given: " + reply.get().isDone());
            }
        });
        reply.set(daemon.setMode(Mode.force("isp2")));
        daemon.start();
        assertEquals(Mode.force("isp2"), reply.get().get(5, TimeUnit.SECONDS).mode());
        assertEquals("file: isp2, reply given: false", whenSaved.get());
    }

    @Test
    void aProberWhoseThreadDiedEndsTheProcessInsteadOfLeavingItBlind() throws Exception {
        AtomicBoolean alive = new AtomicBoolean(true);
        Prober.Factory dying = listener -> new Prober() {
            private final Prober answering = FakeKernel.answering(listener);

            @Override
            public void start(ProbeRequest r) {
                if (alive.get()) {
                    answering.start(r);
                }
            }

            @Override
            public boolean alive() {
                return alive.get();
            }

            @Override
            public void close() {
            }
        };
        daemon = new Daemon(config(), new FakeKernel(), dying, Clock.systemUTC());
        AtomicReference<String> fatal = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        daemon.onFatal(reason -> {
            fatal.compareAndSet(null, reason);
            ended.countDown();
        });
        daemon.start();
        awaitState("isp1 active", st -> "isp1".equals(st.get("active")));
        alive.set(false);
        assertTrue(ended.await(5, TimeUnit.SECONDS), "no fatal report after the prober died");
        assertTrue(fatal.get().contains("prober"), fatal.get());
    }

    @Test
    void theWatchdogIsPingedFromTheLoopEvenWhenNothingHappens() throws Exception {
        AtomicInteger pings = new AtomicInteger();
        daemon = new Daemon(config(), new FakeKernel(), FakeKernel::answering, Clock.systemUTC());
        daemon.watchdog(new Watchdog() {
            @Override
            public Duration interval() {
                return Duration.ofMillis(400);
            }

            @Override
            public void ping() {
                pings.incrementAndGet();
            }
        });
        daemon.start();
        Thread.sleep(2000);
        assertTrue(pings.get() >= 4, "at least twice per interval: " + pings.get() + " pings in 2 s");
    }
}
