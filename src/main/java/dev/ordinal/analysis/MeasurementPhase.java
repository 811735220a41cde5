package dev.ordinal.analysis;

/** The outcome of one measurement of one metric. */
public enum MeasurementPhase {
  SUCCESSFUL,
  FAILED,
  INCONCLUSIVE,
  ERROR
}
