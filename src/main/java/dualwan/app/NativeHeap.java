package dualwan.app;

import org.tinylog.Logger;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Gives native memory freed during start-up (class loading, the config, Paho's and Pi4J's set-up) back to the
 * kernel once: glibc keeps it in its arenas, about 4 MB of RSS. A JVM's periodic trimmer
 * ({@code -XX:TrimNativeHeapInterval}) would do the same but wake up for ever and cost measurable CPU.
 */
final class NativeHeap {

    private NativeHeap() {
    }

    /** Calls glibc's {@code malloc_trim(0)}; does nothing where there is no such function (musl). */
    static void trim() {
        Linker linker = Linker.nativeLinker();
        linker.defaultLookup().find("malloc_trim").ifPresent(address -> {
            MethodHandle mallocTrim = linker.downcallHandle(address, FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
            try {
                int released = (int) mallocTrim.invokeExact(0L);
                Logger.debug("malloc_trim: {}", released == 1 ? "memory returned" : "nothing to return");
            } catch (Throwable e) {
                Logger.warn("malloc_trim failed: {}", e.toString());
            }
        });
    }
}
