package dualwan.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.config.Config;
import dualwan.config.ConfigLoader;
import dualwan.config.WanConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dualwan.linux.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dualwan init}'s generator on ip -json output captured from a namespace: two DHCP uplinks (wan1 metric
 * 100, wan2 metric 200), a LAN bridge br0 with port eth0, an eth1 without carrier and the veth peers; then wan2
 * unplugged; then wan1 too. Every generated file must pass the loader {@code dualwan check} uses.
 */
class StarterConfigTest {

    @Test
    void twoDhcpUplinksAndALanBridge(@TempDir Path tmp) throws Exception {
        StarterConfig.Result r = StarterConfig.generate(board("two"), "pi");
        assertEquals(List.of("wan1", "wan2"), r.uplinks(), "best metric first");
        assertEquals(List.of("br0"), r.lan(), "the bridge, not its port eth0");
        Config c = load(tmp, r.yaml());
        assertEquals(List.of("wan1", "wan2"), c.wans().stream().map(WanConfig::iface).toList());
        assertEquals(List.of("isp1", "isp2"), c.wans().stream().map(WanConfig::name).toList());
        assertTrue(c.wans().stream().allMatch(w -> w.gateway().isEmpty()), "gateway: auto");
        assertEquals(List.of("br0"), c.lan().interfaces());
        assertEquals(3, c.wans().get(0).check().hosts().size());
        assertTrue(r.yaml().contains("# found") || r.yaml().contains("default via 100.64.1.1 metric 100"),
                "the comment says what was found:\n" + r.yaml());
        assertTrue(r.yaml().contains("eth1 (veth, no carrier)"), "unused interfaces are listed:\n" + r.yaml());
    }

    @Test
    void oneUplinkOnly(@TempDir Path tmp) throws Exception {
        StarterConfig.Result r = StarterConfig.generate(board("one"), "pi");
        assertEquals(List.of("wan1"), r.uplinks());
        Config c = load(tmp, r.yaml());
        assertEquals(1, c.wans().size());
        assertTrue(r.yaml().contains("Only one uplink found"), r.yaml());
    }

    @Test
    void noUplinkGivesPlaceholdersThatStillPassCheck(@TempDir Path tmp) throws Exception {
        StarterConfig.Result r = StarterConfig.generate(board("none"), "pi");
        assertTrue(r.uplinks().isEmpty());
        assertTrue(r.yaml().contains("NO UPLINK FOUND"), r.yaml());
        assertEquals(2, load(tmp, r.yaml()).wans().size());
    }

    @Test
    void writeKeepsTheOldFileAndRefusesWithoutUplinks(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("etc/dualwan.yaml");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "# the admin's\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, InitCommand.run(List.of("--write", "--config", target.toString()), fixtures("two"), "pi",
                new PrintStream(out, true), new PrintStream(err, true)), err::toString);
        assertEquals("# the admin's\n", Files.readString(Path.of(target + ".old")));
        assertEquals(StarterConfig.generate(board("two"), "pi").yaml(), Files.readString(target));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(target)));

        String before = Files.readString(target);
        assertEquals(1, InitCommand.run(List.of("--write", "--config", target.toString()), fixtures("none"), "pi",
                new PrintStream(out, true), new PrintStream(err, true)));
        assertEquals(before, Files.readString(target), "no uplink: the file is left alone");
        assertTrue(err.toString().contains("no uplink found"), err::toString);
        try (var files = Files.list(target.getParent())) {
            assertEquals(List.of("dualwan.yaml", "dualwan.yaml.old"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
    }

    private static Config load(Path tmp, String yaml) throws Exception {
        Path f = Files.createTempFile(tmp, "init", ".yaml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f);
    }

    private static StarterConfig.Board board(String name) throws IOException {
        return StarterConfig.Board.parse(resource(name + "-link.json"), resource(name + "-addr.json"),
                resource(name + "-route.json"));
    }

    /** Answers the three ip commands init runs with the captured output of one case. */
    private static CommandRunner fixtures(String name) {
        return argv -> {
            String which = argv.contains("link") ? "link" : argv.contains("addr") ? "addr" : "route";
            return new CommandRunner.Result(0, resource(name + "-" + which + ".json"), "");
        };
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = StarterConfigTest.class.getResourceAsStream("/init/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
