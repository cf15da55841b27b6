package dualwan.mqtt;

import dualwan.model.Mode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks command messages before anything acts on them. Only a message that passes every check becomes a
 * {@link Mode}; anything else is a rejection with a reason for the log, and never reaches the mode API.
 */
final class Commands {

    /** Longest command payload: an uplink name is at most 32 characters. */
    static final int MAX_PAYLOAD = 64;
    /** What Home Assistant's MQTT button sends by default. */
    static final String PRESS = "PRESS";

    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    sealed interface Outcome permits Accepted, Rejected {
    }

    /** @param mode what to set; @param why for the log */
    record Accepted(Mode mode, String why) implements Outcome {
    }

    record Rejected(String reason) implements Outcome {
    }

    private Commands() {
    }

    /** {@code P/mode/set}: {@code auto} or the name of a configured uplink. */
    static Outcome mode(byte[] payload, boolean retained, List<String> wans) {
        return checked(payload, retained, word -> {
            if (!WORD.matcher(word).matches()) {
                return new Rejected("wrong type: expected auto or an uplink name (" + String.join(", ", wans) + ")");
            }
            if (word.equals("auto")) {
                return new Accepted(Mode.AUTO, "mode command");
            }
            if (!wans.contains(word)) {
                return new Rejected("unknown uplink " + word + "; the uplinks are " + String.join(", ", wans));
            }
            return new Accepted(Mode.force(word), "mode command");
        });
    }

    /**
     * {@code P/failover/set}: {@code PRESS} forces the uplink after the active one in config order, wrapping
     * around (the first one when none is active).
     */
    static Outcome failover(byte[] payload, boolean retained, List<String> wans, Optional<String> active) {
        return checked(payload, retained, text -> {
            if (!PRESS.equals(text)) {
                return new Rejected("wrong payload: the fail-over button sends " + PRESS);
            }
            int at = active.map(wans::indexOf).orElse(-1);
            String next = wans.get((at + 1) % wans.size());
            return new Accepted(Mode.force(next), "fail-over button (active: " + active.orElse("none") + ")");
        });
    }

    /** The checks every command passes first; {@code then} judges the payload's text (surrounding blanks removed). */
    private static Outcome checked(byte[] payload, boolean retained, Function<String, Outcome> then) {
        if (retained) {
            return new Rejected("retained command: it would be replayed at every reconnect; publish commands"
                    + " without the retain flag");
        }
        if (payload.length > MAX_PAYLOAD) {
            return new Rejected("oversize: " + payload.length + " bytes, at most " + MAX_PAYLOAD);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return new Rejected("invalid UTF-8");
        }
        return then.apply(text.strip());
    }

    /** A short, printable view of a payload for the log. */
    static String preview(byte[] payload) {
        int n = Math.min(payload.length, 40);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = payload[i] & 0xff;
            if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
                b.append("\\x").append(HexFormat.of().toHexDigits((byte) c));
            } else {
                b.append((char) c);
            }
        }
        return "'" + b + (payload.length > n ? "...' (" + payload.length + " bytes)" : "'");
    }
}
