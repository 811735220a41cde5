package dev.ordinal.analysis;

/**
 * A run that cannot start: unknown template, missing argument, unparseable condition. The run's
 * verdict is ERROR with this message — an analysis that cannot measure must not let a rollout pass.
 */
public final class AnalysisSetupException extends Exception {
  public AnalysisSetupException(String message) {
    super(message);
  }
}
