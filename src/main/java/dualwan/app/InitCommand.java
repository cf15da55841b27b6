package dualwan.app;

import dualwan.config.ConfigException;
import dualwan.config.ConfigLoader;
import dualwan.linux.CommandRunner;
import dualwan.linux.ProcessRunner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * {@code dualwan init [--write] [--config FILE]}: looks at the board and prints a starting config
 * ({@link StarterConfig}); with {@code --write} puts it in place of FILE (default /etc/dualwan/dualwan.yaml),
 * the old file kept as FILE.old. What it writes has passed the same loader as {@code dualwan check}.
 */
final class InitCommand {

    static final Path DEFAULT_CONFIG = Path.of("/etc/dualwan/dualwan.yaml");

    private InitCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        return run(args, new ProcessRunner(), hostname(), out, err);
    }

    static int run(List<String> args, CommandRunner runner, String hostname, PrintStream out, PrintStream err)
            throws IOException {
        boolean write = args.contains("--write");
        int c = args.indexOf("--config");
        if (c >= 0 && c + 1 >= args.size()) {
            err.println("--config needs a FILE");
            return 2;
        }
        Path target = c >= 0 ? Path.of(args.get(c + 1)) : DEFAULT_CONFIG;
        StarterConfig.Board board = StarterConfig.Board.parse(
                read(runner, "ip", "-json", "-details", "link", "show"),
                read(runner, "ip", "-json", "-4", "addr", "show"),
                read(runner, "ip", "-json", "-4", "route", "show", "table", "main"));
        StarterConfig.Result result = StarterConfig.generate(board, hostname);
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".dualwan-init", ".yaml");
        try {
            Files.writeString(tmp, result.yaml());
            try {
                ConfigLoader.load(tmp);
            } catch (ConfigException e) {
                e.errors().forEach(x -> err.println("init: generated config is invalid: " + x));
                return 1;
            }
            String found = result.uplinks().isEmpty() ? "no uplink found"
                    : "uplinks " + String.join(", ", result.uplinks()) + "; LAN "
                    + (result.lan().isEmpty() ? "none" : String.join(", ", result.lan()));
            if (!write) {
                out.print(result.yaml());
                err.println("init: " + found + (result.uplinks().isEmpty() ? " (placeholders above)" : "")
                        + "; --write puts it in " + target);
                return result.uplinks().isEmpty() ? 1 : 0;
            }
            if (result.uplinks().isEmpty()) {
                err.println("init: " + found + ": " + target + " left as it is (plug in the uplinks and run init again)");
                return 1;
            }
            boolean kept = false;
            if (Files.exists(target)) {
                if (Files.readString(target).equals(result.yaml())) {
                    out.println("init: " + target + " already says this (" + found + ")");
                    return 0;
                }
                Files.copy(target, Path.of(target + ".old"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
                kept = true;
            }
            // Readable by the service user, like the packaged file; it holds no secret (passwords live in files).
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            out.println("init: wrote " + target + " (" + found + ")"
                    + (kept ? ", the previous one is " + target + ".old" : ""));
            out.println("init: now run: systemctl restart dualwan");
            return 0;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String read(CommandRunner runner, String... argv) throws IOException {
        CommandRunner.Result r = runner.run(List.of(argv));
        if (!r.ok()) {
            throw new IOException(String.join(" ", argv) + ": " + r.stderr().trim());
        }
        return r.stdout();
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "this board";
        }
    }
}
