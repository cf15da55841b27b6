package dualwan.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Requests written byte for byte, so tests can send what no HTTP client library would. */
final class RawHttp {

    /** A response as received; status -1 when the server closed without one. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    static Socket open(InetSocketAddress server) throws IOException {
        Socket s = new Socket();
        s.connect(server, 2000);
        s.setSoTimeout(15_000);
        return s;
    }

    /** Sends {@code request} as it is and reads the response to the end of the connection. */
    static Response send(InetSocketAddress server, String request) throws IOException {
        try (Socket s = open(server)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            return read(s.getInputStream());
        }
    }

    static Response get(InetSocketAddress server, String path) throws IOException {
        return send(server, "GET " + path + " HTTP/1.1\r\nHost: " + host(server) + "\r\n\r\n");
    }

    /** A JSON POST with extra header lines (each ending in CRLF). */
    static Response post(InetSocketAddress server, String path, String json, String headers) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return send(server, "POST " + path + " HTTP/1.1\r\nHost: " + host(server) + "\r\nContent-Type: application/json"
                + "\r\nContent-Length: " + body.length + "\r\n" + headers + "\r\n" + json);
    }

    static String host(InetSocketAddress server) {
        return server.getAddress().getHostAddress() + ":" + server.getPort();
    }

    static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            in.transferTo(all);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither answered nor closed within 15 s; got: " + all, e);
        } catch (IOException e) {
            // a reset after the response: keep what came
        }
        String text = all.toString(StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return new Response(-1, Map.of(), "");
        }
        int end = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, end < 0 ? text.length() : end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers,
                end < 0 ? "" : text.substring(end + 4));
    }
}
