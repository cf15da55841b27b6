package dualwan.sim;

import dualwan.TestConfigs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

class SimulatorProbe {
    @Test
    void figures() {
        var cfg = TestConfigs.twoWans();
        long t0 = System.nanoTime();
        var o = Simulator.run(cfg, new Simulator.Network(10, Set.of(), Optional.empty(), Duration.ZERO, 1), Duration.ofDays(3));
        System.out.println("3 days 10% loss: " + o + " in " + (System.nanoTime() - t0) / 1e9 + " s");
        long max = 0, sum = 0; int n = 50;
        for (int i = 0; i < n; i++) {
            var d = Simulator.run(cfg, new Simulator.Network(0, Set.of(), Optional.of("isp1"), Duration.ofMillis(60_000 + i * 97L), i), Duration.ofSeconds(70));
            long det = d.firstSwitchAt().orElseThrow().toMillis() - (60_000 + i * 97L);
            max = Math.max(max, det); sum += det;
        }
        System.out.println("detection mean " + sum / n + " max " + max);
    }
}
