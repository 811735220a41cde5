package dev.ordinal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.prometheus.HttpPrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusClient;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.AnalysisTemplate.Metric;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.testkit.Loaders;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AnalysisTemplates shipped in {@code policies/}, loaded as users copy them, measured against a
 * real Prometheus scraping {@code http_requests_total{namespace, service, code, pod}}. Only their
 * timing is shortened (1s interval, 3 measurements, no initial delay): the queries, the conditions
 * with their {@code {{args.*}}} thresholds, and the canary-vs-stable comparison are as shipped.
 */
class PolicyTemplatesIT {
  @TempDir static Path home;
  private static Traffic traffic;
  private static PrometheusServer prometheus;
  private static Map<String, AnalysisTemplate> policies;
  private AnalysisRunner runner;

  @BeforeAll
  static void start() throws Exception {
    LoadResult loaded = Loaders.forFixtures().load(LocalDirectory.read(Path.of("policies")));
    policies =
        assertInstanceOf(LoadResult.Loaded.class, loaded, loaded.toString()).state().templates();
    traffic = new Traffic();
    prometheus = PrometheusServer.start(home, home.resolve("data"), traffic.port());
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (traffic != null) {
      traffic.close();
    }
  }

  @AfterEach
  void stopRuns() {
    if (runner != null) {
      runner.snapshots().forEach(run -> runner.stop(run.runId()));
    }
  }

  /** The shipped template with its timing shortened and nothing else changed. */
  private static AnalysisTemplate fast(String name) {
    AnalysisTemplate template = policies.get(name);
    return new AnalysisTemplate(
        template.name(),
        template.namespace(),
        template.args(),
        template.metrics().stream().map(PolicyTemplatesIT::fast).toList());
  }

  private static Metric fast(Metric m) {
    return new Metric(
        m.name(),
        Optional.of(Duration.ofSeconds(1)),
        OptionalInt.of(3),
        Optional.empty(),
        m.successCondition(),
        m.failureCondition(),
        m.failureLimit(),
        m.inconclusiveLimit(),
        m.consecutiveErrorLimit(),
        m.consecutiveSuccessLimit(),
        m.dryRun(),
        m.provider());
  }

  private AnalysisRunner runner(String... names) {
    Map<String, AnalysisTemplate> templates = new HashMap<>();
    for (String name : names) {
      templates.put(name, fast(name));
    }
    runner =
        new AnalysisRunner(
            n -> Optional.ofNullable(templates.get(n)),
            // the policies name no server: the test's Prometheus stands in for the default one
            new HttpPrometheusApi(Optional.of(prometheus.address()), ref -> Optional.empty()),
            Scheduler.threads(2),
            Clock.systemUTC(),
            new RunStore.InMemory());
    return runner;
  }

  /**
   * Serves {@code ok} good and {@code failed} 5xx requests on each pod, once Prometheus has seen
   * its series at zero, and waits until Prometheus has a request rate for every pod.
   */
  private static void serve(String namespace, Map<String, int[]> requestsByPod) throws Exception {
    requestsByPod.keySet().forEach(pod -> traffic.open(namespace, pod));
    await(
        "count(http_requests_total{namespace=\"" + namespace + "\"})", 2.0 * requestsByPod.size());
    requestsByPod.forEach((pod, counts) -> traffic.serve(namespace, pod, counts[0], counts[1]));
    await(
        "count(rate(http_requests_total{namespace=\"" + namespace + "\",code=\"200\"}[1m]) > 0)",
        requestsByPod.size());
  }

  private static void await(String promql, double expected) throws Exception {
    PrometheusClient client =
        new PrometheusClient(
            prometheus.address(), Duration.ofSeconds(5), Map.of(), Optional::empty);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<Double> last = List.of();
    while (System.nanoTime() < deadline) {
      last = client.query(promql).toMetricResult().values();
      if (last.equals(List.of(expected))) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "Prometheus never answered " + expected + " to " + promql + ": " + last);
  }

  private RunSnapshot verdict(String runId) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      RunSnapshot snapshot = runner.snapshot(runId).orElseThrow();
      if (snapshot.verdict() != AnalysisVerdict.RUNNING) {
        return snapshot;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(runId + " undecided: " + runner.snapshot(runId));
  }

  private static RolloutContext rollout(String namespace) {
    return new RolloutContext(
        namespace, "db", "db-new", "db-old", List.of("db-3"), List.of("db-0", "db-1", "db-2"));
  }

  @Test
  void errorRateJudgesTheCanaryAgainstItsThresholdArg() throws Exception {
    serve("plain", Map.of("db-3", new int[] {995, 5}, "db-0", new int[] {500, 500}));
    AnalysisRunner runner = runner("error-rate");

    runner.start("default", List.of(AnalysisRef.of("error-rate")), rollout("plain"));
    runner.start(
        "strict",
        List.of(new AnalysisRef("error-rate", Map.of("threshold", "0.001"))),
        rollout("plain"));

    RunSnapshot passed = verdict("default");
    assertEquals(AnalysisVerdict.SUCCESSFUL, passed.verdict(), passed.toString());
    assertEquals("[0.005]", passed.metrics().get(0).recent().get(0).value());
    RunSnapshot failed = verdict("strict");
    assertEquals(AnalysisVerdict.FAILED, failed.verdict(), failed.toString());
    assertEquals(
        "failureCondition 'result[0] >= {{args.threshold}}' is true for result [0.005]",
        failed.metrics().get(0).recent().get(0).message());
  }

  @Test
  void errorRateVsStableComparesTheCanaryWithTheStablePods() throws Exception {
    // stable at 2% errors: a canary at 2.4% is within 1.5x
    serve(
        "similar",
        Map.of(
            "db-0", new int[] {980, 20},
            "db-1", new int[] {980, 20},
            "db-2", new int[] {980, 20},
            "db-3", new int[] {976, 24}));
    // stable at 0.1%: a canary at 5% is not
    serve(
        "worse",
        Map.of(
            "db-0", new int[] {999, 1},
            "db-1", new int[] {999, 1},
            "db-2", new int[] {999, 1},
            "db-3", new int[] {950, 50}));
    AnalysisRunner runner = runner("error-rate-vs-stable");

    runner.start("similar", List.of(AnalysisRef.of("error-rate-vs-stable")), rollout("similar"));
    runner.start("worse", List.of(AnalysisRef.of("error-rate-vs-stable")), rollout("worse"));

    RunSnapshot similar = verdict("similar");
    assertEquals(AnalysisVerdict.SUCCESSFUL, similar.verdict(), similar.toString());
    assertTrue(
        similar.metrics().get(0).query().contains("pod=~\"db-2|db-1|db-0\""),
        similar.metrics().get(0).query());
    RunSnapshot worse = verdict("worse");
    assertEquals(AnalysisVerdict.FAILED, worse.verdict(), worse.toString());
    assertEquals("[0.0485]", worse.metrics().get(0).recent().get(0).value());
  }

  @Test
  void podRestartsCountsOnlyThePodsOfTheCanaryRevision() throws Exception {
    for (String namespace : List.of("steady", "crashing")) {
      traffic.pod(namespace, "db-0", "db-old");
      traffic.pod(namespace, "db-3", "db-new");
    }
    await("count(kube_pod_labels)", 4.0);
    traffic.restart("steady", "db-0", 5); // a stable pod restarting is not the release's fault
    traffic.restart("crashing", "db-3", 2);
    await("count(increase(kube_pod_container_status_restarts_total[5m]) > 0)", 2.0);
    AnalysisRunner runner = runner("pod-restarts");

    runner.start("steady", List.of(AnalysisRef.of("pod-restarts")), rollout("steady"));
    runner.start("crashing", List.of(AnalysisRef.of("pod-restarts")), rollout("crashing"));

    RunSnapshot steady = verdict("steady");
    assertEquals(AnalysisVerdict.SUCCESSFUL, steady.verdict(), steady.toString());
    assertEquals("[0]", steady.metrics().get(0).recent().get(0).value());
    RunSnapshot crashing = verdict("crashing");
    assertEquals(AnalysisVerdict.FAILED, crashing.verdict(), crashing.toString());
  }

  /**
   * {@code http_requests_total{namespace, service, code, pod}}, and kube-state-metrics' restarts
   * and pod labels, as the shipped templates read them.
   */
  private static final class Traffic implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests =
        Counter.builder()
            .name("http_requests_total")
            .labelNames("namespace", "service", "code", "pod")
            .register(registry);
    private final Counter restarts =
        Counter.builder()
            .name("kube_pod_container_status_restarts_total")
            .labelNames("namespace", "pod", "container")
            .register(registry);
    private final Gauge podLabels =
        Gauge.builder()
            .name("kube_pod_labels")
            .labelNames("namespace", "pod", "label_controller_revision_hash")
            .register(registry);
    private final MetricsEndpoint endpoint;

    Traffic() throws IOException {
      endpoint = new MetricsEndpoint(registry);
    }

    int port() {
      return endpoint.port();
    }

    /** Both code series of the pod at zero, so that a later increase is a rate. */
    void open(String namespace, String pod) {
      requests.labelValues(namespace, "db", "200", pod).inc(0);
      requests.labelValues(namespace, "db", "500", pod).inc(0);
    }

    /** A pod as kube-state-metrics shows it: on a revision, with a restart count at zero. */
    void pod(String namespace, String pod, String revision) {
      podLabels.labelValues(namespace, pod, revision).set(1);
      restarts.labelValues(namespace, pod, "db").inc(0);
    }

    void restart(String namespace, String pod, int times) {
      restarts.labelValues(namespace, pod, "db").inc(times);
    }

    void serve(String namespace, String pod, int ok, int failed) {
      requests.labelValues(namespace, "db", "200", pod).inc(ok);
      requests.labelValues(namespace, "db", "500", pod).inc(failed);
    }

    @Override
    public void close() {
      endpoint.close();
    }
  }
}
