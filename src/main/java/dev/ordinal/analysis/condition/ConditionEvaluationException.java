package dev.ordinal.analysis.condition;

/** A condition that parsed but does not fit the data it was given; the measurement is an Error. */
public class ConditionEvaluationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConditionEvaluationException(String message) {
    super(message);
  }

  /**
   * An index past the values there are: an error of this result, not of the condition, since
   * another result (more series, more points) may have them.
   */
  static final class OutOfRange extends ConditionEvaluationException {
    private static final long serialVersionUID = 1L;

    OutOfRange(String message) {
      super(message);
    }
  }
}
