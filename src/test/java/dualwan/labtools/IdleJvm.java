package dualwan.labtools;

/**
 * A JVM that does nothing but exist, for {@code scripts/bench}: run with the daemon's flags, its CPU use is
 * the floor under the daemon's figure on that machine.
 *
 * <pre>java -cp dualwan.jar dualwan.labtools.IdleJvm SECONDS</pre>
 */
public final class IdleJvm {

    private IdleJvm() {
    }

    public static void main(String[] args) throws InterruptedException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 60;
        Thread.sleep(seconds * 1000);
    }
}
