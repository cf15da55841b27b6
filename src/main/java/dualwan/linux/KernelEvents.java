package dualwan.linux;

import org.tinylog.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Wakes the daemon when the kernel reports a link, address, route or rule change, instead of polling. Runs
 * {@code ip monitor link address route rule} (iproute2 6.1 has no JSON for it) and hands each line, reduced to a
 * {@link KernelEvent}, to the daemon, which re-reads only what that event can have changed. If the monitor exits
 * it is restarted after a pause, and an {@link KernelEvent.Kind#OTHER} event (re-read everything) follows every
 * (re)start to cover the gap.
 */
final class KernelEvents implements AutoCloseable {

    private static final long RESTART_PAUSE_MS = 1000;

    private final Consumer<KernelEvent> onChange;
    private final Thread reader;
    private volatile Process process;
    private volatile boolean closed;

    KernelEvents(Consumer<KernelEvent> onChange) {
        this.onChange = onChange;
        this.reader = new Thread(this::run, "dualwan-kernel-events");
        reader.setDaemon(true);
        reader.start();
    }

    private void run() {
        while (!closed) {
            try {
                process = new ProcessBuilder(List.of("ip", "monitor", "link", "address", "route", "rule"))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                onChange.accept(KernelEvent.other()); // whatever changed while no monitor was listening
                try (BufferedReader lines = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        KernelEvent.parse(line).ifPresent(onChange);
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    Logger.warn("ip monitor: {}", e.getMessage());
                }
            }
            if (!closed) {
                Logger.warn("ip monitor stopped; restarting it in {} ms", RESTART_PAUSE_MS);
                try {
                    Thread.sleep(RESTART_PAUSE_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Process p = process;
        if (p != null) {
            p.destroy();
        }
        reader.interrupt();
    }
}
