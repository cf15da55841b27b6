package dualwan.web;

import dualwan.model.DaemonState;
import dualwan.model.StateJson;
import dualwan.model.SwitchEvent;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What open pages receive. The worker ({@link #run}) takes each newest state from the control loop's
 * {@link Handoff} and turns it into one {@link Frame}, rendered once for every page; each page's {@link Stream}
 * sends the frames as server-sent events: {@code hello} with the whole chart history on connect, then
 * {@code update} with the state, the recent switches and the chart point a step just completed.
 */
final class PageFeed implements Runnable {

    /** Idle streams send a comment this often, so a page that went away is noticed by a failing write. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** How long a page waits before reconnecting after the stream broke (the EventSource's {@code retry}). */
    static final Duration RETRY = Duration.ofMillis(1000);

    /**
     * @param update     the {@code update} event's data
     * @param updateTree the same as a tree, for the {@code hello} event
     * @param state      the state it shows
     * @param history    the chart's points up to it
     */
    record Frame(String update, Map<String, Object> updateTree, DaemonState state, List<History.Point> history) {
    }

    private final Handoff<DaemonState> states;
    private final Latest<Frame> frames;
    private final Supplier<List<SwitchEvent>> switches;
    private final History history = new History();

    PageFeed(Handoff<DaemonState> states, Latest<Frame> frames, Supplier<List<SwitchEvent>> switches) {
        this.states = states;
        this.frames = frames;
        this.switches = switches;
    }

    @Override
    public void run() {
        long seen = 0;
        while (!states.closed()) {
            Optional<Latest.Versioned<DaemonState>> next = states.take(seen, Duration.ofMinutes(1));
            if (next.isEmpty()) {
                continue;
            }
            seen = next.get().version();
            try {
                frames.publish(frame(next.get().value()));
            } catch (RuntimeException e) {
                Logger.error(e, "web: cannot show a state; the page keeps the previous one");
            }
        }
    }

    Frame frame(DaemonState state) {
        Optional<History.Point> point = history.add(state);
        List<SwitchEvent> recent = switches.get();
        if (recent.isEmpty() && state.lastSwitch().isPresent()) {
            recent = List.of(state.lastSwitch().get()); // from before a restart
        }
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("state", StateJson.tree(state));
        update.put("switches", recent.stream().map(StateJson::event).toList());
        update.put("point", point.map(History::tree).orElse(null));
        return new Frame(StateJson.compact(update), update, state, history.points());
    }

    /** One open page. */
    static final class Stream {
        interface Sink {
            void write(byte[] bytes) throws IOException;
        }

        private final Latest<Frame> frames;
        private final Map<String, Object> info;
        private final Sink sink;

        /** {@code info}: what the page needs once (uplinks in config order, whether mode changes are possible). */
        Stream(Latest<Frame> frames, Map<String, Object> info, Sink sink) {
            this.frames = frames;
            this.info = info;
            this.sink = sink;
        }

        void run() throws IOException, InterruptedException {
            StringBuilder head = new StringBuilder();
            sink.write(headBytes());
            Optional<Latest.Versioned<Frame>> first = frames.now();
            long seen = 0;
            Map<String, Object> hello = new LinkedHashMap<>(info);
            if (first.isPresent()) {
                Frame f = first.get().value();
                seen = first.get().version();
                hello.put("history", f.history().stream().map(History::tree).toList());
                hello.put("update", f.updateTree());
            } else {
                hello.put("history", List.of());
                hello.put("update", null);
            }
            head.append("retry: ").append(RETRY.toMillis()).append("\n");
            head.append(event("hello", StateJson.compact(hello)));
            sink.write(head.toString().getBytes(StandardCharsets.UTF_8));
            while (true) {
                Optional<Latest.Versioned<Frame>> next = frames.newerThan(seen, KEEP_ALIVE);
                if (next.isEmpty()) {
                    if (frames.closed()) {
                        return;
                    }
                    sink.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    continue;
                }
                seen = next.get().version();
                sink.write(event("update", next.get().value().update()).getBytes(StandardCharsets.UTF_8));
            }
        }

        private static byte[] headBytes() {
            return ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nConnection: close\r\n"
                    + "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
        }

        private static String event(String name, String data) {
            return "event: " + name + "\ndata: " + data + "\n\n";
        }
    }
}
