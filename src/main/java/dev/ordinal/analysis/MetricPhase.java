package dev.ordinal.analysis;

/** Where one metric of a run stands after its measurements so far. */
public enum MetricPhase {
  RUNNING,
  SUCCESSFUL,
  FAILED,
  INCONCLUSIVE,
  ERROR;

  public boolean done() {
    return this != RUNNING;
  }
}
