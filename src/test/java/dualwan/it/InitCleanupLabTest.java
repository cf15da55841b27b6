package dualwan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** {@code dualwan init} on the lab's router (two DHCP-style uplinks, a LAN port) and {@code dualwan cleanup}. */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class InitCleanupLabTest extends DaemonLabTest {

    @Test
    void initFindsBothUplinksAndTheLanAndWritesAConfigThatPassesCheck(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("etc/dualwan.yaml");
        Lab.Result r = dualwan("init", "--write", "--config", file.toString());
        assertTrue(r.ok(), r::toString);
        assertTrue(r.stdout().contains("uplinks wan1, wan2; LAN lan0"), r::toString);
        String yaml = Files.readString(file);
        assertTrue(yaml.indexOf("interface: wan1") < yaml.indexOf("interface: wan2"), "metric 100 before 200:\n" + yaml);
        assertTrue(yaml.contains("interfaces: [lan0]"), yaml);
        Lab.Result check = dualwan("check", "--config", file.toString());
        assertTrue(check.ok(), check::toString);
        assertEquals(file + ": ok, 2 uplinks", check.stdout().strip());
        System.out.println("[it] dualwan init on the lab router:\n" + yaml);
    }

    @Test
    void cleanupRemovesDualwansRulesTablesAndNftTableOnlyAndIsIdempotent(@TempDir Path tmp) {
        daemon = Daemon.configure(lab, tmp, "3s").start();
        daemon.awaitAllUp();
        daemon.close();
        // Someone else's: a rule just below the block and a route in another table.
        Daemon.ok(lab.exec("rtr", "ip", "rule", "add", "priority", "999", "from", "198.51.100.250", "lookup", "300"));
        Daemon.ok(lab.exec("rtr", "ip", "route", "add", "unreachable", "default", "table", "300"));
        assertTrue(lab.exec("rtr", "nft", "list", "table", "inet", "dualwan").ok());

        Lab.Result r = daemon.oneShot("cleanup");
        assertTrue(r.ok(), r::toString);
        System.out.println("[it] " + r.stdout().strip());
        assertTrue(r.stdout().contains("and table inet dualwan"), r::toString);
        for (Map<String, Object> rule : Daemon.jsonList(Daemon.rules(lab))) {
            int p = ((Number) rule.get("priority")).intValue();
            assertFalse(p >= 1000 && p <= 1099, "left behind: " + rule);
        }
        assertTrue(Daemon.rules(lab).contains("\"priority\":999"), "a foreign rule must stay");
        for (int t : List.of(101, 102, 200)) {
            assertEquals("[]", Daemon.table(lab, t), "table " + t);
        }
        assertTrue(Daemon.table(lab, 300).contains("unreachable"), "a foreign table must stay");
        assertFalse(lab.exec("rtr", "nft", "list", "table", "inet", "dualwan").ok(), "nft table must be gone");
        assertTrue(lab.exec("rtr", "ping", "-n", "-c", "1", "-W", "2", "203.0.113.3").ok(),
                "the router still reaches the internet through main's default");

        Lab.Result again = daemon.oneShot("cleanup");
        assertTrue(again.ok(), again::toString);
        assertEquals("cleanup: nothing of dualwan's in the kernel", again.stdout().strip());
    }

    private Lab.Result dualwan(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(Daemon.java(), "--enable-native-access=ALL-UNNAMED",
                "-jar", Daemon.jar(lab)));
        argv.addAll(List.of(args));
        return lab.exec("rtr", Duration.ofSeconds(30), argv.toArray(String[]::new));
    }
}
