package dualwan.sim;

import dualwan.config.Config;
import dualwan.config.ConfigException;
import dualwan.config.ConfigLoader;

import java.io.PrintStream;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code dualwan simulate}: the figures behind "How failover is decided", at default settings — two uplinks,
 * three hosts each, the gateway checked — on a simulated clock with seeded loss.
 */
public final class SimulateCommand {

    /** Only names and hosts are given: every other value is the loader's default. */
    static final String DEFAULT_SETUP = """
            wans:
              - {name: isp1, interface: wan1, gateway: 100.64.1.1, check: {hosts: [192.0.2.1, 198.51.100.1, 203.0.113.1]}}
              - {name: isp2, interface: wan2, gateway: 100.64.2.1, check: {hosts: [192.0.2.2, 198.51.100.2, 203.0.113.2]}}
            """;

    /** The figures printed, also used by the test that keeps them honest. */
    public record Figures(long detectMeanMs, long detectMaxMs, int trials, Simulator.Outcome randomLoss,
                          Simulator.Outcome deadHost, Simulator.Outcome bursty, Simulator.Outcome rttSwing, int days) {
    }

    private SimulateCommand() {
    }

    public static Config defaultConfig() {
        try {
            return ConfigLoader.parse(Path.of("(defaults)"), DEFAULT_SETUP);
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Figures figures(int days, int trials, long seed) {
        Config config = defaultConfig();
        long sum = 0;
        long max = 0;
        for (int i = 0; i < trials; i++) {
            // Spread the moment of the cut over the probe schedule's phases.
            Duration cutAt = Duration.ofSeconds(30).plusNanos((long) i * 1_000_000_000L / trials);
            Simulator.Outcome o = Simulator.run(config,
                    new Simulator.Network(0, Set.of(), Optional.of("isp1"), cutAt, seed + i), cutAt.plusSeconds(10));
            long ms = o.firstSwitchAt().orElseThrow(() -> new IllegalStateException("no failover after a total cut"))
                    .minus(cutAt).toMillis();
            sum += ms;
            max = Math.max(max, ms);
        }
        Duration length = Duration.ofDays(days);
        Simulator.Outcome loss = Simulator.run(config, new Simulator.Network(10, Set.of(), Optional.empty(), Duration.ZERO, seed), length);
        Inet4Address dead = config.wans().get(0).check().hosts().get(0);
        Simulator.Outcome deadHost = Simulator.run(config,
                new Simulator.Network(10, Set.of(dead), Optional.empty(), Duration.ZERO, seed + 1), length);
        Simulator.Outcome bursty = Simulator.run(config, new Simulator.Network(0, Set.of(), Optional.empty(),
                Duration.ZERO, seed + 2, Optional.of(Simulator.GilbertElliott.fivePercentInBursts()), Optional.empty()),
                length);
        Simulator.Outcome swing = Simulator.run(config, new Simulator.Network(0, Set.of(), Optional.empty(),
                Duration.ZERO, seed + 3, Optional.empty(), Optional.of(Duration.ofSeconds(2))), length);
        return new Figures(sum / trials, max, trials, loss, deadHost, bursty, swing, days);
    }

    public static int run(List<String> args, PrintStream out) {
        int days = intArg(args, "--days", 30);
        int trials = intArg(args, "--trials", 200);
        long seed = intArg(args, "--seed", 1);
        if (days < 1 || trials < 1) {
            out.println("--days and --trials must be at least 1");
            return 2;
        }
        long started = System.nanoTime();
        Figures f = figures(days, trials, seed);
        out.printf("detection after total loss of the active uplink (%d cut phases): mean %d ms, worst %d ms%n",
                f.trials(), f.detectMeanMs(), f.detectMaxMs());
        out.printf("false failovers, %d days, 10%% independent loss on every target: %d (%.2f probes/s per target)%n",
                days, f.randomLoss().switches(), f.randomLoss().probeRatePerTarget());
        out.printf("false failovers, %d days, one host dead and 10%% loss on the rest: %d (%.2f probes/s per target)%n",
                days, f.deadHost().switches(), f.deadHost().probeRatePerTarget());
        out.printf("false failovers, %d days, bursty loss (Gilbert-Elliott, 5%% average, bursts of 2 probes on average): %d (%.2f probes/s per target)%n",
                days, f.bursty().switches(), f.bursty().probeRatePerTarget());
        out.printf("false failovers, %d days, host RTTs swinging between 20 ms and 2 s every %d s: %d (%.2f probes/s per target)%n",
                days, Simulator.SWING_PERIOD.toSeconds(), f.rttSwing().switches(), f.rttSwing().probeRatePerTarget());
        out.printf("simulated in %.1f s (seed %d)%n", (System.nanoTime() - started) / 1e9, seed);
        return 0;
    }

    private static int intArg(List<String> args, String name, int fallback) {
        int i = args.indexOf(name);
        if (i < 0 || i + 1 >= args.size()) {
            return fallback;
        }
        try {
            return Integer.parseInt(args.get(i + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

}
