package dualwan.labtools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * Analyses a {@link UdpSink} log: the largest gap between consecutive
 * arrivals, lost datagrams (holes in the sequence range seen) and every change
 * of source address (which uplink carried the flow).
 *
 * <pre>java -cp target/classes dualwan.labtools.UdpGapReport FILE [--after EPOCH_MILLIS]</pre>
 *
 * Output: human-readable lines starting with "# ", then key=value lines:
 * {@code datagrams, first_seq, last_seq, lost, duplicates, max_gap_ms,
 * max_gap_us, max_gap_start_ms, max_gap_end_ms, first_arrival_ms,
 * last_arrival_ms, first_source, last_source, source_changes,
 * source_change.N=EPOCH_MILLIS OLD->NEW}.
 */
public final class UdpGapReport {
    private UdpGapReport() {}

    /** One line of the sink log. */
    public record Arrival(long epochNanos, long seq, String source) {}

    /** The flow moved from one source address to another at {@code atEpochNanos}. */
    public record SourceChange(long atEpochNanos, String from, String to) {
        public long atEpochMillis() {
            return Math.floorDiv(atEpochNanos, 1_000_000L);
        }
    }

    /**
     * Result of an analysis. Times are epoch nanoseconds; gap fields are 0 when
     * fewer than two datagrams arrived. {@code lost} counts sequence numbers
     * missing between the first and last seen; datagrams never seen at either
     * end are not counted (compare {@code lastSeq} with the sender's count).
     */
    public record Report(
            long datagrams,
            long firstSeq,
            long lastSeq,
            long lost,
            long duplicates,
            long maxGapNanos,
            long maxGapStartNanos,
            long maxGapEndNanos,
            long firstArrivalNanos,
            long lastArrivalNanos,
            String firstSource,
            String lastSource,
            List<SourceChange> sourceChanges) {

        public long maxGapMillis() {
            return Math.round(maxGapNanos / 1e6);
        }

        /** Lost datagrams if the sender sent {@code sent} (seq 0..sent-1). */
        public long lostOf(long sent) {
            return sent - (datagrams - duplicates);
        }

        public List<String> sources() {
            List<String> out = new ArrayList<>();
            if (firstSource != null) {
                out.add(firstSource);
            }
            for (SourceChange c : sourceChanges) {
                out.add(c.to());
            }
            return out;
        }
    }

    public static Report analyze(Path file) throws IOException {
        return analyze(file, Long.MIN_VALUE);
    }

    /** Analyses only arrivals at or after {@code afterEpochMillis}. */
    public static Report analyze(Path file, long afterEpochMillis) throws IOException {
        return analyze(read(file), afterEpochMillis);
    }

    public static List<Arrival> read(Path file) throws IOException {
        List<Arrival> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3) {
                continue; // partial last line or blank
            }
            try {
                out.add(new Arrival(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]));
            } catch (NumberFormatException e) {
                // skip garbage
            }
        }
        return out;
    }

    public static Report analyze(List<Arrival> all, long afterEpochMillis) {
        long afterNanos = afterEpochMillis == Long.MIN_VALUE
                ? Long.MIN_VALUE
                : Math.multiplyExact(afterEpochMillis, 1_000_000L);
        List<Arrival> a = all.stream().filter(x -> x.epochNanos() >= afterNanos).toList();
        long n = a.size();
        long firstSeq = -1, lastSeq = -1, minSeq = Long.MAX_VALUE, maxSeq = Long.MIN_VALUE;
        long maxGap = 0, gapStart = 0, gapEnd = 0;
        long duplicates = 0;
        BitSet seen = new BitSet();
        List<SourceChange> changes = new ArrayList<>();
        String src = null;
        long seqs = 0;
        for (int i = 0; i < a.size(); i++) {
            Arrival x = a.get(i);
            if (i == 0) {
                firstSeq = x.seq();
                src = x.source();
            } else {
                long gap = x.epochNanos() - a.get(i - 1).epochNanos();
                if (gap > maxGap) {
                    maxGap = gap;
                    gapStart = a.get(i - 1).epochNanos();
                    gapEnd = x.epochNanos();
                }
                if (!x.source().equals(src)) {
                    changes.add(new SourceChange(x.epochNanos(), src, x.source()));
                    src = x.source();
                }
            }
            lastSeq = x.seq();
            if (x.seq() >= 0 && x.seq() <= Integer.MAX_VALUE) {
                if (seen.get((int) x.seq())) {
                    duplicates++;
                } else {
                    seen.set((int) x.seq());
                    seqs++;
                }
                minSeq = Math.min(minSeq, x.seq());
                maxSeq = Math.max(maxSeq, x.seq());
            }
        }
        long lost = seqs == 0 ? 0 : (maxSeq - minSeq + 1) - seqs;
        return new Report(n, firstSeq, lastSeq, lost, duplicates, maxGap, gapStart, gapEnd,
                n == 0 ? 0 : a.getFirst().epochNanos(), n == 0 ? 0 : a.getLast().epochNanos(),
                n == 0 ? null : a.getFirst().source(), src, List.copyOf(changes));
    }

    static long ms(long nanos) {
        return Math.floorDiv(nanos, 1_000_000L);
    }

    public static void print(Report r, PrintStream out) {
        out.printf("# %d datagrams, %d lost, %d duplicates (seq %d..%d)%n",
                r.datagrams(), r.lost(), r.duplicates(), r.firstSeq(), r.lastSeq());
        if (r.datagrams() >= 2) {
            out.printf("# largest gap %.1f ms, from %s to %s%n", r.maxGapNanos() / 1e6,
                    Instant.ofEpochSecond(0, r.maxGapStartNanos()), Instant.ofEpochSecond(0, r.maxGapEndNanos()));
        }
        if (r.firstSource() != null) {
            out.printf("# source %s from %s%n", r.firstSource(), Instant.ofEpochSecond(0, r.firstArrivalNanos()));
        }
        for (SourceChange c : r.sourceChanges()) {
            out.printf("# source %s -> %s at %s%n", c.from(), c.to(), Instant.ofEpochSecond(0, c.atEpochNanos()));
        }
        out.println("datagrams=" + r.datagrams());
        out.println("first_seq=" + r.firstSeq());
        out.println("last_seq=" + r.lastSeq());
        out.println("lost=" + r.lost());
        out.println("duplicates=" + r.duplicates());
        out.println("max_gap_ms=" + r.maxGapMillis());
        out.println("max_gap_us=" + r.maxGapNanos() / 1000);
        out.println("max_gap_start_ms=" + ms(r.maxGapStartNanos()));
        out.println("max_gap_end_ms=" + ms(r.maxGapEndNanos()));
        out.println("first_arrival_ms=" + ms(r.firstArrivalNanos()));
        out.println("last_arrival_ms=" + ms(r.lastArrivalNanos()));
        out.println("first_source=" + (r.firstSource() == null ? "" : r.firstSource()));
        out.println("last_source=" + (r.lastSource() == null ? "" : r.lastSource()));
        out.println("source_changes=" + r.sourceChanges().size());
        int i = 1;
        for (SourceChange c : r.sourceChanges()) {
            out.println("source_change." + i++ + "=" + c.atEpochMillis() + " " + c.from() + "->" + c.to());
        }
    }

    public static void main(String[] argv) throws IOException {
        Path file;
        long after;
        try {
            Args args = new Args(argv, Set.of("after"));
            if (args.positional().size() != 1) {
                throw new IllegalArgumentException("exactly one FILE expected");
            }
            file = Path.of(args.positional().getFirst());
            after = args.get("after") == null ? Long.MIN_VALUE : Long.parseLong(args.get("after"));
        } catch (IllegalArgumentException e) {
            System.err.println("UdpGapReport: " + e.getMessage());
            System.err.println("usage: UdpGapReport FILE [--after EPOCH_MILLIS]");
            System.exit(2);
            return;
        }
        print(analyze(file, after), System.out);
    }
}
