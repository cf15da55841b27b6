package dualwan.it;

import static dualwan.it.Daemon.active;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dualwan.model.StateJson;
import dualwan.web.Browser;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page of the real daemon, opened from the lab's LAN client in headless Chromium (chromedriver and
 * the browser run in the LAN namespace): after a failover, and after the failback, the page shows the new
 * uplink within a second, without a reload. Prints the time from the daemon's switch to the page showing it.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
class WebLabTest extends DaemonLabTest {

    private static final String PAGE = "http://100.64.10.1:8080/";
    private static final int DRIVER_PORT = 9515;

    @Test
    void aFailoverAndAFailbackShowOnTheOpenPageWithinASecond(@TempDir Path tmp) throws Exception {
        Browser.assumeInstalled();
        daemon = Daemon.configure(lab, tmp, FailoverTest.HOLD,
                yaml -> yaml + "web:\n  listen: 100.64.10.1:8080\n").start();
        daemon.awaitAllUp();
        Process driver = lab.spawn("lan", List.of(Browser.DRIVER.toString(), "--port=" + DRIVER_PORT),
                tmp.resolve("chromedriver.log"));
        try (NetnsRelay relay = NetnsRelay.to(lab.ns("lan"), DRIVER_PORT)) {
            Browser browser = awaitDriver(relay, tmp);
            try {
                browser.open(PAGE);
                browser.awaitText("active", "isp1"::equals, Duration.ofSeconds(10));
                browser.script("window.__sameDocument = 'yes';");

                browser.watchFor("active", "isp2");
                long cutAt = System.currentTimeMillis();
                lab.cut(1);
                Map<String, Object> s = daemon.awaitState("isp2 active after the cut", Duration.ofSeconds(10),
                        st -> "isp2".equals(active(st)));
                long failover = shownAfterSwitch(browser, s, "isp2");
                System.out.println("[it] web: cut isp1 -> page shows isp2 " + (browser.shownAt() - cutAt)
                        + " ms after the cut, " + failover + " ms after the daemon's switch");

                browser.watchFor("active", "isp1");
                lab.restore(1);
                s = daemon.awaitState("isp1 active again after the hold", Duration.ofSeconds(30),
                        st -> "isp1".equals(active(st)));
                long failback = shownAfterSwitch(browser, s, "isp1");
                System.out.println("[it] web: failback -> page shows isp1 " + failback
                        + " ms after the daemon's switch");
                assertEquals("yes", browser.script("return window.__sameDocument;"), "the page was reloaded");
                assertTrue(browser.text("switches").contains("isp2 → isp1"), browser.text("switches"));
                browser.screenshot(Path.of("target", "status-page-lab.png"));

                browser.open(PAGE + "metrics");
                String metrics = browser.driver().getPageSource();
                assertTrue(metrics.contains("dualwan_uplink_active{uplink=\"isp1\"} 1"), metrics);
                assertTrue(metrics.contains("dualwan_switches_total 2"), metrics);
                assertTrue(metrics.matches("(?s).*dualwan_build_info\\{version=\"[0-9][^\"]*\"\\} 1.*"),
                        "the jar's version: " + metrics);
            } finally {
                browser.close();
            }
        } finally {
            driver.destroy();
            driver.waitFor();
        }
    }

    /**
     * Milliseconds from the switch the state file records to the page showing {@code uplink}: printed (the README's
     * figure), and asserted only as an ordering (shown after the switch: the page shows this switch, not a stale
     * one); {@code awaitText} bounds it at 2 s.
     */
    private static long shownAfterSwitch(Browser browser, Map<String, Object> state, String uplink) {
        browser.awaitText("active", uplink::equals, Duration.ofSeconds(2));
        Long shown = browser.shownAt();
        assertNotNull(shown, "the page's watcher saw no change");
        @SuppressWarnings("unchecked")
        Instant switched = StateJson.instant(((Map<String, Object>) state.get("last_switch")).get("at")).orElseThrow();
        long ms = shown - switched.toEpochMilli();
        assertTrue(ms >= 0, "the page showed " + uplink + " " + ms + " ms after the switch");
        return ms;
    }

    /** chromedriver takes a moment to listen; its session is then made through the relay. */
    private static Browser awaitDriver(NetnsRelay relay, Path tmp) throws Exception {
        URI url = URI.create("http://127.0.0.1:" + relay.port());
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        RuntimeException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return Browser.remote(url.toURL(), profile);
            } catch (RuntimeException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new AssertionError("chromedriver in the LAN namespace did not answer", last);
    }
}
