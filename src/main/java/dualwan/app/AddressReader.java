package dualwan.app;

import dualwan.config.Config;
import dualwan.engine.Input;
import dualwan.linux.Discovery;
import dualwan.linux.Discovery6;
import dualwan.linux.Kernel;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Reads every uplink's addressing (two {@code ip} runs, two more for IPv6 when uplinks have it) off the control loop, one read at a time and one more if
 * asked meanwhile, and hands the result (or the failure) back as an engine input.
 */
final class AddressReader implements AutoCloseable {

    private final Config config;
    private final Kernel kernel;
    /** Runs a task on the control loop. */
    private final Consumer<Runnable> onLoop;
    private final Consumer<Input> handle;
    /** A virtual thread: it waits for ip most of its short life, and needs no stack of its own between reads. */
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("dualwan-reader").factory());
    // The loop's own.
    private boolean reading;
    private boolean again;

    AddressReader(Config config, Kernel kernel, Consumer<Runnable> onLoop, Consumer<Input> handle) {
        this.config = config;
        this.kernel = kernel;
        this.onLoop = onLoop;
        this.handle = handle;
    }

    /** On the loop. */
    void read() {
        if (reading) {
            again = true;
            return;
        }
        reading = true;
        thread.execute(() -> {
            Input result;
            try {
                result = new Input.Addressing(Discovery.readAll(kernel, config.wans()), Discovery6.readAll(kernel, config));
            } catch (IOException | RuntimeException e) {
                result = new Input.ReadFailed("addresses", e.getMessage());
            }
            Input done = result;
            onLoop.accept(() -> {
                reading = false;
                handle.accept(done);
                if (again) {
                    again = false;
                    read();
                }
            });
        });
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
