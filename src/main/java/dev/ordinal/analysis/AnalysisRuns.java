package dev.ordinal.analysis;

import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import java.util.List;
import java.util.Optional;

/**
 * The port through which the rollout executor starts analysis runs and reads their verdicts. Run
 * ids come from the rollout engine; every method is idempotent by run id.
 */
public interface AnalysisRuns {
  /** Starts the run unless one with this id already exists. */
  void start(String runId, List<AnalysisRef> templates, RolloutContext context);

  /** The run's verdict: RUNNING while it has no result; empty when no such run is known. */
  Optional<AnalysisVerdict> verdict(String runId);

  /**
   * The run's verdict with, when it is FAILED or ERROR, the metrics that failed or erred, as {@code
   * template/metric} in the run's order (dry-run metrics left out): what a rollback names as its
   * cause, read together with the verdict so that the two agree. Empty when no such run is known.
   */
  default Optional<RunOutcome> outcome(String runId) {
    return verdict(runId).map(verdict -> new RunOutcome(verdict, List.of()));
  }

  /**
   * A verdict and the metrics that decided it (empty unless FAILED or ERROR, and for a setup error
   * that no metric caused).
   */
  record RunOutcome(AnalysisVerdict verdict, List<String> failedMetrics) {
    public RunOutcome {
      failedMetrics = List.copyOf(failedMetrics);
    }
  }

  /** Stops the run if it is running; a no-op otherwise. */
  void stop(String runId);

  /**
   * What a query or condition may refer to as {@code {{rollout.*}}}.
   *
   * @param canaryPods the pods on the canary revision
   * @param stablePods the pods on the stable revision, for comparing the canary with a baseline
   */
  record RolloutContext(
      String namespace,
      String statefulSet,
      String canaryRevision,
      String stableRevision,
      List<String> canaryPods,
      List<String> stablePods) {

    public RolloutContext {
      // records written before stablePods existed read back with null
      canaryPods = canaryPods == null ? List.of() : List.copyOf(canaryPods);
      stablePods = stablePods == null ? List.of() : List.copyOf(stablePods);
    }

    /** A context without stable pods. */
    public RolloutContext(
        String namespace,
        String statefulSet,
        String canaryRevision,
        String stableRevision,
        List<String> canaryPods) {
      this(namespace, statefulSet, canaryRevision, stableRevision, canaryPods, List.of());
    }
  }
}
