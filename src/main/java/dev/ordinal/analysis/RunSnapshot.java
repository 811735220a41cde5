package dev.ordinal.analysis;

import dev.ordinal.rollout.AnalysisVerdict;
import java.time.Instant;
import java.util.List;

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
   * and its last measurements, oldest first.
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
      List<Measurement> recent) {
    public MetricSnapshot {
      recent = List.copyOf(recent);
    }
  }
}
