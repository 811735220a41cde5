package dev.ordinal.rollout;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a rollout's target came from: the Ordinal app whose Git repository holds it and the commit
 * that changed the pod template. Either is empty when unknown (another tool applied it).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RolloutSource(String app, String commit) {
  public static final RolloutSource UNKNOWN = new RolloutSource("", "");

  public RolloutSource {
    app = app == null ? "" : app;
    commit = commit == null ? "" : commit;
  }

  @JsonIgnore
  public boolean isKnown() {
    return !app.isEmpty() || !commit.isEmpty();
  }
}
