package dualwan.app;

import dualwan.config.Config;
import dualwan.config.ConfigLoader;
import dualwan.config.Ipv6;
import dualwan.linux.CommandRunner;
import dualwan.linux.LinuxKernel;
import dualwan.linux.ProcessRunner;
import dualwan.linux.Tools;
import dualwan.plan.Planner6;
import dualwan.plan.Planner6.Uplink6;
import dualwan.plan.Reconciler;
import dualwan.plan.RoutingPlan6;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code dualwan cleanup} on a real kernel with the IPv6 plan applied (in a namespace of its own): every IPv6
 * rule of the block and every IPv6 route of dualwan's tables goes, unreachable ones included, and a second run
 * finds nothing.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class Ipv6CleanupLabTest {

    @Test
    void cleanupRemovesTheAppliedIpv6PlanAndASecondRunFindsNothing() throws Exception {
        ProcessRunner runner = new ProcessRunner();
        assumeTrue("0".equals(runner.run(List.of("id", "-u")).stdout().trim()), "needs root");
        Tools tools = Tools.find();
        assumeTrue(tools.found(Tools.Tool.IP).isPresent() && tools.found(Tools.Tool.NFT).isPresent(), "needs ip, nft");
        String ip = tools.found(Tools.Tool.IP).get().path().toString();
        String ns = "dw6c-" + Integer.toString(new SecureRandom().nextInt(1 << 20), 36);
        assertTrue(runner.run(List.of(ip, "netns", "add", ns)).ok());
        try {
            CommandRunner inNs = new CommandRunner() {
                @Override
                public Result run(List<String> argv) throws java.io.IOException {
                    return runner.run(wrap(argv));
                }

                @Override
                public Result run(List<String> argv, String input) throws java.io.IOException {
                    return runner.run(wrap(argv), input);
                }

                private List<String> wrap(List<String> argv) {
                    List<String> full = new ArrayList<>(List.of(ip, "netns", "exec", ns));
                    full.addAll(argv);
                    return full;
                }
            };
            for (String c : List.of("link add wan1 type veth peer name i1", "link set wan1 up", "link set i1 up",
                    "-6 addr add 2001:db8:1::2/64 dev wan1 nodad")) {
                CommandRunner.Result r = inNs.run(concat(ip, c.split(" ")));
                assertTrue(r.ok(), c + ": " + r.stderr());
            }
            Config config = ConfigLoader.parse(Path.of("t.yaml"), """
                    wans:
                      - name: isp1
                        interface: wan1
                        gateway6: fe80::1
                        prefix6: 2001:db8:100::/56
                        check:
                          hosts: [192.0.2.1, 2001:db8:ffff::1]
                    lan:
                      ipv6:
                        prefix: fd00:1::/64
                    """);
            LinuxKernel kernel = new LinuxKernel(inNs, tools);
            Map<String, Uplink6> facts = Map.of("isp1", new Uplink6(true, List.of(Ipv6.of("2001:db8:1::2")),
                    Optional.of(Ipv6.of("fe80::1")), config.wans().getFirst().ipv6().orElseThrow().prefix()));
            for (Optional<String> active6 : List.of(Optional.of("isp1"), Optional.<String>empty())) {
                RoutingPlan6 plan = Planner6.plan(config, facts, active6, true);
                for (List<String> c : Reconciler.commands6(plan, kernel.rules6(), kernel.tables6(plan.tables().keySet()))) {
                    assertEquals(Optional.empty(), kernel.ip(c), String.join(" ", c));
                }
            }
            assertEquals(5, kernel.rules6().stream().filter(r -> r.priority() >= 1000 && r.priority() < 1100).count());
            String first = cleanup(config, kernel);
            System.out.println("cleanup with the IPv6 plan applied: " + first);
            assertTrue(first.contains("removed 5 IPv6 rule(s) and 3 IPv6 route(s)"), first);
            assertTrue(kernel.rules6().stream().noneMatch(r -> r.priority() >= 1000 && r.priority() < 1100));
            assertTrue(kernel.tables6(List.of(101, 200)).values().stream().allMatch(List::isEmpty));
            assertEquals("cleanup: nothing of dualwan's in the kernel\n", cleanup(config, kernel));
        } finally {
            runner.run(List.of(ip, "netns", "del", ns));
            assertFalse(runner.run(List.of(ip, "netns", "list")).stdout().contains(ns), "namespace left behind");
        }
    }

    private static String cleanup(Config config, LinuxKernel kernel) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = KernelCleanup.run(config, kernel, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> concat(String first, String... rest) {
        List<String> out = new ArrayList<>(List.of(first));
        out.addAll(List.of(rest));
        return out;
    }
}
