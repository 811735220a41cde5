package dev.ordinal.analysis;

import static dev.ordinal.analysis.TestTemplates.metric;
import static dev.ordinal.analysis.TestTemplates.template;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.prometheus.QueryResult;
import dev.ordinal.manifest.AnalysisArg;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnalysisRunnerTest {
  private static final RolloutContext ROLLOUT =
      new RolloutContext("shop", "db", "db-new", "db-old", List.of("db-2"));
  private final ManualScheduler scheduler = new ManualScheduler();
  private final ScriptedPrometheus prometheus = new ScriptedPrometheus();
  private final RunStore.InMemory store = new RunStore.InMemory();

  private AnalysisRunner runner(AnalysisTemplate... templates) {
    Map<String, AnalysisTemplate> byName = new HashMap<>();
    for (AnalysisTemplate template : templates) {
      byName.put(template.name(), template);
    }
    return new AnalysisRunner(
        name -> Optional.ofNullable(byName.get(name)),
        prometheus,
        scheduler,
        scheduler.clock,
        store);
  }

  private static List<AnalysisRef> refs(String... names) {
    return Arrays.stream(names).map(AnalysisRef::of).toList();
  }

  @Test
  void healthyMetricSucceedsAfterCount() {
    AnalysisRunner runner =
        runner(template("t", metric("errors").query("err").success("result[0] < 0.05").count(3)));
    prometheus.answer("err", List.of(0.01));
    runner.start("r1", refs("t"), ROLLOUT);
    assertEquals(Optional.of(AnalysisVerdict.RUNNING), runner.verdict("r1"));
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.RUNNING), runner.verdict("r1"));
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("r1"));
    assertEquals(3, prometheus.asked.size());
    assertEquals(0, scheduler.pending());
    RunSnapshot snapshot = runner.snapshot("r1").orElseThrow();
    assertEquals(
        "3 of 3 measurement(s) counted within limits", snapshot.metrics().get(0).explanation());
    assertEquals("[0.01]", snapshot.metrics().get(0).recent().get(2).value());
  }

  @Test
  void failsAfterFailureLimitPlusOneFailures() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("errors")
                    .query("err")
                    .success("result[0] < 0.05")
                    .count(10)
                    .failureLimit(2)));
    prometheus.answer("err", List.of(0.2));
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.RUNNING), runner.verdict("r1"));
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.FAILED), runner.verdict("r1"));
    assertEquals(3, prometheus.asked.size());
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(3, prometheus.asked.size(), "no measurements after the verdict");
  }

  @Test
  void initialDelayAndIntervalAreHonoured() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("m")
                    .query("q")
                    .success("result < 1")
                    .count(2)
                    .initialDelay(Duration.ofSeconds(30))
                    .interval(Duration.ofSeconds(10))));
    prometheus.answer("q", 0.5);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(29));
    assertEquals(0, prometheus.asked.size());
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(1, prometheus.asked.size());
    scheduler.advance(Duration.ofSeconds(9));
    assertEquals(1, prometheus.asked.size());
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("r1"));
  }

  @Test
  void emptyResultsAreInconclusiveNeverSuccessful() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("m")
                    .query("q")
                    .success("all(result, {# < 0.05})")
                    .count(2)
                    .inconclusiveLimit(1)));
    prometheus.answer("q", List.of());
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(Optional.of(AnalysisVerdict.INCONCLUSIVE), runner.verdict("r1"));
  }

  @Test
  void consecutiveErrorsBeyondTheLimitAreAnError() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("m").query("q").success("result < 1").count(10).consecutiveErrorLimit(2)));
    prometheus.answer(
        "q",
        "connection refused",
        "connection refused",
        0.5,
        "connection refused",
        "connection refused",
        "connection refused");
    runner.start("r1", refs("t"), ROLLOUT);
    // errors are retried after 10 s: err 0s, err 10s, ok 20s, err 21s, err 31s, err 41s
    scheduler.advance(Duration.ofSeconds(40));
    assertEquals(Optional.of(AnalysisVerdict.RUNNING), runner.verdict("r1"));
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.ERROR), runner.verdict("r1"));
    assertEquals(failed(AnalysisVerdict.ERROR, "t/m"), runner.outcome("r1"));
    RunSnapshot.MetricSnapshot metric = runner.snapshot("r1").orElseThrow().metrics().get(0);
    assertEquals("3 consecutive error(s) > consecutiveErrorLimit 2", metric.explanation());
    assertEquals("connection refused", metric.recent().get(metric.recent().size() - 1).message());
  }

  /** analysis_test.go TestCalculateNextReconcileUponError: 10 s after an error, even with 5m. */
  @Test
  void afterAnErrorTheRetryIsTenSecondsWhateverTheInterval() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("m")
                    .query("q")
                    .success("result < 1")
                    .count(2)
                    .interval(Duration.ofMinutes(5))));
    prometheus.answer("q", "Prometheus down", 0.5);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(2, prometheus.asked.size());
    scheduler.advance(Duration.ofSeconds(299));
    assertEquals(2, prometheus.asked.size(), "after a success the interval applies again");
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("r1"));
  }

  @Test
  void errorsWithoutAnIntervalAreRetriedAfterTenSeconds() {
    AnalysisRunner runner =
        runner(template("t", metric("m").query("q").success("result < 1").interval(null)));
    prometheus.answer("q", "Prometheus down", 0.5);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(9));
    assertEquals(1, prometheus.asked.size());
    assertEquals(Optional.of(AnalysisVerdict.RUNNING), runner.verdict("r1"));
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(2, prometheus.asked.size());
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("r1"));
  }

  /**
   * The regression of issue 15: a metric with an interval and no count measured once and then
   * watched nothing. Mirrors analysis_test.go TestGenerateMetricTasksInterval: the next measurement
   * is due one interval later, and again after that, until a limit decides.
   */
  @Test
  void aMetricWithAnIntervalAndNoCountKeepsMeasuringUntilALimitDecides() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("background")
                    .query("q")
                    .success("result[0] < 0.05")
                    .interval(Duration.ofSeconds(60))
                    .failureLimit(1)));
    prometheus.answer("q", List.of(0.01), List.of(0.01), List.of(0.01), List.of(0.2));
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(59));
    assertEquals(1, prometheus.asked.size(), "not again within the interval");
    scheduler.advance(Duration.ofSeconds(61));
    assertEquals(3, prometheus.asked.size());
    assertEquals(Optional.of(AnalysisVerdict.RUNNING), runner.verdict("r1"));
    RunSnapshot.MetricSnapshot good = runner.snapshot("r1").orElseThrow().metrics().get(0);
    assertEquals(MetricTally.Rule.NONE, good.decidedBy());
    assertEquals(
        "3 measurement(s) counted; measuring until a limit decides or the run is stopped",
        good.explanation());
    scheduler.advance(Duration.ofSeconds(60));
    assertEquals(Optional.of(AnalysisVerdict.RUNNING), runner.verdict("r1"), "1 failure allowed");
    scheduler.advance(Duration.ofSeconds(60));
    assertEquals(Optional.of(AnalysisVerdict.FAILED), runner.verdict("r1"));
    RunSnapshot.MetricSnapshot failed = runner.snapshot("r1").orElseThrow().metrics().get(0);
    assertEquals(MetricTally.Rule.FAILURE_LIMIT, failed.decidedBy());
    assertEquals("2 failed measurement(s) > failureLimit 1", failed.explanation());
    assertEquals(0, scheduler.pending());
  }

  /** analysis_test.go TestTerminateAnalysisRun and TestAssessMetricStatusNoMeasurements. */
  @Test
  void stoppingEndsAMetricStillRunningAsArgoEndsATerminatedRun() {
    AnalysisTemplate background =
        template(
            "t", metric("m").query("q").success("result < 1").initialDelay(Duration.ofSeconds(30)));
    prometheus.answer("q", 0.5);
    AnalysisRunner runner = runner(background);
    runner.start("measured", refs("t"), ROLLOUT);
    runner.start("never-measured", refs("t"), ROLLOUT);
    runner.stop("never-measured");
    scheduler.advance(Duration.ofSeconds(35));
    runner.stop("measured");
    int asked = prometheus.asked.size();
    scheduler.advance(Duration.ofMinutes(5));
    assertEquals(asked, prometheus.asked.size(), "nothing measured after the stop");

    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("measured"));
    RunSnapshot.MetricSnapshot metric = runner.snapshot("measured").orElseThrow().metrics().get(0);
    assertEquals(MetricTally.Rule.STOPPED, metric.decidedBy());
    assertEquals("stopped after 6 counted measurement(s) within limits", metric.explanation());
    // Argo calls this Successful too; Ordinal never passes a metric that measured nothing
    assertEquals(Optional.of(AnalysisVerdict.INCONCLUSIVE), runner.verdict("never-measured"));
    RunRecord saved =
        store.loadAll().stream()
            .filter(r -> r.runId().equals("measured"))
            .findFirst()
            .orElseThrow();
    assertEquals(MetricPhase.SUCCESSFUL, saved.metrics().get(0).decision().phase());
  }

  /** analysis_test.go TestAssessMetricStatusConsecutiveSuccessLimit, end to end in the runner. */
  @Test
  void consecutiveSuccessLimitEndsAMetricWithoutCount() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("settle")
                    .query("q")
                    .success("result < 1")
                    .failureLimit(-1)
                    .consecutiveSuccessLimit(3)));
    prometheus.answer("q", 0.5, 5.0, 0.5, 0.5, 5.0, 0.5, 0.5, 0.5, 5.0);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(6));
    assertEquals(Optional.of(AnalysisVerdict.RUNNING), runner.verdict("r1"));
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("r1"));
    RunSnapshot.MetricSnapshot metric = runner.snapshot("r1").orElseThrow().metrics().get(0);
    assertEquals(8, metric.tally().counted());
    assertEquals(MetricTally.Rule.CONSECUTIVE_SUCCESS_LIMIT, metric.decidedBy());
    assertEquals(
        "every 1s until a limit decides; failureLimit none, inconclusiveLimit 0,"
            + " consecutiveErrorLimit 4, consecutiveSuccessLimit 3",
        metric.limits().describe());
  }

  /** analysis_test.go TestReconcileAnalysisRunTerminateSiblingAfterFail. */
  @Test
  void aFailedMetricEndsTheRunAndItsSiblingsStopMeasuring() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("watch").query("ok").success("result < 1"),
                metric("gate").query("bad").success("result < 1").count(5)));
    prometheus.answer("ok", 0.5).answer("bad", 0.5, 5.0);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.FAILED), runner.verdict("r1"));
    // the rollback names the metric that failed, not its sibling that was stopped
    assertEquals(failed(AnalysisVerdict.FAILED, "t/gate"), runner.outcome("r1"));
    assertEquals(Optional.empty(), runner.outcome("no-such-run"));
    int asked = prometheus.asked.size();
    scheduler.advance(Duration.ofMinutes(1));
    assertEquals(asked, prometheus.asked.size());
    assertEquals(0, scheduler.pending());
  }

  @Test
  void aFailedMetricsNameFromGitIsNamedWithItsControlCharactersWrittenOut() {
    AnalysisRunner runner =
        runner(template("t", metric("ga\u001b[2Jte").query("bad").success("result < 1")));
    prometheus.answer("bad", 5.0);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.FAILED), runner.verdict("r1"));
    assertEquals(failed(AnalysisVerdict.FAILED, "t/ga\\x1b[2Jte"), runner.outcome("r1"));
  }

  /** prometheus_test.go TestRunSuccessfullyWithRangeQuery, through the runner. */
  @Test
  void aRangeQueryIsAskedFromStartToEndAsOfEachMeasurement() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("window")
                    .query("sum(rate(errors[1m]))")
                    .success("all(result, # > 10)")
                    .failure("all(result, # < 10)")
                    .interval(null)
                    .rangeQuery("now() - duration(\"1h\")", "now()", Duration.ofMinutes(1))));
    prometheus.matrix =
        new QueryResult.Matrix(
            List.of(
                new QueryResult.Series(
                    Map.of(),
                    List.of(
                        new QueryResult.Point(Instant.EPOCH, 11),
                        new QueryResult.Point(Instant.EPOCH, 12))),
                new QueryResult.Series(
                    Map.of(),
                    List.of(
                        new QueryResult.Point(Instant.EPOCH, 13),
                        new QueryResult.Point(Instant.EPOCH, 14)))));
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ZERO);
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("r1"));
    assertEquals(
        List.of(
            "sum(rate(errors[1m])) from "
                + scheduler.now().minus(Duration.ofHours(1))
                + " to "
                + scheduler.now()
                + " step PT1M"),
        prometheus.askedRanges);
    assertEquals(
        "[11, 12, 13, 14]",
        runner.snapshot("r1").orElseThrow().metrics().get(0).recent().get(0).value());
  }

  @Test
  void conditionsTakeArgsAndRolloutValues() {
    AnalysisTemplate template =
        template(
            "t",
            List.of(new AnalysisArg("threshold", Optional.of("0.05"))),
            metric("m")
                .query("q")
                .success("result[0] < {{args.threshold}}")
                .failure("\"{{rollout.namespace}}\" != \"shop\"")
                .interval(null));
    prometheus.answer("q", List.of(0.07));
    AnalysisRunner runner = runner(template);
    runner.start("default", refs("t"), ROLLOUT);
    runner.start("raised", List.of(new AnalysisRef("t", Map.of("threshold", "0.1"))), ROLLOUT);
    runner.start(
        "injected", List.of(new AnalysisRef("t", Map.of("threshold", "0.1 or true"))), ROLLOUT);
    scheduler.advance(Duration.ZERO);
    assertEquals(Optional.of(AnalysisVerdict.INCONCLUSIVE), runner.verdict("default"));
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("raised"));
    assertEquals(Optional.of(AnalysisVerdict.ERROR), runner.verdict("injected"));
    assertEquals(
        "AnalysisTemplate 't', metric 'm': successCondition 'result[0] < {{args.threshold}}':"
            + " {{args.threshold}} is \"0.1 or true\", which is not a number, true, false or nil;"
            + " to use it as text, quote it: \"{{args.threshold}}\" at column 13",
        runner.snapshot("injected").orElseThrow().message());
  }

  @Test
  void dryRunFailureDoesNotDecide() {
    AnalysisRunner runner =
        runner(
            template(
                "t",
                metric("real").query("ok").success("result < 1").count(2),
                metric("experimental").query("bad").success("result < 1").count(2).dryRun()));
    prometheus.answer("ok", 0.5).answer("bad", 5.0);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(2));
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("r1"));
    RunSnapshot snapshot = runner.snapshot("r1").orElseThrow();
    assertEquals(MetricPhase.FAILED, snapshot.metrics().get(1).phase());
    assertTrue(snapshot.metrics().get(1).dryRun());
    // a dry-run metric's failure names nothing, and the verdict it did not decide has no causes
    assertEquals(failed(AnalysisVerdict.SUCCESSFUL), runner.outcome("r1"));
  }

  @Test
  void queriesAreRenderedFromRefArgsAndRollout() {
    AnalysisTemplate template =
        template(
            "t",
            List.of(new AnalysisArg("svc", Optional.empty())),
            metric("m")
                .query(
                    "x{svc=\"{{args.svc}}\",pod=~\"{{rollout.canaryPods}}\",rev=\"{{rollout.canaryRevision}}\"}")
                .success("result < 1")
                .interval(null));
    AnalysisRunner runner = runner(template);
    String rendered = "x{svc=\"api\",pod=~\"db-2\",rev=\"db-new\"}";
    prometheus.answer(rendered, 0.5);
    runner.start("r1", List.of(new AnalysisRef("t", Map.of("svc", "api"))), ROLLOUT);
    scheduler.advance(Duration.ZERO);
    assertEquals(List.of(rendered), prometheus.asked);
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("r1"));
  }

  @Test
  void setupProblemsAreAnErrorVerdictWithAMessage() {
    AnalysisTemplate template =
        template(
            "t", List.of(new AnalysisArg("svc", Optional.empty())), metric("m").success("true"));
    AnalysisRunner runner = runner(template);
    runner.start("missing-template", refs("nope"), ROLLOUT);
    runner.start("missing-arg", refs("t"), ROLLOUT);
    assertEquals(Optional.of(AnalysisVerdict.ERROR), runner.verdict("missing-template"));
    assertEquals(
        "no AnalysisTemplate named 'nope'",
        runner.snapshot("missing-template").orElseThrow().message());
    assertEquals(
        "AnalysisTemplate 't' needs arg(s) [svc] that have no default and were not passed",
        runner.snapshot("missing-arg").orElseThrow().message());
    assertEquals(Optional.empty(), runner.verdict("unknown"));
  }

  @Test
  void startIsIdempotentAndStopCancels() {
    AnalysisRunner runner =
        runner(template("t", metric("m").query("q").success("result < 1").count(5)));
    prometheus.answer("q", 0.5);
    runner.start("r1", refs("t"), ROLLOUT);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(2, prometheus.asked.size());
    runner.stop("r1");
    runner.stop("r1");
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(2, prometheus.asked.size());
    assertTrue(runner.snapshot("r1").orElseThrow().stopped());
  }

  @Test
  void keepsOnlyTheLastMeasurements() {
    AnalysisRunner runner =
        runner(template("t", metric("m").query("q").success("result < 1").count(25)));
    prometheus.answer("q", 0.5);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(30));
    RunSnapshot.MetricSnapshot metric = runner.snapshot("r1").orElseThrow().metrics().get(0);
    assertEquals(25, metric.tally().counted());
    assertEquals(AnalysisRunner.RECENT_MEASUREMENTS, metric.recent().size());
  }

  @Test
  void restartedRunnerContinuesFromTheStoreInsteadOfStartingOver() {
    AnalysisTemplate template =
        template(
            "t",
            metric("m").query("q").success("result < 1").count(4).interval(Duration.ofSeconds(10)));
    prometheus.answer("q", 0.5);
    AnalysisRunner first = runner(template);
    first.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(15));
    assertEquals(2, prometheus.asked.size());
    first.stop("never-mind"); // the first process dies; its scheduled tasks die with it:
    ManualScheduler restarted = new ManualScheduler();
    restarted.advance(Duration.between(restarted.now(), scheduler.now()));

    // Round-trip through JSON as an annotation-backed store would.
    RunStore.InMemory reloaded = new RunStore.InMemory();
    for (RunRecord record : store.loadAll()) {
      reloaded.save(RunRecords.fromJson(RunRecords.toJson(record)));
    }
    AnalysisRunner second =
        new AnalysisRunner(
            name -> Optional.of(template), prometheus, restarted, restarted.clock, reloaded);
    assertEquals(1, second.resume());
    assertEquals(0, second.resume());
    assertEquals(Optional.of(AnalysisVerdict.RUNNING), second.verdict("r1"));
    assertEquals(2, second.snapshot("r1").orElseThrow().metrics().get(0).tally().counted());
    restarted.advance(Duration.ofSeconds(4));
    assertEquals(2, prometheus.asked.size(), "the next measurement is due at 20s, not at once");
    restarted.advance(Duration.ofSeconds(11));
    assertEquals(4, prometheus.asked.size());
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), second.verdict("r1"));
  }

  @Test
  void aRunWhoseTemplateIsNotLoadedYetIsLeftForLaterNotFailed() {
    AnalysisTemplate template =
        template(
            "t",
            metric("m").query("q").success("result < 1").count(4).interval(Duration.ofSeconds(10)));
    prometheus.answer("q", 0.5);
    AnalysisRunner first = runner(template);
    first.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(15));

    // A new leader before its first Git sync: no templates known yet.
    AnalysisRunner early =
        new AnalysisRunner(name -> Optional.empty(), prometheus, scheduler, scheduler.clock, store);
    assertEquals(0, early.resume());
    assertEquals(Optional.empty(), early.verdict("r1"), "unknown, not ERROR: nothing rolls back");
    assertEquals(1, store.loadAll().size());
    assertEquals(null, store.loadAll().get(0).setupError(), "the stored run is left as it was");
  }

  @Test
  void aSuspendedRunnerStopsMeasuringAndNeverOverwritesTheStore() {
    AnalysisTemplate template =
        template(
            "t",
            metric("m")
                .query("q")
                .success("result < 1")
                .count(10)
                .interval(Duration.ofSeconds(10)));
    prometheus.answer("q", 0.5);
    AnalysisRunner runner = runner(template);
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(15));
    int asked = prometheus.asked.size();
    RunRecord saved = store.loadAll().get(0);

    runner.suspend(); // leadership lost
    scheduler.advance(Duration.ofSeconds(60));
    assertEquals(asked, prometheus.asked.size(), "no more measurements");
    assertEquals(Optional.empty(), runner.verdict("r1"));
    assertEquals(saved, store.loadAll().get(0), "the new leader's copy is left alone");
  }

  @Test
  void decidedRunsAreDroppedOnceOldAndInconclusiveOnesKept() {
    AnalysisTemplate template =
        template("t", metric("m").query("q").success("result < 1").count(1));
    prometheus.answer("q", 0.5);
    AnalysisRunner runner = runner(template);
    runner.start("passed", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(AnalysisVerdict.SUCCESSFUL), runner.verdict("passed"));

    scheduler.advance(AnalysisRunner.FINISHED_RUN_RETENTION.plusMinutes(1));
    runner.start("next", refs("t"), ROLLOUT);
    assertEquals(Optional.empty(), runner.verdict("passed"));
    assertTrue(store.loadAll().stream().noneMatch(r -> r.runId().equals("passed")));
  }

  @Test
  void malformedRunRecordIsRejectedWithAClearMessage() {
    IllegalArgumentException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> RunRecords.fromJson("{\"runId\": [}"));
    assertTrue(error.getMessage().startsWith("not an analysis run record: "), error.getMessage());
  }

  @Test
  void runRecordsSurviveJson() {
    AnalysisRunner runner =
        runner(template("t", metric("m").query("q").success("result < 1").count(2)));
    prometheus.answer("q", List.of(Double.NaN));
    runner.start("r1", refs("t"), ROLLOUT);
    scheduler.advance(Duration.ZERO);
    RunRecord record = store.loadAll().get(0);
    RunRecord copy = RunRecords.fromJson(RunRecords.toJson(record));
    assertEquals(record, copy);
    assertEquals(MeasurementPhase.INCONCLUSIVE, copy.metrics().get(0).recent().get(0).phase());
  }

  private static Optional<AnalysisRuns.RunOutcome> failed(
      AnalysisVerdict verdict, String... metrics) {
    return Optional.of(new AnalysisRuns.RunOutcome(verdict, List.of(metrics)));
  }
}
