package dev.ordinal.analysis;

import static dev.ordinal.analysis.MeasurementPhase.ERROR;
import static dev.ordinal.analysis.MeasurementPhase.FAILED;
import static dev.ordinal.analysis.MeasurementPhase.INCONCLUSIVE;
import static dev.ordinal.analysis.MeasurementPhase.SUCCESSFUL;
import static dev.ordinal.analysis.TestTemplates.metric;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.manifest.AnalysisTemplate.Metric;
import dev.ordinal.rollout.AnalysisVerdict;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MetricTallyTest {
  private static MetricTally tally(MeasurementPhase... phases) {
    MetricTally tally = MetricTally.EMPTY;
    for (MeasurementPhase phase : phases) {
      tally = tally.add(phase);
    }
    return tally;
  }

  private static MetricPhase after(Metric metric, MeasurementPhase... phases) {
    return tally(phases).phase(metric);
  }

  /** An Argo MetricResult's counters as a tally (Argo's Count excludes errors, as ours does). */
  private static MetricTally result(
      int count, int successful, int failed, int inconclusive, int consecutiveSuccess) {
    return new MetricTally(count, successful, failed, inconclusive, 0, 0, consecutiveSuccess);
  }

  private static MetricPhase running(MetricTally tally, Metric metric) {
    return tally.decide(metric, false).phase();
  }

  private static MetricPhase stopped(MetricTally tally, Metric metric) {
    return tally.decide(metric, true).phase();
  }

  /** Vectors from Argo Rollouts' analysis/analysis_test.go, each test named after its source. */
  @Nested
  class ArgoAssessMetricStatus {
    @Test
    void testAssessMetricStatusFailureLimit() {
      Metric metric = metric("m").success("true").failureLimit(2).build(); // interval 1s, no count
      MetricTally failedThrice = result(3, 0, 3, 0, 0);
      assertEquals(MetricPhase.FAILED, running(failedThrice, metric));
      assertEquals(MetricPhase.FAILED, stopped(failedThrice, metric));
      Metric tolerant = metric("m").success("true").failureLimit(3).build();
      assertEquals(MetricPhase.RUNNING, running(failedThrice, tolerant));
      // Argo: Successful. Ordinal: stopped without one successful measurement is inconclusive.
      assertEquals(MetricPhase.INCONCLUSIVE, stopped(failedThrice, tolerant));
    }

    @Test
    void testAssessMetricStatusConsecutiveSuccessLimit() {
      MetricTally result = result(7, 4, 3, 0, 3);
      // indefinite (no count)
      Metric three =
          metric("m").success("true").failureLimit(-1).consecutiveSuccessLimit(3).build();
      assertEquals(MetricPhase.SUCCESSFUL, running(result, three));
      assertEquals(MetricPhase.SUCCESSFUL, stopped(result, three));
      Metric five = metric("m").success("true").failureLimit(-1).consecutiveSuccessLimit(5).build();
      assertEquals(MetricPhase.RUNNING, running(result, five));
      assertEquals(MetricPhase.SUCCESSFUL, stopped(result, five));
      // count 7 reached
      Metric fiveOfSeven =
          metric("m").success("true").failureLimit(-1).consecutiveSuccessLimit(5).count(7).build();
      assertEquals(MetricPhase.FAILED, running(result, fiveOfSeven));
      assertEquals(MetricPhase.FAILED, stopped(result, fiveOfSeven));
      Metric threeOfSeven =
          metric("m").success("true").failureLimit(-1).consecutiveSuccessLimit(3).count(7).build();
      assertEquals(MetricPhase.SUCCESSFUL, running(result, threeOfSeven));
      // count 9 not reached
      Metric threeOfNine =
          metric("m").success("true").failureLimit(-1).consecutiveSuccessLimit(3).count(9).build();
      assertEquals(MetricPhase.SUCCESSFUL, running(result, threeOfNine));
      Metric fiveOfNine =
          metric("m").success("true").failureLimit(-1).consecutiveSuccessLimit(5).count(9).build();
      assertEquals(MetricPhase.RUNNING, running(result, fiveOfNine));
      assertEquals(MetricPhase.SUCCESSFUL, stopped(result, fiveOfNine));
    }

    @Test
    void testAssessMetricStatusFailureLimitAndConsecutiveSuccessLimit() {
      Metric indefinite =
          metric("m").success("true").failureLimit(4).consecutiveSuccessLimit(4).build();
      assertEquals(MetricPhase.RUNNING, running(result(7, 4, 3, 0, 3), indefinite));
      assertEquals(MetricPhase.SUCCESSFUL, stopped(result(7, 4, 3, 0, 3), indefinite));
      assertEquals(MetricPhase.FAILED, running(result(9, 9, 5, 0, 0), indefinite));
      assertEquals(MetricPhase.FAILED, stopped(result(9, 9, 5, 0, 0), indefinite));
      assertEquals(MetricPhase.SUCCESSFUL, running(result(8, 5, 3, 0, 4), indefinite));
      assertEquals(MetricPhase.FAILED, running(result(10, 5, 5, 0, 4), indefinite));

      Metric ten =
          metric("m").success("true").failureLimit(4).consecutiveSuccessLimit(4).count(10).build();
      // count reached
      assertEquals(MetricPhase.INCONCLUSIVE, running(result(10, 6, 4, 0, 3), ten));
      assertEquals(MetricPhase.INCONCLUSIVE, stopped(result(10, 6, 4, 0, 3), ten));
      assertEquals(MetricPhase.FAILED, running(result(10, 5, 5, 0, 3), ten));
      assertEquals(MetricPhase.SUCCESSFUL, running(result(10, 6, 4, 0, 4), ten));
      assertEquals(MetricPhase.FAILED, running(result(10, 5, 5, 0, 4), ten));
      // count not reached
      assertEquals(MetricPhase.RUNNING, running(result(8, 5, 3, 0, 3), ten));
      assertEquals(MetricPhase.SUCCESSFUL, stopped(result(8, 5, 3, 0, 3), ten));
      assertEquals(MetricPhase.FAILED, running(result(8, 3, 5, 0, 3), ten));
      assertEquals(MetricPhase.SUCCESSFUL, running(result(8, 5, 3, 0, 4), ten));
      assertEquals(MetricPhase.FAILED, running(result(9, 4, 5, 0, 4), ten));
    }

    @Test
    void testAssessMetricStatusInconclusiveLimit() {
      MetricTally result = result(3, 0, 0, 3, 0);
      Metric two = metric("m").success("true").inconclusiveLimit(2).build();
      assertEquals(MetricPhase.INCONCLUSIVE, running(result, two));
      assertEquals(MetricPhase.INCONCLUSIVE, stopped(result, two));
      Metric three = metric("m").success("true").inconclusiveLimit(3).build();
      assertEquals(MetricPhase.RUNNING, running(result, three));
      // Argo: Successful. Ordinal: three inconclusive measurements and no success never pass.
      assertEquals(MetricPhase.INCONCLUSIVE, stopped(result, three));
    }

    @Test
    void testAssessMetricStatusConsecutiveErrors() {
      Metric metric = metric("m").success("true").build(); // consecutiveErrorLimit 4, as Argo's
      MetricTally five = new MetricTally(5, 0, 0, 0, 5, 5, 0);
      assertEquals(MetricPhase.ERROR, running(five, metric));
      assertEquals(MetricPhase.ERROR, stopped(five, metric));
      MetricTally four = new MetricTally(5, 0, 0, 0, 4, 4, 0);
      assertEquals(MetricPhase.RUNNING, running(four, metric));
      // Argo: Successful. Ordinal: nothing successful was measured.
      assertEquals(MetricPhase.INCONCLUSIVE, stopped(four, metric));
    }

    @Test
    void testAssessMetricStatusCountReached() {
      Metric metric = metric("m").success("true").count(10).build();
      assertEquals(MetricPhase.SUCCESSFUL, running(result(10, 10, 0, 0, 10), metric));
      assertEquals(MetricPhase.INCONCLUSIVE, running(result(10, 5, 0, 5, 0), metric));
    }

    @Test
    void testAssessMetricStatusNoMeasurementsAndTestTerminateAnalysisRun() {
      Metric metric = metric("m").success("true").interval(null).build();
      assertEquals(MetricPhase.RUNNING, running(MetricTally.EMPTY, metric)); // Argo: Pending
      // Argo: Successful. Ordinal: a run stopped before any measurement proved nothing.
      assertEquals(MetricPhase.INCONCLUSIVE, stopped(MetricTally.EMPTY, metric));
      assertEquals(
          "stopped after 0 counted measurement(s), none successful",
          MetricTally.EMPTY.decide(metric, true).explanation());
    }

    @Test
    void testAssessMetricFailureInconclusiveOrError() {
      Metric metric = metric("m").success("true").interval(null).build();
      MetricTally.Decision failed = tally(FAILED).decide(metric, true);
      assertEquals(MetricPhase.FAILED, failed.phase());
      assertEquals(MetricTally.Rule.FAILURE_LIMIT, failed.rule());
      assertEquals("1 failed measurement(s) > failureLimit 0", failed.explanation());
      MetricTally.Decision inconclusive = tally(INCONCLUSIVE).decide(metric, true);
      assertEquals(MetricTally.Rule.INCONCLUSIVE_LIMIT, inconclusive.rule());
      assertEquals(
          "1 inconclusive measurement(s) > inconclusiveLimit 0", inconclusive.explanation());
      MetricTally.Decision error = tally(ERROR, ERROR, ERROR, ERROR, ERROR).decide(metric, true);
      assertEquals(MetricTally.Rule.CONSECUTIVE_ERROR_LIMIT, error.rule());
      assertEquals("5 consecutive error(s) > consecutiveErrorLimit 4", error.explanation());
    }

    @Test
    void testRunMeasurementsResetConsecutiveErrorCounter() {
      MetricTally fourErrors = new MetricTally(4, 4, 0, 0, 4, 4, 0);
      assertEquals(new MetricTally(4, 4, 0, 0, 5, 5, 0), fourErrors.add(ERROR));
      assertEquals(new MetricTally(5, 5, 0, 0, 4, 0, 1), fourErrors.add(SUCCESSFUL));
      assertEquals(new MetricTally(5, 4, 1, 0, 4, 0, 0), fourErrors.add(FAILED));
    }

    @Test
    void testGenerateMetricTasksNoIntervalOrCountMeasuresOnce() {
      Metric once = metric("m").success("true").interval(null).build();
      assertEquals(MetricPhase.SUCCESSFUL, after(once, SUCCESSFUL));
      assertEquals(MetricPhase.FAILED, after(once, FAILED));
    }
  }

  @Nested
  class Limits {
    @Test
    void failsOnlyWhenFailuresExceedTheLimit() {
      Metric metric = metric("m").success("true").count(5).failureLimit(1).build();
      assertEquals(MetricPhase.RUNNING, after(metric, FAILED));
      assertEquals(MetricPhase.FAILED, after(metric, FAILED, SUCCESSFUL, FAILED));
      assertEquals(
          "2 failed measurement(s) > failureLimit 1", tally(FAILED, FAILED).explain(metric));
    }

    @Test
    void minusOneMeansNoLimit() {
      Metric metric =
          metric("m")
              .success("true")
              .failureLimit(-1)
              .inconclusiveLimit(-1)
              .consecutiveSuccessLimit(2)
              .build();
      MeasurementPhase[] bad = new MeasurementPhase[50];
      for (int i = 0; i < bad.length; i++) {
        bad[i] = i % 2 == 0 ? FAILED : INCONCLUSIVE;
      }
      assertEquals(MetricPhase.RUNNING, after(metric, bad));
      assertEquals(
          MetricPhase.SUCCESSFUL, tally(bad).add(SUCCESSFUL).add(SUCCESSFUL).phase(metric));
    }

    @Test
    void errorOnlyAfterConsecutiveErrorsExceedTheLimit() {
      Metric metric = metric("m").success("true").count(10).consecutiveErrorLimit(2).build();
      assertEquals(MetricPhase.RUNNING, after(metric, ERROR, ERROR, SUCCESSFUL, ERROR, ERROR));
      assertEquals(MetricPhase.ERROR, after(metric, ERROR, ERROR, ERROR));
    }

    @Test
    void errorsAreRetriedAndDoNotCountTowardsCount() {
      Metric metric = metric("m").success("true").count(2).consecutiveErrorLimit(4).build();
      assertEquals(MetricPhase.RUNNING, after(metric, SUCCESSFUL, ERROR));
      assertEquals(MetricPhase.SUCCESSFUL, after(metric, SUCCESSFUL, ERROR, SUCCESSFUL));
      assertEquals(
          "1 of 2 measurement(s) counted, 1 error(s)", tally(SUCCESSFUL, ERROR).explain(metric));
    }

    @Test
    void toleratedMissingDataAloneNeverPasses() {
      Metric metric =
          metric("m")
              .success("true")
              .count(3)
              .inconclusiveLimit(5)
              .consecutiveErrorLimit(5)
              .build();
      assertEquals(MetricPhase.RUNNING, after(metric, INCONCLUSIVE, ERROR, INCONCLUSIVE));
      assertEquals(
          MetricPhase.INCONCLUSIVE, after(metric, INCONCLUSIVE, ERROR, INCONCLUSIVE, INCONCLUSIVE));
      assertEquals(
          "3 counted measurement(s), none successful",
          tally(INCONCLUSIVE, ERROR, INCONCLUSIVE, INCONCLUSIVE).explain(metric));
    }

    /** The bug of issue 15: interval and no count measured once and stopped watching. */
    @Test
    void anIntervalWithoutCountKeepsMeasuringUntilALimitDecides() {
      Metric background = metric("m").success("true").failureLimit(1).build();
      MeasurementPhase[] good = new MeasurementPhase[100];
      Arrays.fill(good, SUCCESSFUL);
      assertEquals(MetricPhase.RUNNING, after(background, good));
      MetricTally.Decision decision = tally(good).decide(background, false);
      assertEquals(
          "100 measurement(s) counted; measuring until a limit decides or the run is stopped",
          decision.explanation());
      assertEquals(MetricPhase.RUNNING, tally(good).add(FAILED).phase(background));
      assertEquals(MetricPhase.FAILED, tally(good).add(FAILED).add(FAILED).phase(background));
      assertEquals(MetricPhase.SUCCESSFUL, tally(good).decide(background, true).phase());
      assertEquals(MetricTally.Rule.STOPPED, tally(good).decide(background, true).rule());
    }
  }

  @Test
  void runVerdict() {
    Verdicts.MetricOutcome ok = new Verdicts.MetricOutcome(MetricPhase.SUCCESSFUL, false);
    Verdicts.MetricOutcome running = new Verdicts.MetricOutcome(MetricPhase.RUNNING, false);
    Verdicts.MetricOutcome failed = new Verdicts.MetricOutcome(MetricPhase.FAILED, false);
    Verdicts.MetricOutcome error = new Verdicts.MetricOutcome(MetricPhase.ERROR, false);
    Verdicts.MetricOutcome inconclusive =
        new Verdicts.MetricOutcome(MetricPhase.INCONCLUSIVE, false);
    Verdicts.MetricOutcome dryFailed = new Verdicts.MetricOutcome(MetricPhase.FAILED, true);
    Verdicts.MetricOutcome dryRunning = new Verdicts.MetricOutcome(MetricPhase.RUNNING, true);
    // analysis_test.go TestAssessRunStatus: one running metric keeps the run running; the worst
    // completed metric decides
    assertEquals(AnalysisVerdict.SUCCESSFUL, Verdicts.combine(List.of(ok, ok)));
    assertEquals(AnalysisVerdict.RUNNING, Verdicts.combine(List.of(ok, running)));
    assertEquals(AnalysisVerdict.FAILED, Verdicts.combine(List.of(ok, failed)));
    // a failure decides at once, even while another metric runs (Argo terminates the siblings)
    assertEquals(AnalysisVerdict.FAILED, Verdicts.combine(List.of(error, running, failed)));
    assertEquals(AnalysisVerdict.ERROR, Verdicts.combine(List.of(inconclusive, error, running)));
    assertEquals(AnalysisVerdict.INCONCLUSIVE, Verdicts.combine(List.of(ok, inconclusive)));
    // TestAssessRunStatusWithOnlyDryRunMetrics / WithMixedMetrics: dry runs never decide
    assertEquals(AnalysisVerdict.SUCCESSFUL, Verdicts.combine(List.of(ok, dryFailed)));
    assertEquals(AnalysisVerdict.RUNNING, Verdicts.combine(List.of(ok, dryRunning)));
  }
}
