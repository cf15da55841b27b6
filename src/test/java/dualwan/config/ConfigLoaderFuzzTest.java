package dualwan.config;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dualwan.decide.Decider;
import dualwan.decide.Decision;
import dualwan.decide.PolicyDecision;
import dualwan.health.HealthSnapshot;
import dualwan.health.Monitor;
import dualwan.model.Mode;
import dualwan.plan.NftPlanner;
import dualwan.plan.Planner;
import dualwan.plan.Planner.UplinkAddressing;
import dualwan.plan.RoutingPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes as a config file: a {@link Config} the daemon can use, or a {@link ConfigException} whose every
 * error is located ({@code file:line}, or the whole file for the few errors about the file itself), never
 * another exception. Seeds: the example, lab and README configs and a few broken ones, under
 * {@code src/test/resources/dualwan/config/ConfigLoaderFuzzTestInputs/parse}.
 */
class ConfigLoaderFuzzTest {

    /** The errors that are about the file as a whole and so have no line. */
    private static final List<String> WHOLE_FILE = List.of("the file is empty", "the file is larger than",
            "the file is not valid UTF-8");
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        file = Files.createTempFile("dualwan-fuzz", ".yaml");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    // Dictionary entries are in libFuzzer's syntax: \\x0A for a line break.
    @FuzzTest(maxDuration = "3m")
    @DictionaryEntries({"wans:\\x0A", "  - name: ", "    interface: ", "    check:\\x0A", "      hosts: [", "min-up: ",
            "policies:\\x0A", "match:", "order: [", "balance:", "mqtt:\\x0A", "broker: ", "gpio:\\x0A", "leds:", "dns:\\x0A",
            "routing:\\x0A", "rule-priority: ", "lan-table: ", "conntrack:\\x0A", "flush: ", "&a ", "*a", "<<: ", "!!",
            "100.64.1.1", "500ms", "0x65", "tcp:443", "ssl://", "udp/5060", "10000-20000"})
    void parse(byte[] input) throws IOException {
        Files.write(file, input);
        Config config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            located(e, input);
            return;
        }
        usable(config);
    }

    private static void located(ConfigException e, byte[] input) {
        assertFalse(e.errors().isEmpty(), "a rejection says why");
        int lines = yamlLines(new String(input, java.nio.charset.StandardCharsets.UTF_8));
        for (ConfigError error : e.errors()) {
            assertEquals(file, error.file());
            assertFalse(error.message().isBlank(), error::toString);
            if (error.line() == 0) {
                assertTrue(WHOLE_FILE.stream().anyMatch(error.message()::startsWith), () -> "no line: " + error);
            } else {
                assertTrue(error.line() >= 1 && error.line() <= lines, () -> "line out of the file: " + error);
            }
            assertTrue(error.toString().startsWith(file + (error.line() > 0 ? ":" + error.line() + ": " : ": ")),
                    error::toString);
        }
    }

    /** Lines as YAML counts them (and editors show them): CR, LF, CR LF, NEL, LS and PS end a line. */
    static int yamlLines(String text) {
        int lines = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029'
                    || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'))) {
                lines++;
            }
        }
        return lines;
    }

    /** What the daemon does with a config at start must work for every config the loader accepts. */
    private static void usable(Config config) {
        assertFalse(config.wans().isEmpty());
        Map<String, UplinkAddressing> addressing = new LinkedHashMap<>();
        for (int i = 0; i < config.wans().size(); i++) {
            addressing.put(config.wans().get(i).name(), new UplinkAddressing(true,
                    Optional.of(address(i, 2)), Optional.of(address(i, 1))));
        }
        RoutingPlan plan = Planner.plan(config, addressing, Optional.of(config.wans().getFirst().name()));
        plan.rules().forEach(r -> assertTrue(r.priority() >= plan.firstPriority() && r.priority() <= plan.lastPriority()));
        Map<String, PolicyDecision> policies = new LinkedHashMap<>();
        config.policies().forEach(p -> policies.put(p.name(),
                new PolicyDecision(p.uplinks(), java.util.Set.of(), NOW, "fuzz", Optional.empty())));
        assertTrue(NftPlanner.ruleset(config, addressing, policies).contains("table inet dualwan {"));
        Map<String, dualwan.plan.Planner6.Uplink6> six = new LinkedHashMap<>();
        for (int i = 0; i < config.wans().size(); i++) {
            WanConfig w = config.wans().get(i);
            int n = i;
            six.put(w.name(), new dualwan.plan.Planner6.Uplink6(true, List.of(Ipv6.of("2001:db8:" + (i + 1) + "::2")),
                    w.ipv6().flatMap(Wan6Config::gateway).or(() -> Optional.of(Ipv6.of("fe80::1"))),
                    w.ipv6().flatMap(Wan6Config::prefix).or(() -> Optional.of(Prefix6.parse("2001:db8:1" + n + "::/56")))));
        }
        dualwan.plan.RoutingPlan6 plan6 = dualwan.plan.Planner6.plan(config, six, dualwan.plan.Planner6.bestByPriority(config), true);
        plan6.rules().forEach(r -> assertTrue(r.priority() >= plan6.firstPriority() && r.priority() <= plan6.lastPriority()));
        assertTrue(NftPlanner.ruleset(config, addressing, policies, six, dualwan.plan.Planner6.lanUnreachable(config, plan6))
                .contains("table inet dualwan {"));
        dualwan.plan.Flushes6.commands(config, config.wans().stream().map(w -> new dualwan.plan.Flushes6.Moved6(w.name(),
                Optional.of(Ipv6.of("2001:db8::2")), Optional.empty())).toList());
        Monitor monitor = new Monitor(config, NOW);
        monitor.due(NOW);
        HealthSnapshot health = monitor.snapshot(NOW);
        Decider.decide(config, health, Mode.AUTO, Decision.initial(Optional.empty(), NOW), NOW);
    }

    private static Inet4Address address(int uplink, int host) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{100, 64, (byte) (uplink + 1), (byte) host});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
