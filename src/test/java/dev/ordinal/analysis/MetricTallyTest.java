package dev.ordinal.analysis;

import static dev.ordinal.analysis.MeasurementPhase.ERROR;
import static dev.ordinal.analysis.MeasurementPhase.FAILED;
import static dev.ordinal.analysis.MeasurementPhase.INCONCLUSIVE;
import static dev.ordinal.analysis.MeasurementPhase.SUCCESSFUL;
import static dev.ordinal.analysis.TestTemplates.metric;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.manifest.AnalysisTemplate.Metric;
import dev.ordinal.rollout.AnalysisVerdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricTallyTest {
  private static MetricPhase after(Metric metric, MeasurementPhase... phases) {
    MetricTally tally = MetricTally.EMPTY;
    for (MeasurementPhase phase : phases) {
      tally = tally.add(phase);
    }
    return tally.phase(metric);
  }

  @Test
  void failsOnlyWhenFailuresExceedTheLimit() {
    Metric metric = metric("m").success("true").count(5).failureLimit(1).build();
    assertEquals(MetricPhase.RUNNING, after(metric, FAILED));
    assertEquals(MetricPhase.FAILED, after(metric, FAILED, SUCCESSFUL, FAILED));
    assertEquals("2 failed measurement(s) > failureLimit 1", tally(FAILED, FAILED).explain(metric));
  }

  @Test
  void inconclusiveWhenInconclusivesExceedTheLimit() {
    Metric metric = metric("m").success("true").count(5).inconclusiveLimit(1).build();
    assertEquals(MetricPhase.RUNNING, after(metric, INCONCLUSIVE));
    assertEquals(MetricPhase.INCONCLUSIVE, after(metric, INCONCLUSIVE, INCONCLUSIVE));
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
  void successfulAfterCountWithinLimits() {
    Metric metric = metric("m").success("true").count(3).failureLimit(1).build();
    assertEquals(MetricPhase.RUNNING, after(metric, SUCCESSFUL, SUCCESSFUL));
    assertEquals(MetricPhase.SUCCESSFUL, after(metric, SUCCESSFUL, FAILED, SUCCESSFUL));
  }

  @Test
  void withoutCountOneMeasurementDecides() {
    Metric metric = metric("m").success("true").build();
    assertEquals(MetricPhase.SUCCESSFUL, after(metric, SUCCESSFUL));
    assertEquals(MetricPhase.FAILED, after(metric, FAILED));
  }

  @Test
  void toleratedMissingDataAloneNeverPasses() {
    Metric metric =
        metric("m").success("true").count(3).inconclusiveLimit(5).consecutiveErrorLimit(5).build();
    assertEquals(MetricPhase.RUNNING, after(metric, INCONCLUSIVE, ERROR, INCONCLUSIVE));
    assertEquals(
        MetricPhase.INCONCLUSIVE, after(metric, INCONCLUSIVE, ERROR, INCONCLUSIVE, INCONCLUSIVE));
    assertEquals(
        "3 counted measurement(s), none successful",
        tally(INCONCLUSIVE, ERROR, INCONCLUSIVE, INCONCLUSIVE).explain(metric));
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
    assertEquals(AnalysisVerdict.SUCCESSFUL, Verdicts.combine(List.of(ok, ok)));
    assertEquals(AnalysisVerdict.RUNNING, Verdicts.combine(List.of(ok, running)));
    assertEquals(AnalysisVerdict.FAILED, Verdicts.combine(List.of(error, running, failed)));
    assertEquals(AnalysisVerdict.ERROR, Verdicts.combine(List.of(inconclusive, error, running)));
    assertEquals(AnalysisVerdict.INCONCLUSIVE, Verdicts.combine(List.of(ok, inconclusive)));
    assertEquals(AnalysisVerdict.SUCCESSFUL, Verdicts.combine(List.of(ok, dryFailed)));
    assertEquals(AnalysisVerdict.RUNNING, Verdicts.combine(List.of(ok, dryRunning)));
  }

  private static MetricTally tally(MeasurementPhase... phases) {
    MetricTally tally = MetricTally.EMPTY;
    for (MeasurementPhase phase : phases) {
      tally = tally.add(phase);
    }
    return tally;
  }
}
