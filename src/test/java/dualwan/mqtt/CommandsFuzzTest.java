package dualwan.mqtt;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dualwan.model.Mode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any payload on the two command topics, retained or not: a mode only for exactly what the README documents
 * (not retained, at most {@link Commands#MAX_PAYLOAD} bytes of UTF-8, {@code auto} or an uplink, {@code PRESS}),
 * a rejection with a reason for everything else, never an exception. Only an {@link Commands.Accepted} reaches
 * the mode API ({@code MqttReporter.onMessage}), so a rejection changes nothing. Seeds under
 * {@code src/test/resources/dualwan/mqtt/CommandsFuzzTestInputs/payloads}.
 */
class CommandsFuzzTest {

    private static final List<String> WANS = List.of("isp1", "isp2", "lte");

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"auto", "isp1", "isp2", "lte", "PRESS", " ", "\\x0D\\x0A", "\\xE2\\x80\\x83"}) // libFuzzer syntax: CR LF, EM SPACE
    void payloads(byte[] payload) {
        Optional<String> text = text(payload);
        for (boolean retained : new boolean[]{false, true}) {
            boolean acceptable = !retained && text.isPresent();
            Commands.Outcome mode = Commands.mode(payload.clone(), retained, WANS);
            String word = text.orElse("");
            if (acceptable && word.equals("auto")) {
                assertEquals(Mode.AUTO, accepted(mode));
            } else if (acceptable && WANS.contains(word)) {
                assertEquals(Mode.force(word), accepted(mode));
            } else {
                rejected(mode);
            }
            for (Optional<String> active : List.of(Optional.<String>empty(), Optional.of("isp1"), Optional.of("lte"))) {
                Commands.Outcome press = Commands.failover(payload.clone(), retained, WANS, active);
                if (acceptable && word.equals(Commands.PRESS)) {
                    int next = (active.map(WANS::indexOf).orElse(-1) + 1) % WANS.size();
                    assertEquals(Mode.force(WANS.get(next)), accepted(press));
                } else {
                    rejected(press);
                }
            }
        }
        String preview = Commands.preview(payload);
        assertTrue(preview.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "the log line stays printable: " + preview);
        assertTrue(preview.length() <= 4 * 40 + 32, "the log line stays short");
    }

    /** The payload's text as the README defines a command: UTF-8, at most 64 bytes, blanks around ignored. */
    private static Optional<String> text(byte[] payload) {
        if (payload.length > Commands.MAX_PAYLOAD) {
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload)).toString().strip());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static Mode accepted(Commands.Outcome o) {
        return assertInstanceOf(Commands.Accepted.class, o, o::toString).mode();
    }

    private static void rejected(Commands.Outcome o) {
        Commands.Rejected r = assertInstanceOf(Commands.Rejected.class, o, o::toString);
        assertTrue(!r.reason().isBlank(), "a rejection says why");
    }
}
