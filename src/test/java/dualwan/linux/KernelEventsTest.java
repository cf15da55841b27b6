package dualwan.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader against a fake {@code ip}: a script that logs each start and prints lines. Whatever ends a run —
 * a line the parser throws on, an exception from the consumer, the monitor exiting — the reader kills the
 * monitor, starts it again and says so with an OTHER event.
 */
class KernelEventsTest {

    private static final Duration PAUSE = Duration.ofMillis(20);
    private static final String WAN1 = "3: wan1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP";
    private static final String WAN2 = "4: wan2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP";

    @TempDir
    Path dir;

    private final LinkedBlockingQueue<KernelEvent> events = new LinkedBlockingQueue<>();

    /** A fake ip that prints {@code first} on its first start and {@code later} on every other, then hangs. */
    private Path fakeIp(String first, String later) throws Exception {
        return FakeTools.script(dir, "ip", """
                d=$(dirname "$0")
                echo $$ >> "$d/starts"
                echo "$*" > "$d/args"
                if [ "$(wc -l < "$d/starts")" -eq 1 ]; then printf '%%s\\n' %s; else printf '%%s\\n' %s; fi
                exec sleep 60
                """.formatted(quote(first), quote(later)));
    }

    private static String quote(String lines) {
        return String.join(" ", lines.lines().map(l -> "'" + l + "'").toList());
    }

    private KernelEvents reader(Path ip, Function<String, Optional<KernelEvent>> parser, Consumer<KernelEvent> consumer) {
        return new KernelEvents(ip, consumer, parser, PAUSE, PAUSE.multipliedBy(4), Duration.ofMinutes(1));
    }

    private KernelEvent await(Predicate<KernelEvent> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            KernelEvent e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && wanted.test(e)) {
                return e;
            }
        }
        throw new AssertionError("no " + what + " within 10 s");
    }

    private static Predicate<KernelEvent> link(String iface) {
        return e -> e.kind() == KernelEvent.Kind.LINK && e.iface().equals(Optional.of(iface));
    }

    private static Predicate<KernelEvent> other() {
        return e -> e.kind() == KernelEvent.Kind.OTHER;
    }

    private List<Long> starts() throws Exception {
        Path f = dir.resolve("starts");
        return Files.exists(f) ? Files.readAllLines(f).stream().map(Long::parseLong).toList() : List.of();
    }

    @Test
    void aLineTheParserThrowsOnRestartsTheMonitorAndKillsTheOldOne() throws Exception {
        Path ip = fakeIp("boom\n" + WAN1, WAN2);
        Function<String, Optional<KernelEvent>> parser = line -> {
            if (line.equals("boom")) {
                throw new IllegalStateException("a parser bug");
            }
            return KernelEvent.parse(line);
        };
        try (KernelEvents ignored = reader(ip, parser, events::add)) {
            await(other(), "OTHER at the first start");
            await(other(), "OTHER at the restart");
            await(link("wan2"), "the restarted monitor's line");
            assertEquals("-N monitor link address route rule", Files.readString(dir.resolve("args")).trim());
            ProcessRunnerTest.assertGone(starts().getFirst());
        }
    }

    @Test
    void anErrorIsSurvivedToo() throws Exception {
        Path ip = fakeIp("boom\n" + WAN1, WAN2);
        Function<String, Optional<KernelEvent>> parser = line -> {
            if (line.equals("boom")) {
                throw new StackOverflowError("deep");
            }
            return KernelEvent.parse(line);
        };
        try (KernelEvents ignored = reader(ip, parser, events::add)) {
            await(link("wan2"), "a line after the restart");
        }
    }

    @Test
    void aRulePriorityAbove2To31DoesNotEndTheEvents() throws Exception {
        // The real parser: whether it reads this line or throws on it, the events after it must still come.
        Path ip = fakeIp("4294967295:\tfrom all lookup main\n" + WAN1, WAN1);
        try (KernelEvents ignored = reader(ip, KernelEvent::parse, events::add)) {
            await(link("wan1"), "the line after the big priority");
        }
    }

    @Test
    void aConsumerThatThrowsRestartsTheMonitor() throws Exception {
        Path ip = fakeIp(WAN1, WAN2);
        Consumer<KernelEvent> consumer = e -> {
            events.add(e);
            if (link("wan1").test(e)) {
                throw new IllegalArgumentException("the daemon choked");
            }
        };
        try (KernelEvents ignored = reader(ip, KernelEvent::parse, consumer)) {
            await(link("wan1"), "the line the consumer throws on");
            await(other(), "OTHER at the restart");
            await(link("wan2"), "the restarted monitor's line");
        }
    }

    @Test
    void aMonitorThatKeepsExitingKeepsBeingRestarted() throws Exception {
        Path ip = FakeTools.script(dir, "ip", """
                echo $$ >> "$(dirname "$0")/starts"
                echo 'RTNETLINK answers: Operation not permitted' >&2
                exit 2
                """);
        try (KernelEvents ignored = reader(ip, KernelEvent::parse, events::add)) {
            for (int i = 0; i < 4; i++) {
                await(other(), "OTHER at start " + (i + 1));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (starts().size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the OTHER comes as the script starts, before it logs its start
            }
        }
        assertTrue(starts().size() >= 4, "started again and again: " + starts());
    }

    @Test
    void closingStopsTheMonitorForGood() throws Exception {
        Path ip = fakeIp(WAN1, WAN2);
        KernelEvents reader = reader(ip, KernelEvent::parse, events::add);
        await(link("wan1"), "the first line");
        reader.close();
        ProcessRunnerTest.assertGone(starts().getFirst());
        Thread.sleep(PAUSE.multipliedBy(10));
        assertEquals(1, starts().size(), "not started again after close");
    }

    @Test
    void pausesDoubleUpToTheMaximumAndStartOverAfterAHealthyRun() {
        Duration first = KernelEvents.FIRST_PAUSE;
        Duration max = KernelEvents.MAX_PAUSE;
        Duration healthy = KernelEvents.HEALTHY_RUN;
        Duration brief = Duration.ofMillis(5);
        Optional<Duration> last = Optional.empty();
        StringBuilder pauses = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            Duration p = KernelEvents.nextPause(last, brief, first, max, healthy);
            pauses.append(p.toSeconds()).append(' ');
            last = Optional.of(p);
        }
        assertEquals("1 2 4 8 16 30 30 ", pauses.toString());
        assertEquals(first, KernelEvents.nextPause(last, healthy, first, max, healthy));
        assertEquals(max, KernelEvents.nextPause(last, healthy.minusSeconds(1), first, max, healthy));
    }
}
