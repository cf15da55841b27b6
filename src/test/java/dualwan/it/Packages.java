package dualwan.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.lab.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The .deb that {@code mvn package} writes, lintian's verdict on it, and a rebuild under another version. */
final class Packages {
    private Packages() {}

    static Path newestDeb(Path repo) throws IOException {
        try (Stream<Path> files = Files.list(repo.resolve("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("dualwan_.*_all\\.deb"))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new AssertionError("no target/dualwan_*_all.deb: run mvn package first"));
        }
    }

    /** lintian's tags (none: "clean"), failing on any error or warning; "not installed" without lintian. */
    static String lintian(Path deb) {
        if (!Files.isExecutable(Path.of("/usr/bin/lintian"))) {
            return "not installed";
        }
        Lab.Result r = Lab.runHost(List.of("lintian", "--pedantic", "--info", deb.toString()), Duration.ofMinutes(2));
        List<String> tags = r.stdout().lines().filter(l -> l.matches("^[EWIP]: .*")).toList();
        assertFalse(tags.stream().anyMatch(l -> l.startsWith("E:") || l.startsWith("W:")), "lintian: " + r);
        return tags.isEmpty() ? "clean" : "no errors or warnings; " + String.join("; ", tags);
    }

    /** The same package under another version (dpkg-deb -R, then -b), as a second build would be. */
    static Path withVersion(Path deb, Path dir, String version) throws IOException {
        Path tree = Files.createTempDirectory(dir.getParent(), "repack");
        run("dpkg-deb", "-R", deb.toString(), tree.toString());
        Path control = tree.resolve("DEBIAN").resolve("control");
        Files.writeString(control, Files.readString(control).replaceAll("(?m)^Version: .*$", "Version: " + version));
        Path out = dir.resolve("dualwan_" + version + "_all.deb");
        run("dpkg-deb", "--root-owner-group", "-b", tree.toString(), out.toString());
        return out;
    }

    private static void run(String... argv) {
        Lab.Result r = Lab.runHost(List.of(argv), Duration.ofMinutes(1));
        assertTrue(r.ok(), () -> String.join(" ", argv) + ": " + r);
    }
}
