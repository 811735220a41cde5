package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.Limits;
import dev.ordinal.analysis.Measurement;
import dev.ordinal.analysis.MeasurementPhase;
import dev.ordinal.analysis.MetricPhase;
import dev.ordinal.analysis.MetricTally;
import dev.ordinal.analysis.RunRecord;
import dev.ordinal.rollout.AnalysisRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasurementsViewTest {
  private static final Instant T = Instant.parse("2026-11-25T13:00:00Z");

  @Test
  void showsTheTallyAndRecentValuesOfThisStatefulSetsRunsOnly() {
    MetricTally tally =
        MetricTally.EMPTY.add(MeasurementPhase.SUCCESSFUL).add(MeasurementPhase.FAILED);
    RunRecord mine =
        new RunRecord(
            "db-7c9f/r1/step-2",
            List.of(new AnalysisRef("error-rate", Map.of())),
            new RolloutContext("prod", "db", "db-7c9f", "db-5b8d", List.of("db-2")),
            T,
            false,
            null,
            List.of(
                new RunRecord.MetricRecord(
                    "error-rate",
                    "errors",
                    tally,
                    List.of(
                        new Measurement(T, MeasurementPhase.SUCCESSFUL, "[0.01]", ""),
                        new Measurement(T.plusSeconds(30), MeasurementPhase.FAILED, "[0.2]", "")),
                    null)));
    RunRecord other =
        new RunRecord(
            "web-1/r1/step-1",
            List.of(),
            new RolloutContext("prod", "web", "a", "b", List.of()),
            T,
            false,
            null,
            List.of());

    assertEquals(
        """
        Measurements:
          run db-7c9f/r1/step-2
            error-rate/errors  2 measured: 1 successful, 1 failed, 0 inconclusive, 0 errors
              last: [0.01] successful, [0.2] failed
        """,
        MeasurementsView.render("prod", "db", List.of(mine, other)));
    assertEquals("", MeasurementsView.render("prod", "cache", List.of(mine, other)));
  }

  @Test
  void showsTheLimitsAndWhichLimitDecided() {
    MetricTally tally =
        MetricTally.EMPTY
            .add(MeasurementPhase.SUCCESSFUL)
            .add(MeasurementPhase.FAILED)
            .add(MeasurementPhase.FAILED);
    RunRecord run =
        new RunRecord(
            "db-7c9f/r1/background",
            List.of(new AnalysisRef("error-rate", Map.of())),
            new RolloutContext("prod", "db", "db-7c9f", "db-5b8d", List.of("db-2")),
            T,
            false,
            null,
            List.of(
                new RunRecord.MetricRecord(
                    "error-rate",
                    "errors",
                    tally,
                    List.of(new Measurement(T, MeasurementPhase.FAILED, "[0.2]", "")),
                    null,
                    new Limits(null, 30_000L, 1, -1, 4, 0),
                    new MetricTally.Decision(
                        MetricPhase.FAILED,
                        MetricTally.Rule.FAILURE_LIMIT,
                        "2 failed measurement(s) > failureLimit 1"))));

    assertEquals(
        """
        Measurements:
          run db-7c9f/r1/background
            error-rate/errors  3 measured: 1 successful, 2 failed, 0 inconclusive, 0 errors
              limits: every 30s until a limit decides; failureLimit 1, inconclusiveLimit none, consecutiveErrorLimit 4
              FAILED by failureLimit: 2 failed measurement(s) > failureLimit 1
              last: [0.2] failed
        """,
        MeasurementsView.render("prod", "db", List.of(run)));
  }
}
