package dualwan.mqtt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** An in-memory {@link Broker} that records what the reporter asked of it; tests inject messages and failures. */
final class FakeBroker implements Broker {

    /** One call the reporter made, in order. */
    record Call(String what, String topic, String payload, boolean retained) {
    }

    private final List<Call> calls = new ArrayList<>();
    private Events events;
    private boolean connected;
    /** Connect attempts left that fail ("connection refused"). */
    volatile int refuseConnects;
    /** When set, publish blocks until it opens: a broker that hangs. */
    volatile CountDownLatch publishGate;
    int connectAttempts;
    /** When false, no publication is acknowledged (PUBACKs lost with a dead connection). */
    volatile boolean acknowledge = true;
    /** This many publications fail (the client refuses, e.g. too many in flight) while the connection stays up. */
    volatile int failPublishes;

    Factory factory() {
        return e -> {
            events = e;
            return this;
        };
    }

    @Override
    public synchronized void connect(Optional<Message> optionalWill) throws IOException {
        Message will = optionalWill.orElseThrow();
        connectAttempts++;
        if (refuseConnects > 0) {
            refuseConnects--;
            calls.add(new Call("connect-failed", will.topic(), text(will), will.retained()));
            notifyAll();
            throw new IOException("Unable to connect to server: Connection refused");
        }
        connected = true;
        calls.add(new Call("connect", will.topic(), text(will), will.retained()));
        notifyAll();
    }

    @Override
    public synchronized boolean connected() {
        return connected;
    }

    @Override
    public synchronized List<String> subscribe(List<String> filters) {
        filters.forEach(f -> calls.add(new Call("subscribe", f, "", false)));
        notifyAll();
        return List.of();
    }

    @Override
    public CompletableFuture<Void> publish(Message m) throws IOException {
        CountDownLatch gate = publishGate;
        if (gate != null) {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (!connected) {
                throw new IOException("Client is not connected");
            }
            if (failPublishes > 0) {
                failPublishes--;
                calls.add(new Call("publish-failed", m.topic(), text(m), m.retained()));
                notifyAll();
                throw new IOException("Too many publishes in progress");
            }
            // Decided before a test woken by notifyAll can change it: this publication's fate is fixed here.
            boolean acknowledged = acknowledge;
            calls.add(new Call("publish", m.topic(), text(m), m.retained()));
            notifyAll();
            return acknowledged ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
        }
    }

    @Override
    public synchronized void disconnect(Duration quiesce) {
        connected = false;
        calls.add(new Call("disconnect", "", "", false));
        notifyAll();
    }

    @Override
    public synchronized void close() {
        connected = false;
        calls.add(new Call("close", "", "", false));
        notifyAll();
    }

    /** The connection breaks, as Paho reports it. */
    void breakConnection() {
        synchronized (this) {
            connected = false;
        }
        events.lost("Connection lost: the test broke it");
    }

    void deliver(String topic, byte[] payload, boolean retained) {
        events.received(new Message(topic, payload, retained));
    }

    void deliver(String topic, String payload, boolean retained) {
        deliver(topic, payload.getBytes(StandardCharsets.UTF_8), retained);
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Call> published(String topic) {
        return calls.stream().filter(c -> c.what.equals("publish") && c.topic.equals(topic)).toList();
    }

    synchronized void clear() {
        calls.clear();
    }

    /** Waits (at most 5 s) until a recorded call matches; returns it. */
    synchronized Call await(Predicate<Call> match) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            for (Call c : calls) {
                if (match.test(c)) {
                    return c;
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching call within 5 s; calls: " + calls);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    private static String text(Message m) {
        return new String(m.payload(), StandardCharsets.UTF_8);
    }
}
