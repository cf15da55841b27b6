package dualwan.labtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UdpGapReportTest {
    private static final long T0 = 1_700_000_000_000L * 1_000_000L;

    private static String line(long ms, long seq, String src) {
        return (T0 + ms * 1_000_000L) + " " + seq + " " + src + "\n";
    }

    @Test
    void findsGapLossAndSourceChange(@TempDir Path tmp) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append(line(0, 0, "100.64.1.2"));
        sb.append(line(20, 1, "100.64.1.2"));
        sb.append(line(40, 2, "100.64.1.2"));
        // seq 3..9 lost during the failover, then wan2 carries the flow
        sb.append(line(1240, 10, "100.64.2.2"));
        sb.append(line(1260, 11, "100.64.2.2"));
        sb.append(line(1260, 11, "100.64.2.2")); // duplicate
        sb.append("123 4"); // torn last line is ignored
        Path f = tmp.resolve("log");
        Files.writeString(f, sb.toString());

        UdpGapReport.Report r = UdpGapReport.analyze(f);
        assertEquals(6, r.datagrams());
        assertEquals(7, r.lost());
        assertEquals(1, r.duplicates());
        assertEquals(1200, r.maxGapMillis());
        assertEquals(T0 + 40_000_000L, r.maxGapStartNanos());
        assertEquals(1, r.sourceChanges().size());
        assertEquals("100.64.2.2", r.sourceChanges().getFirst().to());
        assertEquals(1_700_000_000_000L + 1240, r.sourceChanges().getFirst().atEpochMillis());
        assertEquals(7, r.lostOf(12));

        UdpGapReport.Report after = UdpGapReport.analyze(f, 1_700_000_000_000L + 1000);
        assertEquals(3, after.datagrams());
        assertEquals(20, after.maxGapMillis());
        assertEquals(0, after.sourceChanges().size());

        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        UdpGapReport.print(r, new PrintStream(bo, true, StandardCharsets.UTF_8));
        String out = bo.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("\nmax_gap_ms=1200\n"), out);
        assertTrue(out.contains("\nlost=7\n"), out);
        assertTrue(out.contains("source_change.1=" + (1_700_000_000_000L + 1240) + " 100.64.1.2->100.64.2.2"), out);
    }

    @Test
    void durationsParse() {
        assertEquals(Duration.ofMillis(20), Args.duration("20ms"));
        assertEquals(Duration.ofSeconds(1), Args.duration("1s"));
        assertEquals(Duration.ofNanos(500_000), Args.duration("500us"));
        assertEquals(Duration.ofMillis(15), Args.duration("15"));
    }
}
