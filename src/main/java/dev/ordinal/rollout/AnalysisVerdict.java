package dev.ordinal.rollout;

/** What the external analysis runner reports for one run id. */
public enum AnalysisVerdict {
  RUNNING,
  SUCCESSFUL,
  FAILED,
  INCONCLUSIVE,
  ERROR;

  /**
   * FAILED and ERROR both roll back: an analysis that cannot measure must not let a rollout pass.
   */
  public boolean failed() {
    return this == FAILED || this == ERROR;
  }
}
