package dualwan.linux;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ip monitor} lines in, an event (or nothing, for a continuation line) out: never an exception, which
 * would end the kernel-events thread. Seeds: a captured monitor session ({@code scripts/fuzz-seeds}) under
 * {@code src/test/resources/dualwan/linux/KernelEventFuzzTestInputs/parse}; each input is many lines.
 */
class KernelEventFuzzTest {

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"Deleted ", ":\tfrom all ", " lookup ", " table ", " dev ", " via ", "inet ", "inet6 ",
            ": <BROADCAST,MULTICAST,UP,LOWER_UP>", "not from ", "default ", "4294967295", "2147483648"})
    void parse(byte[] input) {
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
            Optional<KernelEvent> event = KernelEvent.parse(line);
            boolean continuation = line.isEmpty() || Character.isWhitespace(line.charAt(0));
            assertEquals(continuation, event.isEmpty(), () -> "continuation lines only are no event: " + line);
            event.ifPresent(e -> {
                switch (e.kind()) {
                    case LINK, ADDRESS -> assertTrue(e.iface().filter(i -> !i.isEmpty()).isPresent(), line);
                    case ROUTE -> assertTrue(e.table().isPresent(), line);
                    case RULE -> assertTrue(e.priority().orElse(0) >= 0, line);
                    case OTHER -> assertFalse(e.iface().isPresent(), line);
                }
                // ip marks a removal with a prefix; what was removed is the same event.
                if (!line.startsWith("Deleted ")) {
                    assertEquals(event, KernelEvent.parse("Deleted " + line), line);
                }
            });
        }
    }
}
