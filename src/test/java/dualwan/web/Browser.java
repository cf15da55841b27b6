package dualwan.web;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver with Selenium: no browser is downloaded
 * (the driver executable and the browser binary are given, so Selenium Manager never runs). Runs as root, hence
 * {@code --no-sandbox}; a fresh profile per browser; nothing that phones home.
 */
public final class Browser implements AutoCloseable {

    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final List<Path> CHROMIUM = List.of(Path.of("/usr/lib/chromium/chromium"),
            Path.of("/usr/bin/chromium"));

    private final WebDriver driver;

    private Browser(WebDriver driver) {
        this.driver = driver;
    }

    /** Skips the calling test, saying why, on a machine without the Debian packages (CI installs them). */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(DRIVER) && CHROMIUM.stream().anyMatch(Files::isExecutable),
                "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
    }

    /** The flags every test browser gets; {@code profile} must be a fresh directory. */
    public static ChromeOptions options(Path profile) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.stream().filter(Files::isExecutable).findFirst().orElseThrow().toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1000,1500", "--user-data-dir=" + profile);
        return o;
    }

    /** A browser whose chromedriver this JVM starts, on loopback. */
    public static Browser local(Path dir) throws IOException {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        return new Browser(new ChromeDriver(service, options(profile)));
    }

    /** A browser behind a chromedriver that runs elsewhere (in a lab namespace, reached through a relay). */
    public static Browser remote(URL driver, Path profile) {
        return new Browser(new RemoteWebDriver(driver, options(profile)));
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    /** The element's text, or null while it does not exist. */
    public String text(String id) {
        try {
            return driver.findElement(By.id(id)).getText();
        } catch (NoSuchElementException | StaleElementReferenceException e) {
            return null;
        }
    }

    public boolean visible(String id) {
        try {
            return driver.findElement(By.id(id)).isDisplayed();
        } catch (NoSuchElementException | StaleElementReferenceException e) {
            return false;
        }
    }

    public WebElement element(String id) {
        return driver.findElement(By.id(id));
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Polls every 20 ms until the element's text passes, failing after {@code max} with the last text seen. */
    public String awaitText(String id, Predicate<String> ok, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = text(id);
            if (last != null && ok.test(last)) {
                return last;
            }
            sleep(20);
        }
        throw new AssertionError("#" + id + " did not show what was expected within " + max + "; last text: "
                + last + "\npage:\n" + driver.getPageSource());
    }

    public void awaitTrue(String what, java.util.function.BooleanSupplier cond, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + max + ": " + what);
            }
            sleep(20);
        }
    }

    /**
     * Starts recording, in the page, the wall-clock time at which the element's text first becomes
     * {@code text}; {@link #shownAt} reads it back. The page and this JVM share the machine's clock.
     */
    public void watchFor(String id, String text) {
        script("""
                const el = document.getElementById(arguments[0]);
                const want = arguments[1];
                if (window.__watcher) window.__watcher.disconnect();
                window.__shownAt = null;
                const check = () => { if (window.__shownAt === null && el.textContent === want)
                                        window.__shownAt = Date.now(); };
                window.__watcher = new MutationObserver(check);
                window.__watcher.observe(el, { childList: true, characterData: true, subtree: true });
                check();""", id, text);
    }

    /** Epoch milliseconds recorded by {@link #watchFor}, or null. */
    public Long shownAt() {
        Object v = script("return window.__shownAt;");
        return v == null ? null : ((Number) v).longValue();
    }

    public void screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
