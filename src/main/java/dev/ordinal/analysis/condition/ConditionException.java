package dev.ordinal.analysis.condition;

/**
 * A condition that cannot be parsed. {@link #column()} is 1-based so the message can point at the
 * character a person has to fix.
 */
public final class ConditionException extends RuntimeException {
  private final int column;

  public ConditionException(String problem, int column) {
    this(problem + " at column " + column, column, true);
  }

  private ConditionException(String message, int column, boolean unused) {
    super(message);
    this.column = column;
  }

  /** A blank condition has no column worth naming. */
  static ConditionException blank() {
    return new ConditionException("must not be blank", 1, true);
  }

  public int column() {
    return column;
  }
}
