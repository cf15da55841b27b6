package dualwan.control;

import com.fasterxml.jackson.jr.ob.JSON;
import dualwan.config.Config;
import dualwan.config.WanConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code dualwan mode auto|<uplink> --config FILE}: changes the running daemon's mode through its control socket
 * and prints the decision that follows. Exit 0 done, 1 no daemon or no answer, 2 bad input (nothing changed).
 */
public final class ModeCommand {

    private ModeCommand() {
    }

    public static int run(Config config, List<String> args, PrintStream out, PrintStream err) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--config")) {
                i++;
            } else {
                values.add(args.get(i));
            }
        }
        List<String> uplinks = config.wans().stream().map(WanConfig::name).toList();
        if (values.size() != 1) {
            err.println("usage: dualwan mode auto|" + String.join("|", uplinks) + " --config FILE");
            return 2;
        }
        String mode = values.getFirst();
        if (!mode.equals("auto") && !uplinks.contains(mode)) {
            err.println("no uplink named " + mode + " in " + config.source() + "; use auto or one of "
                    + String.join(", ", uplinks) + " (nothing changed)");
            return 2;
        }
        Path socket = ControlSocket.path(config);
        if (!Files.exists(socket)) {
            err.println(socket + ": no control socket (is the daemon running?)");
            return 1;
        }
        Map<String, Object> answer;
        try {
            answer = ask(socket, "mode " + mode);
        } catch (IOException e) {
            err.println(socket + ": " + e.getMessage() + " (is the daemon running, and are you its user or root?)");
            return 1;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) {
            err.println("refused: " + answer.get("error") + " (nothing changed)");
            return 2;
        }
        Object active = answer.get("active");
        out.println("mode " + answer.get("mode") + ": active " + (active == null ? "none" : active) + " ("
                + answer.get("reason") + ")");
        return 0;
    }

    /** One request line out, one JSON line back; bounded in time. */
    static Map<String, Object> ask(Path socket, String request) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        CompletableFuture<Map<String, Object>> reply = CompletableFuture.supplyAsync(() -> {
            try (channel) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                channel.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
                ByteBuffer buf = ByteBuffer.allocate(4096);
                while (buf.hasRemaining() && channel.read(buf) >= 0) {
                    if (buf.position() > 0 && buf.get(buf.position() - 1) == '\n') {
                        break;
                    }
                }
                return JSON.std.mapFrom(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return reply.get(2 * ControlSocket.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
            throw new IOException(cause.getMessage() != null ? cause.getMessage() : cause.toString(), cause);
        } catch (TimeoutException e) {
            channel.close();
            throw new IOException("no answer within " + 2 * ControlSocket.TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
