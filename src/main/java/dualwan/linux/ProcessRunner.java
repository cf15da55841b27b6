package dualwan.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@link CommandRunner} on {@link ProcessBuilder}. A command that hangs is killed after the timeout. */
public final class ProcessRunner implements CommandRunner {

    private static final long TIMEOUT_SECONDS = 10;

    @Override
    public Result run(List<String> argv) throws IOException {
        return finish(argv, new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start());
    }

    @Override
    public Result run(List<String> argv, String input) throws IOException {
        Process p = new ProcessBuilder(argv).start();
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the program exited without reading it all; its exit code and stderr tell why
        }
        return finish(argv, p);
    }

    private Result finish(List<String> argv, Process p) throws IOException {
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(argv + " did not finish in " + TIMEOUT_SECONDS + "s");
            }
            return new Result(p.exitValue(), out, err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + argv, e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
