package dev.ordinal.rollout;

/**
 * Where a rollout's target came from: the Ordinal app whose Git repository holds it and the commit
 * that changed the pod template. Either is empty when unknown (another tool applied it).
 */
public record RolloutSource(String app, String commit) {
  public static final RolloutSource UNKNOWN = new RolloutSource("", "");

  public RolloutSource {
    app = app == null ? "" : app;
    commit = commit == null ? "" : commit;
  }

  public boolean isKnown() {
    return !app.isEmpty() || !commit.isEmpty();
  }
}
