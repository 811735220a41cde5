package dev.ordinal.analysis;

import static dev.ordinal.analysis.TestTemplates.metric;
import static dev.ordinal.analysis.TestTemplates.template;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.prometheus.PrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusException;
import dev.ordinal.analysis.prometheus.QueryResult;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import dev.ordinal.rollout.AnalysisVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BacktestTest {
  private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");

  /** One series with a point per step; null leaves a gap. */
  private static QueryResult.Matrix series(Double... values) {
    List<QueryResult.Point> points = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        points.add(new QueryResult.Point(FROM.plus(Duration.ofMinutes(i)), values[i]));
      }
    }
    return new QueryResult.Matrix(List.of(new QueryResult.Series(Map.of(), points)));
  }

  private static PrometheusApi answering(Map<String, QueryResult.Matrix> byQuery) {
    return new PrometheusApi() {
      @Override
      public QueryResult query(Prometheus provider, String promql) {
        throw new UnsupportedOperationException();
      }

      @Override
      public QueryResult.Matrix queryRange(
          Prometheus provider, String promql, Instant from, Instant to, Duration step)
          throws PrometheusException {
        QueryResult.Matrix matrix = byQuery.get(promql);
        if (matrix == null) {
          throw new PrometheusException("Prometheus down, query '" + promql + "'");
        }
        return matrix;
      }
    };
  }

  @Test
  void countsPointsAndSlidingWindows() throws Exception {
    // S S F F S, then a gap (empty -> inconclusive)
    PrometheusApi api = answering(Map.of("q", series(0.01, 0.01, 0.2, 0.2, 0.01, null)));
    Backtest.Report report =
        Backtest.run(
            template(
                "t", metric("m").query("q").success("result[0] < 0.05").count(3).failureLimit(1)),
            Map.of(),
            FROM,
            FROM.plus(Duration.ofMinutes(5)),
            Duration.ofMinutes(1),
            api);
    Backtest.MetricReport metric = report.metrics().get(0);
    assertEquals(6, metric.points());
    assertEquals(3, metric.measurements().get(MeasurementPhase.SUCCESSFUL));
    assertEquals(2, metric.measurements().get(MeasurementPhase.FAILED));
    assertEquals(1, metric.measurements().get(MeasurementPhase.INCONCLUSIVE));
    // windows: SSF ok, SFF failed, FFS failed, FSI inconclusive
    assertEquals(1, report.verdicts().get(AnalysisVerdict.SUCCESSFUL));
    assertEquals(2, report.verdicts().get(AnalysisVerdict.FAILED));
    assertEquals(1, report.verdicts().get(AnalysisVerdict.INCONCLUSIVE));
    assertTrue(
        report
            .table()
            .contains(
                "run verdict over sliding windows: SUCCESSFUL=1 FAILED=2 INCONCLUSIVE=1 ERROR=0"),
        report.table());
  }

  @Test
  void metricsWithDifferentCountsAreAlignedByWindowStart() throws Exception {
    PrometheusApi api =
        answering(Map.of("a", series(0.0, 0.0, 0.0, 0.0), "b", series(0.0, 9.0, 0.0, 0.0)));
    Backtest.Report report =
        Backtest.run(
            template(
                "t",
                metric("a").query("a").success("result[0] < 1").count(3),
                metric("b").query("b").success("result[0] < 1").interval(null)),
            Map.of(),
            FROM,
            FROM.plus(Duration.ofMinutes(3)),
            Duration.ofMinutes(1),
            api);
    // runs start at points 0 and 1 (a needs 3 points); b measures once and fails at point 1
    assertEquals(1, report.verdicts().get(AnalysisVerdict.SUCCESSFUL));
    assertEquals(1, report.verdicts().get(AnalysisVerdict.FAILED));
  }

  @Test
  void aMetricWithoutCountRunsUntilALimitDecides() throws Exception {
    PrometheusApi api = answering(Map.of("q", series(0.0, 0.0, 9.0, 0.0)));
    Backtest.Report report =
        Backtest.run(
            template("t", metric("bg").query("q").success("result[0] < 1")),
            Map.of(),
            FROM,
            FROM.plus(Duration.ofMinutes(3)),
            Duration.ofMinutes(1),
            api);
    // runs from points 0, 1 and 2 reach the failure at point 2; one from point 3 never ends
    assertEquals(3, report.verdicts().get(AnalysisVerdict.FAILED));
    assertEquals(1, report.verdicts().get(AnalysisVerdict.RUNNING));
    assertTrue(report.table().contains("UNDECIDED=1"), report.table());
  }

  @Test
  void aRangeQueryMetricIsNotReplayed() throws Exception {
    Backtest.Report report =
        Backtest.run(
            template(
                "t",
                metric("r")
                    .query("q")
                    .success("all(result, # < 1)")
                    .count(1)
                    .interval(null)
                    .rangeQuery("now() - duration(\"5m\")", "now()", Duration.ofMinutes(1))),
            Map.of(),
            FROM,
            FROM.plus(Duration.ofMinutes(1)),
            Duration.ofMinutes(1),
            answering(Map.of("q", series(0.0, 0.0))));
    assertEquals(
        "metric 'r' has a rangeQuery: each measurement already looks at a range, so it is not"
            + " replayed",
        report.metrics().get(0).error());
  }

  @Test
  void aFailedRangeQueryMakesEveryPointAnError() throws Exception {
    Backtest.Report report =
        Backtest.run(
            template(
                "t", metric("m").query("nope").success("true").count(2).consecutiveErrorLimit(0)),
            Map.of(),
            FROM,
            FROM.plus(Duration.ofMinutes(2)),
            Duration.ofMinutes(1),
            answering(Map.of()));
    assertEquals("Prometheus down, query 'nope'", report.metrics().get(0).error());
    assertEquals(3, report.metrics().get(0).measurements().get(MeasurementPhase.ERROR));
    assertEquals(2, report.verdicts().get(AnalysisVerdict.ERROR));
  }

  @Test
  void rejectsAnEmptyRangeAndMissingArgs() {
    assertThrows(
        AnalysisSetupException.class,
        () ->
            Backtest.run(
                template("t", metric("m").success("true")),
                Map.of(),
                FROM,
                FROM,
                Duration.ofMinutes(1),
                answering(Map.of())));
    AnalysisSetupException noRollout =
        assertThrows(
            AnalysisSetupException.class,
            () ->
                Backtest.run(
                    template(
                        "t",
                        metric("m").query("x{pod=~\"{{rollout.canaryPods}}\"}").success("true")),
                    Map.of(),
                    FROM,
                    FROM.plusSeconds(60),
                    Duration.ofMinutes(1),
                    answering(Map.of())));
    assertEquals(
        "AnalysisTemplate 't', metric 'm': query 'x{pod=~\"{{rollout.canaryPods}}\"}' uses {{rollout.canaryPods}} but there is no rollout to take it from"
            + " (ordinal analysis backtest: pass --namespace, --canary-pods, ...)",
        noRollout.getMessage());
  }
}
