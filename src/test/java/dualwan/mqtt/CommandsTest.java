package dualwan.mqtt;

import dualwan.model.Mode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandsTest {

    private static final List<String> WANS = List.of("isp1", "isp2", "lte");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Mode accepted(Commands.Outcome o) {
        return assertInstanceOf(Commands.Accepted.class, o, o::toString).mode();
    }

    private static void rejected(Commands.Outcome o, String words) {
        String reason = assertInstanceOf(Commands.Rejected.class, o, o::toString).reason();
        assertTrue(reason.contains(words), () -> "'" + reason + "' lacks '" + words + "'");
    }

    @Test
    void modeIsAutoOrAConfiguredUplink() {
        assertEquals(Mode.AUTO, accepted(Commands.mode(b("auto"), false, WANS)));
        assertEquals(Mode.force("lte"), accepted(Commands.mode(b("lte"), false, WANS)));
        assertEquals(Mode.force("isp2"), accepted(Commands.mode(b(" isp2\r\n"), false, WANS)), "blanks around are fine");
    }

    @Test
    void badModeCommandsAreRejectedWithTheReason() {
        rejected(Commands.mode(b("isp9"), false, WANS), "unknown uplink isp9; the uplinks are isp1, isp2, lte");
        rejected(Commands.mode(b("AUTO"), false, WANS), "unknown uplink");
        rejected(Commands.mode(b("{\"mode\":\"isp1\"}"), false, WANS), "wrong type");
        rejected(Commands.mode(b("\"isp1\""), false, WANS), "wrong type");
        rejected(Commands.mode(b("isp 1"), false, WANS), "wrong type");
        rejected(Commands.mode(b(""), false, WANS), "wrong type");
        rejected(Commands.mode(b("isp1\u0000"), false, WANS), "wrong type");
        rejected(Commands.mode(b("x".repeat(Commands.MAX_PAYLOAD + 1)), false, WANS), "oversize: 65 bytes");
        rejected(Commands.mode(new byte[]{(byte) 0xff, 'a'}, false, WANS), "invalid UTF-8");
        rejected(Commands.mode(new byte[]{'i', (byte) 0xed, (byte) 0xa0, (byte) 0x80}, false, WANS), "invalid UTF-8"); // a surrogate
        rejected(Commands.mode(b("isp1"), true, WANS), "retained");
    }

    @Test
    void theButtonForcesTheNextUplinkInConfigOrderWrapping() {
        assertEquals(Mode.force("isp2"), accepted(Commands.failover(b("PRESS"), false, WANS, Optional.of("isp1"))));
        assertEquals(Mode.force("lte"), accepted(Commands.failover(b("PRESS"), false, WANS, Optional.of("isp2"))));
        assertEquals(Mode.force("isp1"), accepted(Commands.failover(b("PRESS"), false, WANS, Optional.of("lte"))));
        assertEquals(Mode.force("isp1"), accepted(Commands.failover(b("PRESS"), false, WANS, Optional.empty())),
                "nothing active: the first uplink");
        assertEquals(Mode.force("solo"), accepted(Commands.failover(b("PRESS"), false, List.of("solo"), Optional.of("solo"))));
    }

    @Test
    void badButtonPressesAreRejected() {
        rejected(Commands.failover(b("press"), false, WANS, Optional.of("isp1")), "sends PRESS");
        rejected(Commands.failover(b("isp2"), false, WANS, Optional.of("isp1")), "sends PRESS");
        rejected(Commands.failover(b("PRESS"), true, WANS, Optional.of("isp1")), "retained");
        rejected(Commands.failover(new byte[100], false, WANS, Optional.of("isp1")), "oversize");
    }

    @Test
    void previewIsPrintableAndShort() {
        assertEquals("'isp\\xc3('", Commands.preview(new byte[]{'i', 's', 'p', (byte) 0xC3, '('}));
        assertEquals("'" + "a".repeat(40) + "...' (100 bytes)", Commands.preview(b("a".repeat(100))));
    }
}
