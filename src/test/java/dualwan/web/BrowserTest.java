package dualwan.web;

import com.sun.net.httpserver.HttpServer;
import dualwan.model.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page in Debian's headless Chromium: live updates without a reload, the mode control with a password
 * (and its absence without one), a cross-site POST from another site refused, and the screenshot.
 */
class BrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Servers.Modes modes = new Servers.Modes();
    private WebServer server;
    private String url;
    private Browser browser;
    private HttpServer attacker;

    @BeforeEach
    void assumeBrowser() {
        Browser.assumeInstalled();
    }

    private void start(Optional<String> password, Path tmp) throws IOException {
        server = Servers.start(password, modes);
        url = "http://" + RawHttp.host(Servers.address(server)) + "/";
        server.stateChanged(States.healthy("isp1", Instant.now()));
        browser = Browser.local(tmp);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (attacker != null) {
            attacker.stop(0);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void thePageShowsTheActiveUplinkAndFollowsASwitchWithoutReloading(@TempDir Path tmp) throws IOException {
        start(Optional.empty(), tmp);
        browser.open(url);
        browser.awaitText("active", "isp1"::equals, WAIT);
        assertTrue(browser.text("uplinks").contains("192.0.2.1"), browser.text("uplinks"));
        assertFalse(browser.visible("ipv6"), "an IPv4-only state shows nothing of IPv6");
        assertFalse(browser.text("uplinks").contains("IPv6"), browser.text("uplinks"));
        browser.awaitTrue("the read-only note", () -> browser.visible("readonly"), WAIT);
        assertFalse(browser.visible("login"));
        assertFalse(browser.visible("modes"));
        browser.script("window.__sameDocument = 'yes';");
        browser.watchFor("active", "isp2");
        long published = System.currentTimeMillis();
        server.stateChanged(States.failedOver(Instant.now()));
        browser.awaitText("active", "isp2"::equals, WAIT);
        Long shown = browser.shownAt();
        assertNotNull(shown);
        System.out.println("[web] state published -> page shows the new uplink: " + (shown - published) + " ms");
        assertEquals("yes", browser.script("return window.__sameDocument;"), "the page was reloaded");
        assertTrue(browser.text("reason").contains("failover: isp1"), browser.text("reason"));
        assertTrue(browser.text("switches").contains("isp1 → isp2"), browser.text("switches"));
        assertTrue(browser.text("conntrack").contains("1 flushes, 4 entries deleted"), browser.text("conntrack"));
    }

    @Test
    void withIpv6ThePageShowsEachFamilyOnItsOwnAndWhenClientsFallBackToIpv4(@TempDir Path tmp) throws IOException {
        start(Optional.empty(), tmp);
        Instant now = Instant.now();
        server.stateChanged(dualwan.DualStack.isp1Ipv6Down(States.healthy("isp1", now), now));
        browser.open(url);
        browser.awaitText("ipv6", t -> t.startsWith("IPv6 goes through isp2"), WAIT);
        assertEquals("isp1", browser.text("active"), "IPv4 stays on isp1");
        assertEquals("isp2", browser.text("active6"));
        String isp1 = browser.text("wan-isp1");
        assertTrue(isp1.contains("up") && isp1.contains("IPv6 down") && !isp1.contains("IPv6 active"), isp1);
        assertTrue(browser.text("wan-isp2").contains("IPv6 active"), browser.text("wan-isp2"));
        assertTrue(browser.text("wan6-isp1").contains("address 2001:db8:1::2"), browser.text("wan6-isp1"));
        assertTrue(isp1.contains("gateway fe80::1") && isp1.contains("2001:db8:100::1"), "IPv6 targets: " + isp1);

        // isp2 without IPv6, isp1's IPv6 down: nothing carries IPv6, so the LAN's IPv6 is unreachable.
        server.stateChanged(dualwan.DualStack.unreachable(States.healthy("isp1", now), now));
        browser.awaitText("ipv6", t -> t.startsWith("IPv6 unreachable: clients use IPv4"), WAIT);
        assertTrue(browser.text("wan6-isp2").contains("no IPv6 on this uplink"), browser.text("wan6-isp2"));
        String isp2 = browser.text("wan-isp2");
        assertFalse(isp2.contains("IPv6 up") || isp2.contains("IPv6 down") || isp2.contains("IPv6 active"), isp2);
        assertEquals("isp1", browser.text("active"));
        browser.screenshot(Path.of("target", "status-page-ipv6.png"));
    }

    @Test
    void withAPasswordTheModeCanBeChangedAfterLoggingIn(@TempDir Path tmp) throws IOException {
        start(Optional.of(Servers.PASSWORD), tmp);
        browser.open(url);
        browser.awaitTrue("the login form", () -> browser.visible("login"), WAIT);
        assertFalse(browser.visible("readonly"));
        browser.element("password").sendKeys("wrong");
        browser.element("login").submit();
        browser.awaitText("control-msg", t -> t.contains("login refused (401)"), WAIT);
        assertFalse(browser.visible("modes"));
        browser.element("password").sendKeys(Servers.PASSWORD);
        browser.element("login").submit();
        browser.awaitTrue("the mode buttons", () -> browser.visible("mode-isp2"), WAIT);
        browser.element("mode-isp2").click();
        browser.awaitText("control-msg", t -> t.contains("mode isp2: active isp2"), WAIT);
        assertEquals(List.of(Mode.force("isp2")), modes.asked);
        // The session survives a reload (the cookie), and logging out ends it.
        browser.open(url);
        browser.awaitTrue("the mode buttons after a reload", () -> browser.visible("mode-auto"), WAIT);
        browser.element("logout").click();
        browser.awaitTrue("the login form again", () -> browser.visible("login"), WAIT);
    }

    @Test
    void withoutAPasswordEvenTheSameOriginCannotChangeTheMode(@TempDir Path tmp) throws IOException {
        start(Optional.empty(), tmp);
        browser.open(url);
        browser.awaitText("active", "isp1"::equals, WAIT);
        Object status = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/mode', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                     body: JSON.stringify({ mode: 'isp2' }) }).then(r => done(r.status));""");
        assertEquals(403L, status);
        assertEquals(List.of(), modes.asked);
    }

    @Test
    void aCrossSitePostIsRefusedEvenForALoggedInBrowser(@TempDir Path tmp) throws IOException {
        start(Optional.of(Servers.PASSWORD), tmp);
        browser.open(url);
        browser.awaitTrue("the login form", () -> browser.visible("login"), WAIT);
        browser.element("password").sendKeys(Servers.PASSWORD);
        browser.element("login").submit();
        browser.awaitTrue("the mode buttons", () -> browser.visible("mode-isp2"), WAIT);
        // Another site (localhost is not 127.0.0.1) posts to the mode API, by script and by a form.
        attacker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String target = url + "api/mode";
        byte[] page = ("""
                <!doctype html><html><body>
                <form id="f" method="POST" action="%s" enctype="text/plain">
                <input name='{"mode":"isp2","x":"' value='"}'></form>
                <p id="fetch">pending</p>
                <script>
                fetch('%s', { method: 'POST', credentials: 'include', mode: 'no-cors',
                              headers: { 'Content-Type': 'text/plain' }, body: '{"mode":"isp2"}' })
                  .then(() => { document.getElementById('fetch').textContent = 'sent'; },
                        e => { document.getElementById('fetch').textContent = 'failed ' + e; });
                </script></body></html>""").formatted(target, target).getBytes(StandardCharsets.UTF_8);
        attacker.createContext("/", ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        attacker.start();
        browser.open("http://localhost:" + attacker.getAddress().getPort() + "/");
        browser.awaitText("fetch", t -> !t.equals("pending"), WAIT);
        browser.driver().findElement(By.id("f")).submit();
        browser.awaitTrue("the browser shows the API's refusal", () -> browser.driver().getPageSource()
                .contains("cross-site request refused"), WAIT);
        assertEquals(List.of(), modes.asked, "a cross-site request changed the mode");
    }

    @Test
    void screenshotOfAnHourWithAnOutage(@TempDir Path tmp) throws Exception {
        start(Optional.of(Servers.PASSWORD), tmp);
        Scenes.lastHour(server, Instant.now());
        browser.open(url);
        browser.awaitText("active", "isp2"::equals, WAIT);
        browser.awaitTrue("the chart's lines", () -> browser.driver()
                .findElements(By.cssSelector("#chart polyline")).size() >= 4, WAIT);
        browser.awaitTrue("the panel", () -> browser.visible("panel-section"), WAIT);
        assertTrue(browser.text("switches").contains("isp2 → isp1"), browser.text("switches"));
        Path shot = Path.of("target", "status-page.png");
        browser.screenshot(shot);
        System.out.println("[web] screenshot: " + shot.toAbsolutePath());
        String docs = System.getProperty("dualwan.screenshot");
        if (docs != null && !docs.isBlank()) {
            browser.screenshot(Path.of(docs));
            System.out.println("[web] screenshot also written to " + docs);
        }
        // A phone: nothing wider than the screen.
        browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        browser.awaitTrue("the page fits a 390 px wide screen", () -> ((Number) browser.script(
                "return document.documentElement.scrollWidth - window.innerWidth;")).longValue() <= 0, WAIT);
        browser.screenshot(Path.of("target", "status-page-phone.png"));
    }
}
