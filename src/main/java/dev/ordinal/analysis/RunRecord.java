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
   * @param limits what the metric was measured under; null in records from before it was kept
   * @param decision the metric's phase and the rule that decided it; null in older records
   */
  public record MetricRecord(
      String template,
      String metric,
      MetricTally tally,
      List<Measurement> recent,
      Instant nextMeasurementAt,
      Limits limits,
      MetricTally.Decision decision) {
    public MetricRecord {
      recent = List.copyOf(recent);
    }

    /** A record without limits or decision. */
    public MetricRecord(
        String template,
        String metric,
        MetricTally tally,
        List<Measurement> recent,
        Instant nextMeasurementAt) {
      this(template, metric, tally, recent, nextMeasurementAt, null, null);
    }
  }
}
