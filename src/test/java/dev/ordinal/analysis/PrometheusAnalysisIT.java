package dev.ordinal.analysis;

import static dev.ordinal.analysis.TestTemplates.metric;
import static dev.ordinal.analysis.TestTemplates.template;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.prometheus.HttpPrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusClient;
import dev.ordinal.analysis.prometheus.QueryResult;
import dev.ordinal.cli.AnalysisCommand;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Analysis against a real Prometheus scraping a target whose counters the tests set. One Prometheus
 * serves most tests (each uses its own revision label); its TSDB was backfilled with a synthetic
 * hour for the backtests before it started.
 */
class PrometheusAnalysisIT {
  private static final String ERROR_RATIO =
      "sum(http_request_errors_total{pod=~\"{{rollout.canaryPods}}\",revision=\"{{rollout.canaryRevision}}\"})"
          + " / sum(http_requests_total{pod=~\"{{rollout.canaryPods}}\",revision=\"{{rollout.canaryRevision}}\"})";
  private static final String P99_LATENCY =
      "histogram_quantile(0.99, sum by (le) (http_request_duration_seconds_bucket{revision=\"{{rollout.canaryRevision}}\"}))";

  /** The synthetic hour starts on an hour boundary three hours ago, well before live data. */
  private static final Instant BACKFILL_START =
      Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));

  @TempDir static Path home;
  private static ScrapeTarget target;
  private static PrometheusServer prometheus;
  private AnalysisRunner runner;

  @BeforeAll
  static void startPrometheus() throws Exception {
    target = new ScrapeTarget();
    Path data = home.resolve("data");
    PrometheusServer.backfill(home, data, syntheticHour());
    prometheus = PrometheusServer.start(home, data, target.port());
  }

  @AfterAll
  static void stopPrometheus() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (target != null) {
      target.close();
    }
  }

  @AfterEach
  void stopRuns() {
    if (runner != null) {
      runner.snapshots().forEach(run -> runner.stop(run.runId()));
    }
  }

  /** Minute by minute: 40 healthy points, 10 failing, 10 NaN (no traffic). */
  private static String syntheticHour() {
    StringBuilder text =
        new StringBuilder(
            "# HELP backtest_error_ratio Synthetic error ratio.\n# TYPE backtest_error_ratio gauge\n");
    for (int minute = 0; minute < 60; minute++) {
      String value = minute < 40 ? "0.01" : minute < 50 ? "0.2" : "NaN";
      long seconds = BACKFILL_START.plus(Duration.ofMinutes(minute)).getEpochSecond();
      text.append("backtest_error_ratio{pod=\"db-0\"} ")
          .append(value)
          .append(' ')
          .append(seconds)
          .append('\n');
    }
    return text.append("# EOF\n").toString();
  }

  private AnalysisRunner runner(AnalysisTemplate... templates) {
    Map<String, AnalysisTemplate> byName = new HashMap<>();
    for (AnalysisTemplate template : templates) {
      byName.put(template.name(), template);
    }
    runner =
        new AnalysisRunner(
            name -> Optional.ofNullable(byName.get(name)),
            new HttpPrometheusApi(),
            Scheduler.threads(4),
            Clock.systemUTC(),
            new RunStore.InMemory());
    return runner;
  }

  private static RolloutContext canary(String revision, String... pods) {
    return new RolloutContext("shop", "db", revision, "stable", List.of(pods));
  }

  /** Waits until Prometheus has scraped what the test just set. */
  private static void awaitScraped(String promql, Predicate<List<Double>> ready) throws Exception {
    PrometheusClient client =
        new PrometheusClient(
            prometheus.address(), Duration.ofSeconds(5), Map.of(), Optional::empty);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<Double> last = List.of();
    while (System.nanoTime() < deadline) {
      QueryResult result = client.query(promql);
      last = result.toMetricResult().values();
      if (ready.test(last)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "Prometheus never showed the expected data for " + promql + "; last " + last);
  }

  private static RunSnapshot awaitVerdict(AnalysisRunner runner, String runId, Duration within)
      throws InterruptedException {
    return awaitSnapshot(runner, runId, within, run -> run.verdict() != AnalysisVerdict.RUNNING);
  }

  private static RunSnapshot awaitSnapshot(
      AnalysisRunner runner, String runId, Duration within, Predicate<RunSnapshot> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      RunSnapshot snapshot = runner.snapshot(runId).orElseThrow();
      if (condition.test(snapshot)) {
        return snapshot;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "run " + runId + " not there after " + within + ": " + runner.snapshot(runId));
  }

  @Test
  void healthyCanaryPasses() throws Exception {
    target.serve("db-2", "healthy", 1000, 1, 0.03);
    target.serve("db-1", "healthy", 1000, 2, 0.04);
    target.serve("db-0", "stable", 1000, 500, 2.0); // the stable pod is not part of the canary
    awaitScraped("sum(http_requests_total{revision=\"healthy\"})", v -> v.equals(List.of(2000.0)));
    AnalysisRunner runner =
        runner(
            template(
                "canary-health",
                metric("error-rate")
                    .address(prometheus.address())
                    .query(ERROR_RATIO)
                    .success("result[0] < 0.05")
                    .count(3),
                metric("p99-latency")
                    .address(prometheus.address())
                    .query(P99_LATENCY)
                    .success("all(result, {# < 0.5})")
                    .count(2)));

    runner.start(
        "healthy", List.of(AnalysisRef.of("canary-health")), canary("healthy", "db-2", "db-1"));
    RunSnapshot done = awaitVerdict(runner, "healthy", Duration.ofSeconds(15));

    assertEquals(AnalysisVerdict.SUCCESSFUL, done.verdict(), done.toString());
    RunSnapshot.MetricSnapshot errorRate = done.metrics().get(0);
    assertEquals(
        "sum(http_request_errors_total{pod=~\"db-2|db-1\",revision=\"healthy\"}) / sum(http_requests_total{pod=~\"db-2|db-1\",revision=\"healthy\"})",
        errorRate.query());
    assertEquals(3, errorRate.tally().successful());
    assertEquals("[0.0015]", errorRate.recent().get(0).value());
  }

  @Test
  void errorRateAboveThresholdFailsAfterFailureLimitPlusOne() throws Exception {
    target.serve("db-2", "bad", 1000, 100, 0.03);
    awaitScraped("sum(http_requests_total{revision=\"bad\"})", v -> v.equals(List.of(1000.0)));
    AnalysisRunner runner =
        runner(
            template(
                "errors",
                metric("error-rate")
                    .address(prometheus.address())
                    .query(ERROR_RATIO)
                    .success("result[0] < 0.05")
                    .count(5)
                    .failureLimit(1)));

    runner.start("bad", List.of(AnalysisRef.of("errors")), canary("bad", "db-2"));
    RunSnapshot done = awaitVerdict(runner, "bad", Duration.ofSeconds(15));

    assertEquals(AnalysisVerdict.FAILED, done.verdict());
    RunSnapshot.MetricSnapshot metric = done.metrics().get(0);
    assertEquals(2, metric.tally().counted());
    assertEquals(2, metric.tally().failed());
    assertEquals("2 failed measurement(s) > failureLimit 1", metric.explanation());
    assertEquals(
        "successCondition 'result[0] < 0.05' is false for result [0.1]",
        metric.recent().get(1).message());
  }

  @Test
  void noTrafficIsInconclusiveNeverSuccessful() throws Exception {
    AnalysisRunner runner =
        runner(
            template(
                "errors",
                metric("error-rate")
                    .address(prometheus.address())
                    .query(ERROR_RATIO)
                    .success("all(result, {# < 0.05})")
                    .count(3)
                    .inconclusiveLimit(1)));

    runner.start("empty", List.of(AnalysisRef.of("errors")), canary("nobody", "db-2"));
    RunSnapshot done = awaitVerdict(runner, "empty", Duration.ofSeconds(15));

    assertEquals(AnalysisVerdict.INCONCLUSIVE, done.verdict());
    RunSnapshot.MetricSnapshot metric = done.metrics().get(0);
    assertEquals(2, metric.tally().inconclusive());
    assertEquals(0, metric.tally().successful());
    assertEquals("[]", metric.recent().get(0).value());
  }

  @Test
  void zeroOverZeroIsNaNAndInconclusiveEvenForAFailureConditionOnly() throws Exception {
    target.idle("db-2", "idle");
    awaitScraped("count(http_requests_total{revision=\"idle\"})", v -> v.equals(List.of(1.0)));
    AnalysisRunner runner =
        runner(
            template(
                "errors",
                metric("error-rate")
                    .address(prometheus.address())
                    .query(ERROR_RATIO)
                    .failure("result[0] > 0.05")
                    .count(2)));

    runner.start("nan", List.of(AnalysisRef.of("errors")), canary("idle", "db-2"));
    RunSnapshot done = awaitVerdict(runner, "nan", Duration.ofSeconds(15));

    assertEquals(AnalysisVerdict.INCONCLUSIVE, done.verdict());
    Measurement first = done.metrics().get(0).recent().get(0);
    assertEquals("[NaN]", first.value());
    assertEquals(MeasurementPhase.INCONCLUSIVE, first.phase());
  }

  @Test
  void prometheusStoppedMidRunIsAnErrorAfterConsecutiveErrorLimit() throws Exception {
    target.serve("db-2", "crash", 1000, 1, 0.03);
    Path own = home.resolve("crash");
    Files.createDirectories(own);
    PrometheusServer doomed = PrometheusServer.start(own, own.resolve("data"), target.port());
    try {
      PrometheusClient client =
          new PrometheusClient(doomed.address(), Duration.ofSeconds(5), Map.of(), Optional::empty);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (client
          .query("sum(http_requests_total{revision=\"crash\"})")
          .toMetricResult()
          .isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the second Prometheus never scraped the target");
        Thread.sleep(200);
      }
      AnalysisRunner runner =
          runner(
              template(
                  "errors",
                  metric("error-rate")
                      .address(doomed.address())
                      .query(ERROR_RATIO)
                      .success("result[0] < 0.05")
                      .count(20)
                      .consecutiveErrorLimit(1)));
      runner.start("crash", List.of(AnalysisRef.of("errors")), canary("crash", "db-2"));
      while (runner.snapshot("crash").orElseThrow().metrics().get(0).tally().successful() == 0) {
        assertTrue(System.nanoTime() < deadline, "no successful measurement before the crash");
        Thread.sleep(50);
      }
      doomed.close();

      // errors are retried 10 s apart: the second one decides
      RunSnapshot done = awaitVerdict(runner, "crash", Duration.ofSeconds(40));

      assertEquals(AnalysisVerdict.ERROR, done.verdict());
      RunSnapshot.MetricSnapshot metric = done.metrics().get(0);
      assertEquals(2, metric.tally().consecutiveErrors());
      assertEquals("2 consecutive error(s) > consecutiveErrorLimit 1", metric.explanation());
      String message = metric.recent().get(metric.recent().size() - 1).message();
      assertTrue(
          message.startsWith(
              "Prometheus " + doomed.address() + ", query 'sum(http_request_errors_total"),
          message);
    } finally {
      doomed.close();
    }
  }

  /**
   * The regression of issue 15 against a real Prometheus: a metric with an interval and no count
   * keeps measuring after its first samples, and fails when the canary turns bad.
   */
  @Test
  void aMetricWithoutCountKeepsMeasuringAndFailsWhenTheCanaryTurnsBad() throws Exception {
    target.serve("db-2", "turns-bad", 1000, 1, 0.03);
    awaitScraped(
        "sum(http_requests_total{revision=\"turns-bad\"})", v -> v.equals(List.of(1000.0)));
    AnalysisRunner runner =
        runner(
            template(
                "watch",
                metric("error-rate")
                    .address(prometheus.address())
                    .query(ERROR_RATIO)
                    .success("result[0] < 0.05")
                    .interval(Duration.ofMillis(300))
                    .failureLimit(1)));

    runner.start("watch", List.of(AnalysisRef.of("watch")), canary("turns-bad", "db-2"));
    RunSnapshot good =
        awaitSnapshot(
            runner,
            "watch",
            Duration.ofSeconds(15),
            run -> run.metrics().get(0).tally().successful() >= 3);
    assertEquals(AnalysisVerdict.RUNNING, good.verdict(), good.toString());
    target.serve("db-2", "turns-bad", 1000, 900, 0.03); // 901 / 2000 errors
    awaitScraped(
        "sum(http_requests_total{revision=\"turns-bad\"})", v -> v.equals(List.of(2000.0)));
    RunSnapshot done = awaitVerdict(runner, "watch", Duration.ofSeconds(15));

    assertEquals(AnalysisVerdict.FAILED, done.verdict(), done.toString());
    RunSnapshot.MetricSnapshot metric = done.metrics().get(0);
    assertEquals(MetricTally.Rule.FAILURE_LIMIT, metric.decidedBy());
    assertTrue(metric.tally().successful() >= 3, done.toString());
    assertEquals("[0.4505]", metric.recent().get(metric.recent().size() - 1).value());
  }

  @Test
  void consecutiveSuccessLimitEndsAMetricWithoutCount() throws Exception {
    target.serve("db-2", "settles", 1000, 1, 0.03);
    awaitScraped("sum(http_requests_total{revision=\"settles\"})", v -> v.equals(List.of(1000.0)));
    AnalysisRunner runner =
        runner(
            template(
                "settle",
                metric("error-rate")
                    .address(prometheus.address())
                    .query(ERROR_RATIO)
                    .success("result[0] < 0.05")
                    .interval(Duration.ofMillis(300))
                    .failureLimit(-1)
                    .consecutiveSuccessLimit(3)));

    runner.start("settle", List.of(AnalysisRef.of("settle")), canary("settles", "db-2"));
    RunSnapshot done = awaitVerdict(runner, "settle", Duration.ofSeconds(15));

    assertEquals(AnalysisVerdict.SUCCESSFUL, done.verdict(), done.toString());
    RunSnapshot.MetricSnapshot metric = done.metrics().get(0);
    assertEquals(MetricTally.Rule.CONSECUTIVE_SUCCESS_LIMIT, metric.decidedBy());
    assertEquals(3, metric.tally().consecutiveSuccesses());
  }

  /** rangeQuery over the backfilled hour: every point of the window is judged. */
  @Test
  void aRangeQueryJudgesEveryPointOfItsWindow() throws Exception {
    AnalysisRunner runner =
        runner(range("healthy", 0, 39), range("failing", 35, 45), range("no-traffic", 50, 59));
    for (String name : List.of("healthy", "failing", "no-traffic")) {
      runner.start(name, List.of(AnalysisRef.of(name)), canary("backfill", "db-0"));
    }

    RunSnapshot healthy = awaitVerdict(runner, "healthy", Duration.ofSeconds(15));
    assertEquals(AnalysisVerdict.SUCCESSFUL, healthy.verdict(), healthy.toString());
    assertEquals(40, healthy.metrics().get(0).recent().get(0).value().split(",").length);
    assertEquals(
        AnalysisVerdict.FAILED, awaitVerdict(runner, "failing", Duration.ofSeconds(15)).verdict());
    RunSnapshot noTraffic = awaitVerdict(runner, "no-traffic", Duration.ofSeconds(15));
    assertEquals(AnalysisVerdict.INCONCLUSIVE, noTraffic.verdict(), noTraffic.toString());
  }

  /** A template whose one metric judges the backfilled minutes {@code from} to {@code to}. */
  private static AnalysisTemplate range(String name, int from, int to) {
    String start = BACKFILL_START.plus(Duration.ofMinutes(from)).toString();
    String end = BACKFILL_START.plus(Duration.ofMinutes(to)).toString();
    return template(
        name,
        metric("window")
            .address(prometheus.address())
            .query("backtest_error_ratio{pod=~\"{{rollout.canaryPods}}\"}")
            .success("all(result, # < 0.05)")
            .failure("any(result, # >= 0.05)")
            .interval(null)
            .rangeQuery("date(\"" + start + "\")", "date(\"" + end + "\")", Duration.ofMinutes(1)));
  }

  @Test
  void prometheusSlowerThanTheTimeoutIsAnError() throws Exception {
    HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    slow.setExecutor(Executors.newCachedThreadPool());
    slow.createContext(
        "/",
        exchange -> {
          try {
            Thread.sleep(3_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
        });
    slow.start();
    try {
      URI address = URI.create("http://127.0.0.1:" + slow.getAddress().getPort());
      AnalysisRunner runner =
          runner(
              template(
                  "errors",
                  metric("error-rate")
                      .address(address)
                      .query("up")
                      .success("result[0] < 0.05")
                      .count(3)
                      .consecutiveErrorLimit(0)
                      .timeout(Duration.ofMillis(300))));
      long started = System.nanoTime();
      runner.start("slow", List.of(AnalysisRef.of("errors")), canary("slow", "db-2"));
      RunSnapshot done = awaitVerdict(runner, "slow", Duration.ofSeconds(10));

      assertEquals(AnalysisVerdict.ERROR, done.verdict());
      assertTrue(
          Duration.ofNanos(System.nanoTime() - started).toMillis() < 2_500,
          "the timeout did not cut the query short");
      assertEquals(
          "Prometheus " + address + ", query 'up': no answer within the timeout of 300 ms",
          done.metrics().get(0).recent().get(0).message());
    } finally {
      slow.stop(0);
    }
  }

  @Test
  void failingDryRunMetricDoesNotFailTheRun() throws Exception {
    target.serve("db-2", "dry", 1000, 1, 0.03);
    target.serve("db-2", "dry-bad", 1000, 900, 0.03);
    awaitScraped(
        "sum(http_requests_total{revision=~\"dry|dry-bad\"})", v -> v.equals(List.of(2000.0)));
    AnalysisRunner runner =
        runner(
            template(
                "guarded",
                metric("error-rate")
                    .address(prometheus.address())
                    .query(ERROR_RATIO)
                    .success("result[0] < 0.05")
                    .count(2),
                metric("experimental")
                    .address(prometheus.address())
                    .query(ERROR_RATIO.replace("{{rollout.canaryRevision}}", "dry-bad"))
                    .success("result[0] < 0.05")
                    .count(2)
                    .dryRun()));

    runner.start("dry", List.of(AnalysisRef.of("guarded")), canary("dry", "db-2"));
    RunSnapshot done = awaitVerdict(runner, "dry", Duration.ofSeconds(15));

    assertEquals(AnalysisVerdict.SUCCESSFUL, done.verdict());
    assertEquals(MetricPhase.FAILED, done.metrics().get(1).phase());
  }

  private static AnalysisTemplate backtestTemplate(URI address) {
    return template(
        "backfilled",
        metric("error-ratio")
            .address(address)
            .query("backtest_error_ratio{pod=\"db-0\"}")
            .success("result[0] < 0.05")
            .count(5)
            .failureLimit(1));
  }

  @Test
  void backtestOverASyntheticHourCountsEveryPoint() throws Exception {
    Backtest.Report report =
        Backtest.run(
            backtestTemplate(prometheus.address()),
            Map.of(),
            BACKFILL_START,
            BACKFILL_START.plus(Duration.ofMinutes(59)),
            Duration.ofMinutes(1),
            new HttpPrometheusApi());

    Backtest.MetricReport metric = report.metrics().get(0);
    assertEquals(null, metric.error());
    assertEquals(60, metric.points());
    assertEquals(
        Map.of(
            MeasurementPhase.SUCCESSFUL,
            40,
            MeasurementPhase.FAILED,
            10,
            MeasurementPhase.INCONCLUSIVE,
            10,
            MeasurementPhase.ERROR,
            0),
        metric.measurements());
    // Windows of 5 points, failureLimit 1: starts 0..36 pass (36 holds one failure), 37..48 hold
    // two failures, 49..55 reach a NaN first.
    assertEquals(
        Map.of(
            AnalysisVerdict.SUCCESSFUL, 37,
            AnalysisVerdict.FAILED, 12,
            AnalysisVerdict.INCONCLUSIVE, 7,
            AnalysisVerdict.ERROR, 0,
            AnalysisVerdict.RUNNING, 0),
        report.verdicts());
  }

  @Test
  void backtestCommandPrintsTheTable() throws Exception {
    Path file = home.resolve("template.yaml");
    Files.writeString(
        file,
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: backfilled
        spec:
          args:
            - name: scale
          metrics:
            - name: error-ratio
              count: 5
              interval: 1m
              failureLimit: 1
              successCondition: result[0] < 0.05
              provider:
                prometheus:
                  address: http://prometheus.invalid:9090
                  query: backtest_error_ratio{pod=~"{{rollout.canaryPods}}"} * {{args.scale}}
        """);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli =
        new CommandLine(new AnalysisCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err));

    int exit =
        cli.execute(
            "backtest",
            "--template",
            file.toString(),
            "--args",
            "scale=1",
            "--canary-pods",
            "db-0",
            "--from",
            BACKFILL_START.toString(),
            "--to",
            String.valueOf(BACKFILL_START.plus(Duration.ofMinutes(59)).getEpochSecond()),
            "--step",
            "1m",
            "--prometheus",
            prometheus.address().toString());

    assertEquals(0, exit, err.toString());
    String table = out.toString();
    assertTrue(
        table.contains(
            "error-ratio                  60         40     10           10     0   37/12/7/0"),
        table);
    assertTrue(
        table.contains(
            "run verdict over sliding windows: SUCCESSFUL=37 FAILED=12 INCONCLUSIVE=7 ERROR=0"),
        table);
  }
}
