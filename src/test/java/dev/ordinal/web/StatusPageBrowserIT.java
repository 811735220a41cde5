package dev.ordinal.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.SimOrdinal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real headless Chromium, against a whole Ordinal over the in-memory cluster:
 * it shows a rollout progressing to a manual gate with its analysis charted against the threshold,
 * then a bad release rolled back, and it shows hostile text from Git as text. Screenshots are kept
 * in {@code target/screenshots/}.
 */
class StatusPageBrowserIT {
  static final Duration SEEN = Duration.ofSeconds(60);
  static final Path SHOTS = Path.of("target", "screenshots");

  @TempDir Path tmp;

  static Map<String, String> shop(String image, String metric) {
    return SimOrdinal.shop(image, SimOrdinal.GATED, metric);
  }

  @Test
  void showsARolloutAtItsGateWithItsAnalysisThenARollback() throws Exception {
    try (SimOrdinal ordinal = SimOrdinal.create(tmp, 20);
        Browser browser = Browser.start(tmp.resolve("chromium"), 1280, 900)) {
      ordinal.remote.commit("main", shop("registry.local/orders:1", "error-rate"));
      ordinal.start("", "");
      RolloutState v1 =
          ordinal.awaitState("shop", "orders", "initialised", s -> s.phase() == Phase.HEALTHY);
      browser.open(ordinal.url("/"));
      awaitPhase(browser, "Healthy");
      assertEquals("leader", browser.text("#role"));

      // a good release: one canary pod, a passing analysis, then the manual gate holds it
      ordinal.prometheus.rate("orders", 0.012);
      ordinal.commit(shop("registry.local/orders:2", "error-rate"));
      ordinal.awaitState(
          "shop", "orders", "at the gate", s -> s.phase() == Phase.PAUSED && s.stepIndex() == 2);
      awaitPhase(browser, "Paused");
      browser.await(
          "three measurements charted under the threshold",
          SEEN,
          d ->
              browser.count(CARD + " svg.chart circle.pt-SUCCESSFUL") == 3
                  && browser.count(CARD + " svg.chart line.thr-success") > 0,
          () -> browser.text(CARD));
      assertEquals(
          List.of("stepbox done", "stepbox done", "stepbox paused", "stepbox pending"),
          browser.script(
              "return [...document.querySelectorAll(arguments[0])].map(e => e.className)",
              CARD + " .stepbox"));
      assertEquals(1, browser.count(CARD + " .pod.canary"));
      assertEquals(2, browser.count(CARD + " .pod.stable"));
      String paused = browser.text(CARD);
      assertTrue(paused.contains("manual gate"), paused);
      assertTrue(paused.contains("success < 0.05"), "the threshold line is labelled: " + paused);
      assertTrue(paused.contains("in this step for"), paused);
      browser.screenshot(SHOTS.resolve("status-page-paused.png"));
      browser.size(390, 844);
      browser.await(
          "the phone layout",
          SEEN,
          d -> (Boolean) browser.script("return window.innerWidth <= 400"),
          () -> "window " + browser.script("return window.innerWidth"));
      browser.screenshot(SHOTS.resolve("status-page-phone.png"));
      assertTrue(
          (Boolean)
              browser.script(
                  "return document.documentElement.scrollWidth <= window.innerWidth + 1"),
          "no sideways scrolling on a phone");
      browser.size(1280, 900);

      ordinal.cluster.annotate(
          "shop", "orders", Map.of(Annotations.commandKey(Command.PROMOTE), "now"));
      awaitPhase(browser, "Healthy");

      // a bad release: the canary's errors fail the analysis and it goes back
      ordinal.prometheus.rate("orders", 0.31);
      ordinal.commit(shop("registry.local/orders:3", "error-rate"));
      ordinal.awaitState("shop", "orders", "rolled back", s -> s.phase() == Phase.ROLLED_BACK);
      awaitPhase(browser, "RolledBack");
      browser.await(
          "the failed measurement charted above the threshold",
          SEEN,
          d -> browser.count(CARD + " svg.chart circle.pt-FAILED") > 0,
          () -> browser.text(CARD));
      String text = browser.text(CARD);
      assertTrue(text.contains("FAILED"), text);
      assertTrue(text.contains("RollbackStarted") || text.contains("AnalysisFailed"), text);
      assertTrue(
          text.contains("rolled back to " + v1.stableRevision()) || text.contains("RolledBack"),
          text);
      assertEquals(3, browser.count(CARD + " .pod.stable"));
      browser.screenshot(SHOTS.resolve("status-page-rolled-back.png"));
    }
  }

  @Test
  void showsHostileTextFromGitAsText() throws Exception {
    String hostile = "<img src=x onerror=\"document.body.dataset.pwned='metric'\">";
    try (SimOrdinal ordinal = SimOrdinal.create(tmp, 20);
        Browser browser = Browser.start(tmp.resolve("chromium"), 1280, 900)) {
      ordinal.remote.commit("main", hostileTree("registry.local/orders:1", hostile));
      ordinal.start(
          "  - {name: bad, repo: '" + ordinal.remote.fileUrl() + "', path: bad, namespace: shop}\n",
          "");
      ordinal.awaitState("shop", "orders", "initialised", s -> s.phase() == Phase.HEALTHY);
      ordinal.prometheus.rate("orders", 0.5);
      ordinal.commit(hostileTree("registry.local/orders:2", hostile));
      ordinal.awaitState("shop", "orders", "rolled back", s -> s.phase() == Phase.ROLLED_BACK);

      browser.open(ordinal.url("/"));
      awaitPhase(browser, "RolledBack");
      browser.await(
          "the bad app's error shown",
          SEEN,
          d -> browser.count("[data-app='bad'] [data-detail]") > 0,
          () -> browser.text("#apps"));
      String rollout = browser.text(CARD);
      assertTrue(rollout.contains(hostile), "the metric name is shown as written: " + rollout);
      String app = browser.text("[data-app='bad']");
      assertTrue(app.contains("<script>"), "the manifest error is shown as written: " + app);
      assertEquals(0, browser.count("main img, main script"));
      assertNull(browser.script("return document.body.dataset.pwned"), "no injected script ran");
      browser.screenshot(SHOTS.resolve("status-page-hostile.png"));
    }
  }

  /** The shop app with a hostile metric name, and the bad app whose manifest quotes markup. */
  static Map<String, String> hostileTree(String image, String metric) {
    Map<String, String> tree =
        new HashMap<>(
            SimOrdinal.shop(
                image,
                "[{canary: {replicas: 1}}, {analysis: {templates: [{templateName: error-rate}]}}]",
                metric));
    tree.put("bad/sts.yaml", BAD);
    return tree;
  }

  /** A manifest whose error message quotes markup back. */
  static final String BAD =
      "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: y}\nspec:\n"
          + "  replicas: \"<script>document.body.dataset.pwned='app'</script>\"\n";

  static final String CARD = "[data-rollout='shop/orders']";

  private static void awaitPhase(Browser browser, String phase) {
    browser.await(
        "the page to show orders " + phase,
        SEEN,
        d -> browser.text(CARD + " .badge.phase").equals(phase),
        () -> (String) browser.script("return document.body.innerText"));
  }
}
