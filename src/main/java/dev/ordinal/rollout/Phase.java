package dev.ordinal.rollout;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** The rollout phase shown to users, named as in Argo Rollouts. */
public enum Phase {
  /** The target revision runs everywhere; nothing to do. */
  HEALTHY("Healthy"),
  /** Moving pods or waiting for analysis. */
  PROGRESSING("Progressing"),
  /** Held at a step: a pause, a manual gate, an inconclusive analysis or a user pause. */
  PAUSED("Paused"),
  /** A rollback is restoring pods to the stable revision (or cannot, for OnDelete). */
  DEGRADED("Degraded"),
  /** Rolled back: all pods on the stable revision, the target remembered as failed. */
  ROLLED_BACK("RolledBack");

  private final String displayName;

  Phase(String displayName) {
    this.displayName = displayName;
  }

  @JsonValue
  public String displayName() {
    return displayName;
  }

  /** Whether a rollout is running steps, so step commands (promote, pause, abort) apply. */
  public boolean stepping() {
    return this == PROGRESSING || this == PAUSED;
  }

  @JsonCreator
  static Phase fromJson(String name) {
    return fromDisplayName(name)
        .orElseThrow(() -> new IllegalArgumentException("unknown phase '" + name + "'"));
  }

  /** The phase with this display name. */
  public static Optional<Phase> fromDisplayName(String name) {
    for (Phase p : values()) {
      if (p.displayName.equals(name)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
