package dualwan.linux;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The kernel events dualwan's own {@code ip} writes will cause, so that they are recognised as echoes instead of
 * each bringing a full re-read and repair. Each write is expected once, for {@link #WINDOW}; an event that
 * matches none (someone else changed our tables or rules) still asks for a repair.
 */
final class OwnWrites {

    /** ip monitor reports a change within milliseconds; this is generous for a loaded board. */
    static final Duration WINDOW = Duration.ofSeconds(3);

    private record Echo(KernelEvent.Kind kind, Optional<String> table, OptionalInt priority, Instant until) {
    }

    private final Clock mono;
    private final Deque<Echo> expected = new ArrayDeque<>();

    OwnWrites(Clock mono) {
        this.mono = mono;
    }

    /** An {@code ip} argument list about to run ({@code -6 …} for IPv6: its echo looks the same). */
    synchronized void expect(List<String> command) {
        List<String> args = !command.isEmpty() && command.getFirst().equals("-6") ? command.subList(1, command.size())
                : command;
        Instant until = mono.instant().plus(WINDOW);
        if (args.size() > 2 && args.getFirst().equals("route")) {
            int t = args.indexOf("table");
            expected.add(new Echo(KernelEvent.Kind.ROUTE, t >= 0 && t + 1 < args.size()
                    ? Optional.of(args.get(t + 1)) : Optional.of("main"), OptionalInt.empty(), until));
        } else if (args.size() > 3 && args.getFirst().equals("rule")) {
            int p = args.indexOf("priority");
            if (p >= 0 && p + 1 < args.size()) {
                expected.add(new Echo(KernelEvent.Kind.RULE, Optional.empty(),
                        OptionalInt.of(Integer.parseInt(args.get(p + 1))), until));
            }
        }
    }

    /** True (and forgotten) when the event is one that a recent write of ours was expected to cause. */
    synchronized boolean consume(KernelEvent e) {
        Instant now = mono.instant();
        for (Iterator<Echo> it = expected.iterator(); it.hasNext(); ) {
            Echo x = it.next();
            if (x.until().isBefore(now)) {
                it.remove();
                continue;
            }
            boolean same = x.kind() == e.kind() && (x.kind() == KernelEvent.Kind.ROUTE
                    ? x.table().equals(e.table()) : x.priority().equals(e.priority()));
            if (same) {
                it.remove();
                return true;
            }
        }
        return false;
    }
}
