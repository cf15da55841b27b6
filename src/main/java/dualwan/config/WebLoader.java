package dualwan.config;

import org.yaml.snakeyaml.nodes.Node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code web} section.
 */
final class WebLoader extends YamlReader {

    private static final List<String> WEB_KEYS = List.of("listen", "password-file");
    private static final Pattern PORT = Pattern.compile("0|[1-9][0-9]{0,4}");

    WebLoader(YamlReader same) {
        super(same);
    }

    /** The {@code web} section; absent means no server. Empty also after an error (which is recorded). */
    Optional<WebConfig> web(Section top) {
        Optional<Section> section = optionalSection(top, "web", WEB_KEYS);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        Section s = section.get();
        Node listenNode = s.required("listen", "the address and port to serve on, such as 192.168.1.1:8080");
        InetSocketAddress listen = listenNode == null ? null : listen(listenNode, s.path("listen"));
        Located<Optional<FileSetting>> passwordFile = s.defaulted("password-file", Optional.empty(),
                this::passwordFile);
        if (listen == null || passwordFile.value == null) {
            return Optional.empty();
        }
        return Optional.of(new WebConfig(listen, passwordFile.value));
    }

    /** {@code ADDR:PORT}: an IPv4 address (never a name: no DNS at start) and a port 1-65535. */
    private InetSocketAddress listen(Node n, String key) {
        String text = text(n, key, "ADDR:PORT such as 192.168.1.1:8080");
        if (text == null) {
            return null;
        }
        String form = "; write ADDR:PORT such as 192.168.1.1:8080 (0.0.0.0:8080 for every address)";
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            error(line(n), key, "needs a port, found " + quote(text) + form);
            return null;
        }
        String port = text.substring(colon + 1);
        if (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            error(line(n), key, "the port must be a number between 1 and 65535, found " + quote(port) + form);
            return null;
        }
        byte[] address;
        try {
            address = Ipv4.parse(text.substring(0, colon));
        } catch (IllegalArgumentException e) {
            error(line(n), key, e.getMessage() + form);
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), Integer.parseInt(port));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, which Ipv4.parse rules out
        }
    }

    private Optional<FileSetting> passwordFile(Node n, String key) {
        String text = text(n, key, "an absolute file path");
        if (text == null) {
            return null;
        }
        if (!text.startsWith("/") || text.endsWith("/")) {
            error(line(n), key, "must be an absolute file path such as /etc/dualwan/web.secret, found "
                    + quote(text));
            return null;
        }
        try {
            return Optional.of(new FileSetting(Path.of(text), line(n)));
        } catch (InvalidPathException e) {
            error(line(n), key, "is not a usable file path: " + e.getReason());
            return null;
        }
    }
}
