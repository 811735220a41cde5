package dev.ordinal.analysis;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.rollout.AnalysisRef;
import java.time.Instant;
import java.util.List;

/**
 * What a run needs to continue after a restart. Templates are stored by reference and looked up
 * again on resume; the counts and recent measurements are the run's memory.
 *
 * @param setupError why the run could not start, or null
 * @param metrics per metric, in template order
 */
public record RunRecord(
    String runId,
    List<AnalysisRef> templates,
    RolloutContext context,
    Instant startedAt,
    boolean stopped,
    String setupError,
    List<MetricRecord> metrics) {

  public RunRecord {
    templates = List.copyOf(templates);
    metrics = List.copyOf(metrics);
  }

  /**
   * @param nextMeasurementAt when the next measurement is due, or null when the metric is done
   */
  public record MetricRecord(
      String template,
      String metric,
      MetricTally tally,
      List<Measurement> recent,
      Instant nextMeasurementAt) {
    public MetricRecord {
      recent = List.copyOf(recent);
    }
  }
}
