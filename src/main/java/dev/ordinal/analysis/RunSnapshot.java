package dev.ordinal.analysis;

import dev.ordinal.rollout.AnalysisVerdict;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A run as {@code ordinal status} shows it.
 *
 * @param message why the run could not start, or empty
 */
public record RunSnapshot(
    String runId,
    AnalysisVerdict verdict,
    Instant startedAt,
    boolean stopped,
    String message,
    List<MetricSnapshot> metrics) {

  public RunSnapshot {
    metrics = List.copyOf(metrics);
  }

  /**
   * One metric: its phase, the rule that decided it and why (counts against limits), its limits,
   * its last measurements, oldest first, and its conditions with the numbers they compare the
   * result with (what the status page draws as lines).
   */
  public record MetricSnapshot(
      String template,
      String metric,
      String query,
      boolean dryRun,
      MetricPhase phase,
      MetricTally.Rule decidedBy,
      String explanation,
      Limits limits,
      MetricTally tally,
      List<Measurement> recent,
      Optional<String> successCondition,
      Optional<String> failureCondition,
      List<Threshold> thresholds) {
    public MetricSnapshot {
      recent = List.copyOf(recent);
      thresholds = List.copyOf(thresholds);
    }
  }

  /**
   * A number a condition compares the result with.
   *
   * @param failure whether it is the failureCondition's (else the successCondition's)
   * @param op the comparison with the result on the left, such as {@code <}
   */
  public record Threshold(boolean failure, String op, double value) {}
}
