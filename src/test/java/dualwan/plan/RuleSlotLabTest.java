package dualwan.plan;

import dualwan.linux.CommandRunner;
import dualwan.linux.IpJson;
import dualwan.linux.ProcessRunner;
import dualwan.linux.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dualwan.TestConfigs.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The reconciler's rule commands on a real kernel, in a namespace of its own: every command succeeds, the slot
 * that changes is never without the rule it had, and a second pass has nothing left to do. Also proves the two
 * kernel behaviours the reconciler plans around (a request matches rules with more selectors than it names).
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class RuleSlotLabTest {

    private static final int FIRST = 1000;
    private static final int LAST = 1099;

    private final ProcessRunner runner = new ProcessRunner();
    private String ipPath;
    private String ns;

    @BeforeEach
    void namespace() throws Exception {
        assumeTrue("0".equals(runner.run(List.of("id", "-u")).stdout().trim()), "needs root");
        Tools tools = Tools.find();
        assumeTrue(tools.found(Tools.Tool.IP).isPresent(), "needs ip");
        ipPath = tools.found(Tools.Tool.IP).get().path().toString();
        ns = "dwrs-" + Integer.toString(new SecureRandom().nextInt(1 << 20), 36);
        assertTrue(runner.run(List.of(ipPath, "netns", "add", ns)).ok(), "namespace " + ns);
    }

    @AfterEach
    void removeNamespace() throws Exception {
        if (ns != null) {
            runner.run(List.of(ipPath, "netns", "del", ns));
            assertFalse(runner.run(List.of(ipPath, "netns", "list")).stdout().contains(ns), "namespace left behind");
        }
    }

    private CommandRunner.Result inNamespace(List<String> args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(ipPath, "-n", ns));
        argv.addAll(args);
        return runner.run(argv);
    }

    private void must(String... args) throws IOException {
        CommandRunner.Result r = inNamespace(List.of(args));
        assertTrue(r.ok(), String.join(" ", args) + ": " + r.stderr());
    }

    private List<RuleSpec> rules() throws IOException {
        return IpJson.rules(inNamespace(List.of("-json", "-4", "rule", "show")).stdout());
    }

    private List<RuleSpec> slot(int priority) throws IOException {
        return rules().stream().filter(r -> r.priority() == priority).toList();
    }

    /**
     * Runs the reconciler's commands one by one; after each, {@code priority}'s slot must hold a rule of
     * {@code keep} if it held one before. Then the kernel matches the plan: a second pass is empty.
     */
    private List<String> reconcile(List<RuleSpec> want, int priority, List<RuleSpec> keep) throws IOException {
        RoutingPlan plan = new RoutingPlan(FIRST, LAST, want, Map.of());
        List<List<String>> commands = Reconciler.commands(plan, rules(), Map.of());
        boolean covered = slot(priority).stream().anyMatch(keep::contains);
        for (List<String> c : commands) {
            CommandRunner.Result r = inNamespace(c);
            assertTrue(r.ok(), "ip " + String.join(" ", c) + ": " + r.stderr());
            if (covered) {
                List<RuleSpec> now = slot(priority);
                assertTrue(now.stream().anyMatch(keep::contains), "after ip " + String.join(" ", c) + " slot "
                        + priority + " holds " + now);
            }
        }
        assertEquals(List.of(), Reconciler.commands(plan, rules(), Map.of()), "in place after one pass");
        assertEquals(want.stream().filter(r -> r.priority() == priority).toList(), slot(priority));
        return commands.stream().map(c -> String.join(" ", c)).toList();
    }

    @Test
    void aChangedMarkNeverLeavesItsSlotEmpty() throws Exception {
        must("rule", "add", "priority", "1001", "fwmark", "0x64", "lookup", "101");
        RuleSpec old = RuleSpec.fwmark(1001, 0x64, 101);
        RuleSpec now = RuleSpec.fwmark(1001, 0x65, 101);
        // during the change either mark's rule routes the slot: the old one until the new one is there
        assertEquals(List.of("rule add priority 1001 fwmark 0x65 lookup 101", "rule del priority 1001 fwmark 0x64 lookup 101"),
                reconcile(List.of(now), 1001, List.of(old, now)));
    }

    @Test
    void aNewAddressGetsItsRuleBeforeTheOldOneGoes() throws Exception {
        must("rule", "add", "priority", "1020", "from", "100.64.1.9", "lookup", "101");
        RuleSpec old = RuleSpec.from(1020, ip("100.64.1.9"), 101);
        RuleSpec now = RuleSpec.from(1020, ip("100.64.1.2"), 101);
        reconcile(List.of(now), 1020, List.of(old, now));
    }

    @Test
    void aForeignRuleInFrontIsDeletedByPriorityAndOursStays() throws Exception {
        must("rule", "add", "priority", "1030", "iif", "lo", "lookup", "200");
        must("rule", "add", "priority", "1030", "lookup", "200");
        RuleSpec ours = RuleSpec.lookup(1030, 200);
        assertEquals(List.of("rule del priority 1030"), reconcile(List.of(ours), 1030, List.of(ours)));
    }

    @Test
    void aForeignRuleBehindOursIsDeletedAndOursComesBack() throws Exception {
        must("rule", "add", "priority", "1030", "lookup", "200");
        must("rule", "add", "priority", "1030", "iif", "lo", "lookup", "200");
        reconcile(List.of(RuleSpec.lookup(1030, 200)), 1030, List.of());
    }

    @Test
    void aRuleWithMoreSelectorsBlocksTheAddAndCatchesTheDelete() throws Exception {
        must("rule", "add", "priority", "1030", "from", "100.64.1.2", "lookup", "200");
        CommandRunner.Result add = inNamespace(List.of("rule", "add", "priority", "1030", "lookup", "200"));
        assertFalse(add.ok(), "the kernel takes the wider rule for a duplicate");
        assertTrue(add.stderr().contains("File exists"), add.stderr());
        must("rule", "add", "priority", "1031", "from", "100.64.1.2", "lookup", "200");
        must("rule", "add", "priority", "1031", "fwmark", "0x65", "lookup", "200");
        must("rule", "del", "priority", "1031", "lookup", "200");
        assertEquals(List.of(RuleSpec.fwmark(1031, 0x65, 200)), slot(1031), "the delete took the oldest match");
        must("rule", "del", "priority", "1031");

        // so the reconciler clears such a slot and fills it again, and every command succeeds
        assertEquals(List.of("rule del priority 1030", "rule add priority 1030 lookup 200"),
                reconcile(List.of(RuleSpec.lookup(1030, 200)), 1030, List.of()));
    }
}
