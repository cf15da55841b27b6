package dualwan;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package structure, checked from the main sources: the pure core knows no adapter, adapters know only the
 * shared model (not the app), and no two packages need each other.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of(System.getProperty("dualwan.root", ".")).resolve("src/main/java/dualwan");
    /** A use of another package: an import or a qualified name, e.g. {@code dualwan.plan.RuleSpec}. */
    private static final Pattern USE = Pattern.compile("\\bdualwan\\.([a-z]+)\\.[A-Z]");

    private static final Set<String> CORE = Set.of("config", "model", "health", "decide", "plan", "engine");
    private static final Set<String> SIDE_EFFECTS = Set.of("probe", "linux", "app", "mqtt", "gpio", "dns", "control",
            "web", "sim");
    private static final Set<String> ADAPTERS = Set.of("mqtt", "gpio", "dns", "control", "web");

    /** Package → the other packages its main sources use. */
    static Map<String, Set<String>> uses() {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(f).getName(0).toString();
                Set<String> deps = out.computeIfAbsent(pkg, k -> new TreeSet<>());
                for (String line : Files.readAllLines(f)) {
                    if (line.startsWith("package ") || line.trim().startsWith("*") || line.trim().startsWith("//")) {
                        continue;
                    }
                    Matcher m = USE.matcher(line);
                    while (m.find()) {
                        if (!m.group(1).equals(pkg)) {
                            deps.add(m.group(1));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Test
    void theCoreUsesNoProcessSocketDeviceOrAdapterPackage() {
        Map<String, Set<String>> uses = uses();
        assertTrue(uses.keySet().containsAll(CORE), "core packages found: " + uses.keySet());
        for (String core : CORE) {
            Set<String> bad = new TreeSet<>(uses.get(core));
            bad.retainAll(SIDE_EFFECTS);
            assertEquals(Set.of(), bad, core + " must stay pure");
        }
    }

    @Test
    void adaptersDependOnTheSharedModelNotOnTheAppOrTheEngine() {
        Map<String, Set<String>> uses = uses();
        for (String adapter : ADAPTERS) {
            if (!uses.containsKey(adapter)) {
                continue;
            }
            Set<String> allowed = Set.of("config", "model");
            Set<String> bad = new TreeSet<>(uses.get(adapter));
            bad.removeAll(allowed);
            assertEquals(Set.of(), bad, adapter + " may use only " + allowed);
        }
    }

    @Test
    void noTwoPackagesNeedEachOther() {
        Map<String, Set<String>> uses = uses();
        for (String start : uses.keySet()) {
            List<String> cycle = cycleFrom(start, start, uses, new ArrayList<>(List.of(start)), new TreeSet<>());
            assertEquals(List.of(), cycle, "package cycle");
        }
    }

    @Test
    void labToolsAreNotInTheProductSources() {
        assertTrue(Files.notExists(MAIN.resolve("labtools")), "lab tools belong to src/test, not to the board's jar");
    }

    private static List<String> cycleFrom(String start, String at, Map<String, Set<String>> uses, List<String> path,
                                          Set<String> seen) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> c = new ArrayList<>(path);
                c.add(start);
                return c;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> c = cycleFrom(start, next, uses, path, seen);
                if (!c.isEmpty()) {
                    return c;
                }
                path.removeLast();
            }
        }
        return List.of();
    }
}
