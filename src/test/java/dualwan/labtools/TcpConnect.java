package dualwan.labtools;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;

/**
 * Bounded TCP connects from a lab namespace, each timed: what a LAN client sees when it opens a connection.
 *
 * <pre>java -cp dualwan.jar dualwan.labtools.TcpConnect --to [2001:db8:f1::3]:443 [--times 5] [--timeout 3s]</pre>
 *
 * Prints one line per attempt, {@code OUTCOME MILLIS}: {@code connected}, {@code refused} (a reset),
 * {@code unreachable} (an ICMP(v6) error: no route, prohibited), {@code timeout}, or {@code error}. Exit 0 when
 * every attempt ran, 2 on bad input.
 */
public final class TcpConnect {
    private TcpConnect() {}

    public static void main(String[] argv) {
        Args args;
        try {
            args = new Args(argv, Set.of("to", "times", "timeout"));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        InetSocketAddress to = Args.socketAddress(args.required("to"));
        int times = args.get("times") == null ? 1 : Integer.parseInt(args.get("times"));
        int timeoutMs = (int) Args.duration(args.get("timeout") == null ? "3s" : args.get("timeout")).toMillis();
        // One untimed connect first, to a closed port of this host: the JVM's socket classes load here, not in a
        // timed attempt.
        try (Socket warm = new Socket()) {
            warm.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 9), timeoutMs);
        } catch (IOException expected) {
            // refused: what it was for
        }
        for (int i = 0; i < Math.min(times, 100); i++) {
            long start = System.nanoTime();
            String outcome;
            try (Socket s = new Socket()) {
                s.connect(to, timeoutMs);
                outcome = "connected";
            } catch (ConnectException e) {
                outcome = e.getMessage() != null && e.getMessage().contains("refused") ? "refused" : "unreachable";
            } catch (NoRouteToHostException e) {
                outcome = "unreachable";
            } catch (SocketTimeoutException e) {
                outcome = "timeout";
            } catch (IOException e) {
                outcome = "error";
            }
            System.out.printf("%s %.2f%n", outcome, (System.nanoTime() - start) / 1e6);
        }
    }
}
