package dualwan.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The subset of HTTP/1.1 the status page needs: one request per connection (every response says
 * {@code Connection: close}), a request head and body of bounded size that must arrive within a deadline, and
 * clean error responses for everything else. Written on JDK sockets because the JDK's own server takes these
 * limits only as JVM-wide properties, closes an oversize request without an answer, and would cut the page's
 * long-lived event stream with the same timer that bounds slow requests.
 */
final class Http {

    /** Largest request line plus headers. */
    static final int MAX_HEAD_BYTES = 8 * 1024;
    /** Most header lines. */
    static final int MAX_HEADERS = 50;
    /** Longest request target (path and query). */
    static final int MAX_TARGET = 2048;
    /** Largest request body (a login or a mode command is a few dozen bytes). */
    static final int MAX_BODY_BYTES = 4 * 1024;

    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

    private Http() {
    }

    /**
     * A parsed request.
     *
     * @param method  {@code GET}, {@code POST}, …
     * @param path    the target's path, without the query
     * @param headers by lower-case name; repeated headers joined with ", " (cookies with "; ")
     * @param body    the body, empty without {@code Content-Length}
     */
    record Request(String method, String path, Map<String, String> headers, byte[] body) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }

        Optional<String> cookie(String name) {
            for (String part : header("cookie").orElse("").split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                    return Optional.of(part.substring(eq + 1).trim());
                }
            }
            return Optional.empty();
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A request that gets an error response: the status and why, for the client and the log. */
    static final class Failure extends Exception {
        final int status;

        Failure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** The client sent part of a request and then nothing until the deadline (slowloris). */
    static final class Timeout extends IOException {
        final boolean partial;

        Timeout(boolean partial) {
            super(partial ? "request not complete in time" : "no request in time");
            this.partial = partial;
        }
    }

    /**
     * Reads one request. Returns empty when the client closed the connection before sending anything (a
     * browser's unused pre-connection); throws {@link Timeout} when the deadline of {@code in} passed.
     */
    static Optional<Request> read(InputStream in) throws IOException, Failure {
        byte[] head = head(in);
        if (head == null) {
            return Optional.empty();
        }
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r?\n", -1);
        String[] start = lines[0].split(" ", -1);
        if (start.length != 3 || !METHOD.matcher(start[0]).matches()) {
            throw new Failure(400, "malformed request line");
        }
        if (!start[2].equals("HTTP/1.1") && !start[2].equals("HTTP/1.0")) {
            throw new Failure(505, "only HTTP/1.0 and HTTP/1.1 are spoken here");
        }
        String target = start[1];
        if (target.length() > MAX_TARGET) {
            throw new Failure(414, "request target longer than " + MAX_TARGET + " characters");
        }
        if (!target.startsWith("/")) {
            throw new Failure(400, "the request target must be a path");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int count = 0;
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            if (++count > MAX_HEADERS) {
                throw new Failure(431, "more than " + MAX_HEADERS + " header lines");
            }
            header(lines[i], headers);
        }
        if (start[2].equals("HTTP/1.1") && !headers.containsKey("host")) {
            throw new Failure(400, "an HTTP/1.1 request needs a Host header");
        }
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        return Optional.of(new Request(start[0], path, headers, body(in, headers)));
    }

    private static void header(String line, Map<String, String> headers) throws Failure {
        int colon = line.indexOf(':');
        if (line.startsWith(" ") || line.startsWith("\t")) {
            throw new Failure(400, "folded header lines are not accepted");
        }
        if (colon <= 0 || !TOKEN.matcher(line.substring(0, colon)).matches()) {
            throw new Failure(400, "malformed header line");
        }
        String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).strip();
        if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            throw new Failure(400, "control characters in header " + name);
        }
        String before = headers.get(name);
        if (before != null && (name.equals("host") || name.equals("content-length"))) {
            throw new Failure(400, "header " + name + " given twice");
        }
        headers.put(name, before == null ? value : before + (name.equals("cookie") ? "; " : ", ") + value);
    }

    /** The bytes up to the empty line (exclusive), or null on a clean close before the first byte. */
    private static byte[] head(InputStream in) throws IOException, Failure {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int newlines = 0;
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new Timeout(head.size() > 0);
            }
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new Failure(400, "connection closed inside the request head");
            }
            if (head.size() == 0 && (b == '\r' || b == '\n')) {
                continue; // blank lines before the request line are tolerated (RFC 9112, 2.2)
            }
            if (b == '\n') {
                if (++newlines == 2) {
                    byte[] bytes = head.toByteArray();
                    int end = bytes.length;
                    while (end > 0 && bytes[end - 1] == '\r') {
                        end--;
                    }
                    return java.util.Arrays.copyOf(bytes, end);
                }
            } else if (b != '\r') {
                newlines = 0;
            }
            head.write(b);
            if (head.size() > MAX_HEAD_BYTES) {
                throw new Failure(431, "request head larger than " + MAX_HEAD_BYTES + " bytes");
            }
        }
    }

    private static byte[] body(InputStream in, Map<String, String> headers) throws IOException, Failure {
        if (headers.containsKey("transfer-encoding")) {
            throw new Failure(501, "Transfer-Encoding is not accepted; send a Content-Length");
        }
        String length = headers.get("content-length");
        if (length == null) {
            return new byte[0];
        }
        if (!DIGITS.matcher(length).matches()) {
            throw new Failure(length.chars().allMatch(Character::isDigit) ? 413 : 400,
                    "bad Content-Length " + length.substring(0, Math.min(length.length(), 20)));
        }
        int n = Integer.parseInt(length);
        if (n > MAX_BODY_BYTES) {
            throw new Failure(413, "request body larger than " + MAX_BODY_BYTES + " bytes");
        }
        byte[] body;
        try {
            body = in.readNBytes(n);
        } catch (SocketTimeoutException e) {
            throw new Timeout(true);
        }
        if (body.length < n) {
            throw new Failure(400, "connection closed inside the request body");
        }
        return body;
    }

    /** A whole response. */
    record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response text(int status, String text) {
            return new Response(status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8),
                    Map.of());
        }

        static Response json(int status, String json) {
            return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8).strip();
        }

        Response with(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Response(status, contentType, body, h);
        }
    }

    /** Writes the status line and the headers every response carries, then {@code extra}. */
    static void writeHead(OutputStream out, int status, String contentType, long length, Map<String, String> extra)
            throws IOException {
        StringBuilder h = new StringBuilder(256);
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        h.append("Content-Type: ").append(contentType).append("\r\n");
        if (length >= 0) {
            h.append("Content-Length: ").append(length).append("\r\n");
        }
        h.append("Connection: close\r\n");
        h.append("Cache-Control: no-store\r\n");
        h.append("X-Content-Type-Options: nosniff\r\n");
        h.append("X-Frame-Options: DENY\r\n");
        h.append("Referrer-Policy: no-referrer\r\n");
        extra.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    static void write(OutputStream out, Response r, boolean head) throws IOException {
        writeHead(out, r.status(), r.contentType(), r.body().length, r.headers());
        if (!head) {
            out.write(r.body());
        }
        out.flush();
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    /** Reads from a socket until a fixed deadline: each read waits at most for the time that is left. */
    static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadlineNanos;

        DeadlineInput(Socket socket, long deadlineNanos) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadlineNanos = deadlineNanos;
        }

        private void arm() throws IOException {
            long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
        }

        @Override
        public int read() throws IOException {
            arm();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return in.read(b, off, len);
        }
    }
}
