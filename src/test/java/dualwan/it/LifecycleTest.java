package dualwan.it;

import static dualwan.it.Daemon.active;
import static dualwan.it.Daemon.jsonList;
import static dualwan.it.Daemon.kernelSnapshot;
import static dualwan.it.Daemon.rules;
import static dualwan.it.Daemon.switches;
import static dualwan.it.Daemon.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Restart over existing routes, refusing bad configs, and the read-only plan command. */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class LifecycleTest extends DaemonLabTest {
    static final List<Integer> OWNED = List.of(1000, 1001, 1002, 1020, 1021, 1030);

    private static List<Integer> ownedPriorities() {
        List<Integer> out = new ArrayList<>();
        for (Map<String, Object> r : jsonList(rules(lab))) {
            int p = ((Number) r.get("priority")).intValue();
            if (p >= 1000 && p <= 1099) {
                out.add(p);
            }
        }
        return out;
    }

    private static Path mkdir(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs the daemon until all is up, then SIGKILLs it: the kernel keeps its rules and tables. */
    private void configureKernel(Path tmp) {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        daemon.kill9();
        assertEquals(OWNED, ownedPriorities(), "configured kernel");
    }

    @Test
    void restartOverExistingRoutesAddsNothingAndDoesNotSwitch(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        Thread.sleep(500);
        String rulesBefore = rules(lab);
        String t101 = table(lab, 101);
        String t102 = table(lab, 102);
        String t200 = table(lab, 200);
        daemon.kill9();
        int logMark = daemon.log().length();

        daemon.startKeepingState();
        Map<String, Object> s = daemon.awaitAllUp();
        Thread.sleep(2000); // a few reconcile rounds
        s = daemon.stateNow();
        String newLog = daemon.log().substring(logMark);
        assertEquals(OWNED, ownedPriorities(), "exactly one rule per owned priority:\n" + rules(lab));
        assertEquals(rulesBefore, rules(lab), "rules changed across the restart");
        assertEquals(t101, table(lab, 101));
        assertEquals(t102, table(lab, 102));
        assertEquals(t200, table(lab, 200));
        assertEquals("isp1", active(s));
        assertEquals(0, switches(s), s::toString);
        assertFalse(Pattern.compile("(?m) switch ").matcher(newLog).find(),
                "new instance logged a switch:\n" + newLog);
        assertFalse(newLog.contains("ip rule add"), "new instance added rules:\n" + newLog);
    }

    @Test
    void badConfigExitsTwoWithFileLineAndTouchesNothing(@TempDir Path tmp) throws Exception {
        configureKernel(tmp);
        String before = kernelSnapshot(lab);
        Map<String, String> bad = Map.of(
                "unknown key", "frobnicate: true\n",
                "quorum larger than host count", "QUORUM");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Path dir = Files.createDirectories(tmp.resolve(e.getKey().replace(' ', '-')));
            Daemon d = Daemon.configure(lab, dir, "3s", y -> e.getValue().equals("QUORUM")
                    ? y.replace("hosts: [192.0.2.1, 198.51.100.1, 203.0.113.1]",
                            "hosts: [192.0.2.1, 198.51.100.1, 203.0.113.1]\n      min-up: 4")
                    : y + e.getValue());
            Lab.Result r = d.oneShot("run");
            String cfg = Pattern.quote(d.config().toString());
            assertEquals(2, r.exitCode(), e.getKey() + ": " + r);
            assertTrue(Pattern.compile("(?m)" + cfg + ":\\d+: ").matcher(r.stdout() + r.stderr()).find(),
                    e.getKey() + ": expected file:line: in\n" + r);
            System.out.println("[it] " + e.getKey() + ": " + r.stderr().trim().replace("\n", " | "));
            assertEquals(before, kernelSnapshot(lab), e.getKey() + ": kernel changed");
            assertFalse(Files.exists(d.stateFile()), e.getKey() + ": state file written");
        }
    }

    @Test
    void rulesAndRoutesRemovedBySomeoneElseAreRepairedOnTheKernelEvent(@TempDir Path tmp) throws Exception {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        String rulesBefore = rules(lab);
        String lanBefore = table(lab, 200);
        assertTrue(lab.exec("rtr", "ip", "rule", "del", "priority", "1030").ok());
        assertTrue(lab.exec("rtr", "ip", "route", "flush", "table", "200").ok());
        long removedAt = System.nanoTime();
        // The periodic check runs every 30 s; only the kernel event can bring them back this soon.
        long deadline = removedAt + java.time.Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && !(rules(lab).equals(rulesBefore) && table(lab, 200).equals(lanBefore))) {
            Thread.sleep(50);
        }
        System.out.println("[it] removed rule and LAN route repaired after " + (System.nanoTime() - removedAt) / 1_000_000 + " ms");
        assertEquals(rulesBefore, rules(lab), "rules repaired");
        assertEquals(lanBefore, table(lab, 200), "LAN table repaired");
    }

    @Test
    void planPrintsIpCommandsAndChangesNothing(@TempDir Path tmp) {
        Daemon d = Daemon.configure(lab, tmp, "3s");
        String before = kernelSnapshot(lab);
        Lab.Result r = d.oneShot("plan");
        assertEquals(0, r.exitCode(), r::toString);
        for (String line : List.of(
                "ip route replace default via 100.64.1.1 dev wan1 onlink table 101",
                "ip route replace default via 100.64.2.1 dev wan2 onlink table 102",
                "ip route replace default via 100.64.1.1 dev wan1 onlink table 200",
                "ip rule add priority 1001 fwmark 0x65 lookup 101",
                "ip rule add priority 1030 lookup 200")) {
            assertTrue(r.stdout().contains(line), "plan lacks '" + line + "':\n" + r.stdout());
        }
        assertEquals(before, kernelSnapshot(lab), "plan changed the kernel");
        assertEquals(List.of(), ownedPriorities());

        // On a configured kernel it still changes nothing and proposes no duplicate rules.
        configureKernel(mkdir(tmp.resolve("run")));
        String configured = kernelSnapshot(lab);
        Lab.Result r2 = d.oneShot("plan");
        assertEquals(0, r2.exitCode(), r2::toString);
        System.out.println("[it] plan on a configured kernel:\n" + r2.stdout().trim());
        assertFalse(r2.stdout().contains("ip rule add"), "duplicate rules proposed:\n" + r2.stdout());
        assertEquals(configured, kernelSnapshot(lab), "plan changed the kernel");
    }
}
