package dev.ordinal.rollout;

/** The {@code ordinal.dev/rollout-state} annotation is not a state this version can read. */
public final class RolloutStateFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RolloutStateFormatException(String message) {
    super(message);
  }

  public RolloutStateFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
