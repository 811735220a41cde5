package dev.ordinal.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.analysis.MetricsEndpoint;
import dev.ordinal.analysis.PrometheusServer;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.git.TestRemote;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.SimOrdinal;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real headless Chromium. First against a daemon on the real control plane
 * (API server, StatefulSet controller, the pod simulator as kubelet) whose analysis asks a real
 * Prometheus: a rollout progresses to its manual gate with its analysis charted against the
 * threshold, is promoted, then a bad release is rolled back. Then, over the in-memory cluster,
 * hostile text from Git is shown as text. Screenshots are kept in {@code target/screenshots/}.
 */
@ControlPlaneTest
class StatusPageBrowserIT {
  static final Duration SEEN = Duration.ofSeconds(90);
  static final Path SHOTS = Path.of("target", "screenshots");

  @TempDir Path tmp;

  /**
   * The app's tree: StatefulSet orders, canary one pod, analyse error-rate, then a manual gate; the
   * template asks the real {@code prometheus} for the canary's error ratio every 2 s.
   */
  static Map<String, String> orders(String image, URI prometheus) {
    return Map.of(
        "shop/orders.yaml",
        SimOrdinal.statefulSet("orders", image, "canary", false),
        "shop/policy.yaml",
        SimOrdinal.policy("canary", SimOrdinal.GATED, "600"),
        "shop/template.yaml",
        SimOrdinal.template(
            "error-rate",
            "error-rate",
            "2s",
            prometheus.toString(),
            "max(orders_canary_error_ratio)"));
  }

  @Test
  void showsARolloutAtItsGateWithItsAnalysisThenARollback(ControlPlane plane, TestNamespace ns)
      throws Exception {
    KubernetesClient client = plane.client();
    String card = "[data-rollout='" + ns.name() + "/orders']";
    PrometheusRegistry target = new PrometheusRegistry();
    Gauge ratio = Gauge.builder().name("orders_canary_error_ratio").register(target);
    ratio.set(0.012);
    try (MetricsEndpoint scraped = new MetricsEndpoint(target);
        PrometheusServer prometheus =
            PrometheusServer.start(
                tmp, tmp.resolve("tsdb"), "orders", List.of(scraped.port()), null);
        TestRemote remote = TestRemote.create(tmp.resolve("config.git"));
        PodSimulator pods = new PodSimulator(client, ns.name(), Duration.ofMillis(100))) {
      remote.commit("main", orders("registry.local/orders:1", prometheus.address()));
      DaemonConfig config =
          new DaemonConfig(
              tmp.resolve("data").toString(),
              "127.0.0.1:0",
              "1h",
              ns.name(),
              null,
              Map.of(
                  "default",
                  new DaemonConfig.PrometheusServer(prometheus.address().toString(), null, null)),
              null,
              List.of(
                  new DaemonConfig.App(
                      "shop", remote.fileUrl(), "main", "shop", ns.name(), false, null)));
      String identity = Daemon.defaultIdentity();
      try (Daemon daemon =
              Daemon.start(
                  config,
                  Duration.ofHours(1),
                  Daemon.Ports.of(new KubeCluster(client, identity, Clock.systemUTC()), config),
                  identity);
          Browser browser = Browser.start(tmp.resolve("chromium"), 1280, 900)) {
        RolloutState v1 = awaitState(client, ns, "initialised", s -> s.phase() == Phase.HEALTHY);
        browser.open("http://127.0.0.1:" + daemon.port() + "/");
        awaitPhase(browser, card, "Healthy");
        assertEquals("leader", browser.text("#role"));

        // a good release: one canary pod, a passing analysis, then the manual gate holds it.
        // Prometheus must have scraped the good ratio first: with no series yet the analysis is
        // inconclusive (missing data never passes) and the rollout pauses at step 1, not the gate.
        prometheus.awaitValue("max(orders_canary_error_ratio)", "0.012", SEEN);
        remote.commit("main", orders("registry.local/orders:2", prometheus.address()));
        daemon.apps().get(0).poll();
        awaitState(client, ns, "at the gate", s -> s.phase() == Phase.PAUSED && s.stepIndex() == 2);
        awaitPhase(browser, card, "Paused");
        browser.await(
            "three measurements charted under the threshold",
            SEEN,
            d ->
                browser.count(card + " svg.chart circle.pt-SUCCESSFUL") == 3
                    && browser.count(card + " svg.chart line.thr-success") > 0,
            () -> browser.text(card));
        assertEquals(
            List.of("stepbox done", "stepbox done", "stepbox paused", "stepbox pending"),
            browser.script(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.className)",
                card + " .stepbox"));
        browser.await(
            "one canary and two stable pods",
            SEEN,
            d ->
                browser.count(card + " .pod.canary") == 1
                    && browser.count(card + " .pod.stable") == 2,
            () -> browser.text(card));
        String paused = browser.text(card);
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

        client
            .apps()
            .statefulSets()
            .inNamespace(ns.name())
            .withName("orders")
            .edit(
                sts -> {
                  sts.getMetadata()
                      .getAnnotations()
                      .put(Annotations.commandKey(Command.PROMOTE), "now");
                  return sts;
                });
        awaitState(
            client, ns, "promoted to the end", s -> s.phase() == Phase.HEALTHY && s.rollout() == 1);
        awaitPhase(browser, card, "Healthy");

        // a bad release: Prometheus sees the errors before the canary moves; the analysis fails
        ratio.set(0.31);
        prometheus.awaitValue("max(orders_canary_error_ratio)", "0.31", SEEN);
        remote.commit("main", orders("registry.local/orders:3", prometheus.address()));
        daemon.apps().get(0).poll();
        awaitState(client, ns, "rolled back", s -> s.phase() == Phase.ROLLED_BACK);
        awaitPhase(browser, card, "RolledBack");
        browser.await(
            "the failed measurement charted above the threshold, every pod back on stable",
            SEEN,
            d ->
                browser.count(card + " svg.chart circle.pt-FAILED") > 0
                    && browser.count(card + " .pod.stable") == 3,
            () -> browser.text(card));
        String text = browser.text(card);
        assertTrue(text.contains("FAILED"), text);
        assertTrue(text.contains("AnalysisFailed"), text);
        assertTrue(text.contains("0.31"), "the value that failed is shown: " + text);
        browser.screenshot(SHOTS.resolve("status-page-rolled-back.png"));
      }
    }
  }

  /** The rollout state of orders once {@code ok} holds. */
  private static RolloutState awaitState(
      KubernetesClient client, TestNamespace ns, String what, Predicate<RolloutState> ok) {
    StatefulSets.await(
        what, SEEN, () -> state(client, ns).filter(ok).isPresent(), () -> state(client, ns));
    return state(client, ns).orElseThrow();
  }

  private static Optional<RolloutState> state(KubernetesClient client, TestNamespace ns) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(ns.name()).withName("orders").get();
    return sts == null
        ? Optional.empty()
        : Annotations.state(sts.getMetadata().getAnnotations()).map(RolloutState::fromJson);
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
      awaitPhase(browser, CARD, "RolledBack");
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

  @Test
  void showsTheBackupBeforeARolloutAndTheRestoreAfterItsRollback() throws Exception {
    try (SimOrdinal ordinal = SimOrdinal.create(tmp, 20);
        Browser browser = Browser.start(tmp.resolve("chromium"), 1280, 900)) {
      ordinal.remote.commit("main", backedUp("registry.local/orders:1"));
      ordinal.start("", "", ", boundary: {backups: true}");
      ordinal.awaitState("shop", "orders", "initialised", s -> s.phase() == Phase.HEALTHY);
      browser.open(ordinal.url("/"));
      awaitPhase(browser, CARD, "Healthy");

      // a release whose canary fails its analysis: the claims were snapshotted before it moved,
      // and the rollback brings the canary's claim back from that snapshot
      ordinal.prometheus.rate("orders", 0.5);
      ordinal.commit(backedUp("registry.local/orders:2"));
      RolloutState restored =
          ordinal.awaitState(
              "shop",
              "orders",
              "rolled back and restored",
              s ->
                  s.phase() == Phase.ROLLED_BACK
                      && s.restore() == null
                      && s.backup() != null
                      && !s.backup().restored().isEmpty());
      String backupId = restored.backup().id();
      browser.await(
          "the backup row names the set and the restore taken from it",
          SEEN,
          d -> browser.text(CARD).contains("restored by " + restored.backup().restored()),
          () -> browser.text(CARD));
      String text = browser.text(CARD);
      assertTrue(text.contains(backupId + " · ready"), "the backup and its stage: " + text);
      assertTrue(text.contains("RolledBack"), text);
      JsonNode json = new ObjectMapper().readTree(ordinal.get("/status")).path("rollouts").get(0);
      assertEquals(backupId, json.path("backup").path("id").asText(), json.toString());
      assertEquals("READY", json.path("backup").path("stage").asText(), json.toString());
      assertEquals(
          List.of(2),
          new ObjectMapper()
              .convertValue(
                  json.path("backup").path("ranTarget"), new TypeReference<List<Integer>>() {}),
          "the canary ran the bad revision on its claim: " + json);
      browser.screenshot(SHOTS.resolve("status-page-restored.png"));
    }
  }

  /** The shop app, whose policy snapshots the claims first and restores them on a rollback. */
  static Map<String, String> backedUp(String image) {
    Map<String, String> tree =
        new HashMap<>(
            SimOrdinal.shop(
                image,
                "[{canary: {replicas: 1}}, {analysis: {templates: [{templateName: error-rate}]}}]",
                "error-rate"));
    tree.put(
        "shop/policy.yaml",
        tree.get("shop/policy.yaml") + "  backup: {keep: 2, restoreOnRollback: auto}\n");
    return tree;
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

  private static void awaitPhase(Browser browser, String card, String phase) {
    browser.await(
        "the page to show orders " + phase,
        SEEN,
        d -> browser.text(card + " .badge.phase").equals(phase),
        () -> (String) browser.script("return document.body.innerText"));
  }
}
