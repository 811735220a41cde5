package dev.ordinal.rollout;

import java.util.Objects;

/**
 * A summary of one decision, for a Kubernetes Event and the decision's log line.
 *
 * @param reason a CamelCase machine-readable reason such as {@code StepCompleted}
 */
public record RolloutEvent(Type type, String reason, String message) {
  /** Kubernetes Event types. */
  public enum Type {
    NORMAL("Normal"),
    WARNING("Warning");

    private final String displayName;

    Type(String displayName) {
      this.displayName = displayName;
    }

    public String displayName() {
      return displayName;
    }
  }

  public RolloutEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  static RolloutEvent normal(String reason, String message) {
    return new RolloutEvent(Type.NORMAL, reason, message);
  }

  static RolloutEvent warning(String reason, String message) {
    return new RolloutEvent(Type.WARNING, reason, message);
  }
}
