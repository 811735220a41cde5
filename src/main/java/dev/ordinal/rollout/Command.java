package dev.ordinal.rollout;

import java.util.Locale;
import java.util.Optional;

/**
 * A user command read from the StatefulSet's annotations. Declared in the order the engine handles
 * them when several are present at once: one command per decision, so the safest goes first.
 */
public enum Command {
  ABORT,
  /** Restore the canary pods' volumes from the backup whose id is the annotation's value. */
  RESTORE,
  RETRY,
  PAUSE,
  RESUME,
  PROMOTE_FULL,
  PROMOTE,
  /** Take a backup now, outside a rollout. */
  BACKUP;

  /** The spelling users type: {@code promote-full}. */
  public String displayName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses the user spelling ({@code promote-full}) or the constant name. */
  public static Optional<Command> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Command c : values()) {
      if (c.name().equals(normalized)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
