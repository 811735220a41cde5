package dev.ordinal.analysis;

import dev.ordinal.rollout.AnalysisVerdict;
import java.util.Collection;

/**
 * A run's verdict from its metrics: any deciding metric FAILED → FAILED, else ERROR → ERROR, else
 * INCONCLUSIVE → INCONCLUSIVE, else all SUCCESSFUL → SUCCESSFUL, else RUNNING. A failure decides as
 * soon as it happens even while other metrics still run. dryRun metrics never decide; a run made
 * only of dryRun metrics is SUCCESSFUL once they are all done.
 */
public final class Verdicts {
  private Verdicts() {}

  /** A metric's phase and whether it is dryRun. */
  public record MetricOutcome(MetricPhase phase, boolean dryRun) {}

  public static AnalysisVerdict combine(Collection<MetricOutcome> metrics) {
    boolean error = false;
    boolean inconclusive = false;
    boolean running = false;
    for (MetricOutcome metric : metrics) {
      if (metric.dryRun()) {
        running |= !metric.phase().done();
        continue;
      }
      switch (metric.phase()) {
        case FAILED:
          return AnalysisVerdict.FAILED;
        case ERROR:
          error = true;
          break;
        case INCONCLUSIVE:
          inconclusive = true;
          break;
        case RUNNING:
          running = true;
          break;
        default:
          break;
      }
    }
    if (error) {
      return AnalysisVerdict.ERROR;
    }
    if (inconclusive) {
      return AnalysisVerdict.INCONCLUSIVE;
    }
    return running ? AnalysisVerdict.RUNNING : AnalysisVerdict.SUCCESSFUL;
  }
}
