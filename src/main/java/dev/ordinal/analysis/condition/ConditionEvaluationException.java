package dev.ordinal.analysis.condition;

/** A condition that parsed but does not fit the data it was given; the measurement is an Error. */
public final class ConditionEvaluationException extends RuntimeException {
  public ConditionEvaluationException(String message) {
    super(message);
  }
}
