package dualwan.web;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} against Prometheus's own tools: {@code promtool check metrics} accepts it, and a real
 * Prometheus server on loopback scrapes it, after which its query API returns {@code dualwan_uplink_active} and
 * {@code dualwan_uplink6_up} (the state served is dual-stack).
 * Skipped where Debian's {@code prometheus} package is not installed (CI installs it). Prints scrape times.
 */
class PrometheusTest {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private WebServer server;
    private Process prometheus;

    @AfterEach
    void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress serve() {
        server = Servers.start(Optional.empty(), new Servers.Modes());
        // Dual stack, so promtool and Prometheus read the IPv6 families too (isp1's IPv6 down as well).
        server.stateChanged(dualwan.DualStack.isp1Ipv6Down(States.failedOver(States.T0), States.T0));
        return Servers.address(server);
    }

    @Test
    void promtoolAcceptsTheMetrics(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (apt-get install prometheus)");
        RawHttp.Response r = RawHttp.get(serve(), "/metrics");
        assertEquals(200, r.status());
        assertEquals(Metrics.CONTENT_TYPE, r.header("content-type"));
        Path file = tmp.resolve("metrics.txt");
        Files.writeString(file, r.body());
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
        assertEquals("", out.strip(), "promtool's lint findings");
    }

    @Test
    void aRealPrometheusScrapesItAndAnswersQueries(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus is not installed (apt-get install"
                + " prometheus)");
        InetSocketAddress at = serve();
        int port = freePort();
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: dualwan
                    static_configs:
                      - targets: ['%s']
                """.formatted(RawHttp.host(at)));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile())
                .start();
        String api = "http://127.0.0.1:" + port + "/api/v1/query?query=";
        List<Map<String, Object>> active = awaitResult(api + "dualwan_uplink_active", tmp);
        Map<String, String> byUplink = new TreeMap<>();
        for (Map<String, Object> series : active) {
            @SuppressWarnings("unchecked")
            Map<String, Object> metric = (Map<String, Object>) series.get("metric");
            byUplink.put((String) metric.get("uplink"), (String) ((List<?>) series.get("value")).get(1));
        }
        assertEquals(Map.of("isp1", "0", "isp2", "1"), byUplink);
        Map<String, String> byUplink6 = new TreeMap<>();
        for (Map<String, Object> series : awaitResult(api + "dualwan_uplink6_up", tmp)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> metric = (Map<String, Object>) series.get("metric");
            byUplink6.put((String) metric.get("uplink"), (String) ((List<?>) series.get("value")).get(1));
        }
        assertEquals(Map.of("isp1", "0", "isp2", "1"), byUplink6, "each uplink's IPv6, on its own");
        List<Map<String, Object>> up = awaitResult(api + "up%7Bjob%3D%22dualwan%22%7D", tmp);
        assertEquals("1", ((List<?>) up.getFirst().get("value")).get(1));
        printScrapeTimes(at); // also warms the JIT, as a daemon that has run a while is
        Thread.sleep(5000);
        String duration = "scrape_duration_seconds%7Bjob%3D%22dualwan%22%7D";
        double latest = value(awaitResult(api + duration, tmp));
        double worst = value(awaitResult(api + "max_over_time(" + duration + "%5B5s%5D)", tmp));
        System.out.printf("[web] Prometheus %s scraping every 1 s: scrape_duration_seconds %.2f ms, worst of the"
                + " last 5 s %.2f ms%n", version(), latest * 1000, worst * 1000);
    }

    private static double value(List<Map<String, Object>> result) {
        return Double.parseDouble((String) ((List<?>) result.getFirst().get("value")).get(1));
    }

    /** Our own measurement: 500 scrapes over loopback, each a new connection, as Prometheus makes them. */
    private static void printScrapeTimes(InetSocketAddress at) throws IOException {
        for (int i = 0; i < 200; i++) {
            RawHttp.get(at, "/metrics");
        }
        int n = 500;
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            assertEquals(200, RawHttp.get(at, "/metrics").status());
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        var state = States.failedOver(States.T0);
        int renders = 20_000;
        long start = System.nanoTime();
        int bytes = 0;
        for (int i = 0; i < renders; i++) {
            bytes += Metrics.render(state, "dev").length();
        }
        String once = Metrics.render(state, "dev");
        System.out.printf("[web] Metrics.render alone: %.1f us per scrape (%d characters, %d samples)%n",
                (System.nanoTime() - start) / 1e3 / renders, bytes / renders,
                once.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count());
        System.out.printf("[web] /metrics over loopback, %d scrapes after 200 to warm up: median %.2f ms, p99 %.2f ms,"
                + " max %.2f ms%n", n, nanos[n / 2] / 1e6, nanos[n * 99 / 100] / 1e6, nanos[n - 1] / 1e6);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> awaitResult(String url, Path tmp) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "(no answer)";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                last = r.body();
                if (r.statusCode() == 200) {
                    Map<String, Object> data = (Map<String, Object>) JSON.std.mapFrom(r.body()).get("data");
                    List<Map<String, Object>> result = (List<Map<String, Object>>) data.get("result");
                    if (!result.isEmpty()) {
                        return result;
                    }
                }
            } catch (IOException e) {
                last = e.toString(); // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no result for " + url + " within 60 s; last answer: " + last + "\nlog:\n"
                + Files.readString(tmp.resolve("prometheus.log")));
    }

    private static String version() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PROMETHEUS.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.lines().findFirst().orElse("?").replaceAll(".*version ([^ ]+).*", "$1");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
