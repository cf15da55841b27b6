package dualwan.decide;

import dualwan.model.Mode;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ModeTest {

    @Test
    void nextCyclesAutoThenEachUplinkInConfigOrderThenAuto() {
        List<String> uplinks = List.of("isp1", "isp2", "lte");
        Mode m = Mode.AUTO;
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            m = m.next(uplinks);
            seen.append(m).append(' ');
        }
        assertEquals("isp1 isp2 lte auto isp1 ", seen.toString());
    }

    @Test
    void anUnknownForcedUplinkOrNoUplinksGoBackToAuto() {
        assertEquals(Mode.AUTO, Mode.force("gone").next(List.of("isp1", "isp2")));
        assertEquals(Mode.AUTO, Mode.AUTO.next(List.of()));
        assertEquals(Mode.AUTO, Mode.force("isp1").next(List.of("isp1")));
    }
}
