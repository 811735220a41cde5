package dev.ordinal.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver, for tests of what a person sees. A
 * fresh profile per browser; no network beyond loopback (no component updates, no sync, no QUIC).
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of(System.getProperty("ordinal.chromium", "/usr/bin/chromium"));
  static final Path DRIVER =
      Path.of(System.getProperty("ordinal.chromedriver", "/usr/bin/chromedriver"));

  final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Starts Chromium with a fresh profile in {@code profile}, at {@code width}x{@code height}. */
  static Browser start(Path profile, int width, int height) {
    for (Path binary : new Path[] {CHROMIUM, DRIVER}) {
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException(
            binary
                + " is missing: the status page tests need a real browser. Install it with:"
                + " apt-get update && apt-get install -y chromium chromium-driver");
      }
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(
                profile.resolveSibling(profile.getFileName() + "-chromedriver.log").toFile())
            .build();
    return new Browser(new ChromeDriver(service, options));
  }

  void open(String url) {
    driver.get(url);
  }

  /** Resizes the window, as a phone or a desktop would show the page. */
  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** Waits until {@code condition} holds, up to {@code timeout}; the message says what was seen. */
  <T> T await(
      String what, Duration timeout, Function<WebDriver, T> condition, Supplier<String> seen) {
    try {
      // the page redraws a card when its rollout changes: an element may go stale between reads
      return new WebDriverWait(driver, timeout, Duration.ofMillis(200))
          .ignoring(StaleElementReferenceException.class)
          .until(condition);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out waiting for " + what + "; saw: " + seen.get(), e);
    }
  }

  /** How many elements match {@code css}, read in one go in the page. */
  long count(String css) {
    return (Long) script("return document.querySelectorAll(arguments[0]).length", css);
  }

  /** The text of the first element matching {@code css}, or empty. */
  String text(String css) {
    Object text =
        script("const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", css);
    return String.valueOf(text);
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /** A screenshot of the whole page, beyond the window's height, into {@code file}. */
  Path screenshot(Path file) throws IOException {
    Map<String, Object> shot =
        driver.executeCdpCommand(
            "Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    return file;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
