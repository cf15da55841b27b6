package dualwan.linux;

import dualwan.config.Prefix6;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The DHCPv6-PD hooks in board/prefix-hooks, run by {@code sh} with the variables each DHCP client sets: they
 * write the file {@link LearnedPrefix} reads (and remove it when the lease ends), for each client.
 */
class PrefixHooksTest {

    private static final Path HOOKS = Path.of("board/prefix-hooks");

    @TempDir
    Path dir;

    private void run(String hook, boolean sourced, Map<String, String> env, String... args) throws Exception {
        List<String> argv = new ArrayList<>(sourced ? List.of("sh", "-c", ". \"$0\"", HOOKS.resolve(hook).toString())
                : List.of("sh", HOOKS.resolve(hook).toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("DUALWAN_PREFIX6_DIR", dir.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), hook + ": " + out);
    }

    private Optional<Prefix6> learned() {
        return LearnedPrefix.read(dir, "wan1");
    }

    @Test
    void iscDhclient() throws Exception {
        run("dhclient-exit-hook", true, Map.of("reason", "BOUND6", "interface", "wan1", "new_ip6_prefix", "2001:db8:100::/56"));
        assertEquals(Optional.of(Prefix6.parse("2001:db8:100::/56")), learned());
        run("dhclient-exit-hook", true, Map.of("reason", "RENEW6", "interface", "wan1", "new_ip6_prefix", "2001:db8:200::/56"));
        assertEquals(Optional.of(Prefix6.parse("2001:db8:200::/56")), learned(), "a renumbered prefix replaces it");
        run("dhclient-exit-hook", true, Map.of("reason", "RELEASE6", "interface", "wan1"));
        assertFalse(Files.exists(dir.resolve("wan1")));
    }

    /**
     * Seen in the lab (DualStackLabTest, pd-renumber): after a renumbering dhclient keeps the old prefix until its
     * lifetime ends, runs the script for it too (as unchanged, old = new) and then reports EXPIRE6 for it.
     */
    @Test
    void iscDhclientStaleOldPrefixAfterARenumberingNeverReplacesTheNewOne() throws Exception {
        run("dhclient-exit-hook", true, Map.of("reason", "BOUND6", "interface", "wan1", "new_ip6_prefix", "2001:db8:100::/56"));
        run("dhclient-exit-hook", true, Map.of("reason", "BOUND6", "interface", "wan1", "new_ip6_prefix", "2001:db8:200::/56"));
        run("dhclient-exit-hook", true, Map.of("reason", "BOUND6", "interface", "wan1",
                "old_ip6_prefix", "2001:db8:100::/56", "new_ip6_prefix", "2001:db8:100::/56"));
        assertEquals(Optional.of(Prefix6.parse("2001:db8:200::/56")), learned(), "the stale prefix is not taken back");
        run("dhclient-exit-hook", true, Map.of("reason", "RENEW6", "interface", "wan1",
                "old_ip6_prefix", "2001:db8:200::/56", "new_ip6_prefix", "2001:db8:200::/56"));
        assertEquals(Optional.of(Prefix6.parse("2001:db8:200::/56")), learned());
        Files.delete(dir.resolve("wan1"));
        run("dhclient-exit-hook", true, Map.of("reason", "RENEW6", "interface", "wan1",
                "old_ip6_prefix", "2001:db8:200::/56", "new_ip6_prefix", "2001:db8:200::/56"));
        assertEquals(Optional.of(Prefix6.parse("2001:db8:200::/56")), learned(), "a renewal rewrites a lost file");
        run("dhclient-exit-hook", true, Map.of("reason", "EXPIRE6", "interface", "wan1", "old_ip6_prefix", "2001:db8:100::/56"));
        assertEquals(Optional.of(Prefix6.parse("2001:db8:200::/56")), learned());
        run("dhclient-exit-hook", true, Map.of("reason", "EXPIRE6", "interface", "wan1", "old_ip6_prefix", "2001:db8:200::/56"));
        assertFalse(Files.exists(dir.resolve("wan1")), "the expiry of the prefix in the file removes it");
    }

    @Test
    void dhcpcd() throws Exception {
        run("dhcpcd.exit-hook", true, Map.of("reason", "BOUND6", "interface", "wan1",
                "new_dhcp6_ia_pd1_prefix1", "2001:db8:100::", "new_dhcp6_ia_pd1_prefix1_length", "56"));
        assertEquals(Optional.of(Prefix6.parse("2001:db8:100::/56")), learned());
        run("dhcpcd.exit-hook", true, Map.of("reason", "EXPIRE6", "interface", "wan1"));
        assertFalse(Files.exists(dir.resolve("wan1")));
    }

    @Test
    void networkManagerDispatcher() throws Exception {
        run("nm-dispatcher", false, Map.of("DHCP6_IP6_PREFIX", "2001:db8:100::/56"), "wan1", "dhcp6-change");
        assertEquals(Optional.of(Prefix6.parse("2001:db8:100::/56")), learned());
        run("nm-dispatcher", false, Map.of(), "wan1", "down");
        assertFalse(Files.exists(dir.resolve("wan1")));
    }

    @Test
    void aHostileValueIsWrittenButNeverTaken() throws Exception {
        run("dhclient-exit-hook", true, Map.of("reason", "BOUND6", "interface", "wan1",
                "new_ip6_prefix", "2001:db8::/56\nprefix 2001:db8:1::/56"));
        assertEquals(Optional.empty(), learned());
    }

}
