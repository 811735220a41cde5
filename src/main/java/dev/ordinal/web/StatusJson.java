package dev.ordinal.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The JSON that {@code /status} serves: this instance's role, each app's Git and sync state and
 * recent syncs, and each rollout (see {@link RolloutJson}); never credentials.
 */
public final class StatusJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private StatusJson() {}

  /** Apps only, as a standby or a test without rollouts shows them. */
  public static String render(List<AppStatus> apps, String role) {
    return render(role, "", apps, app -> List.of(), List.of());
  }

  /** The whole document. */
  static String render(
      String role,
      String generatedAt,
      List<AppStatus> apps,
      Function<String, List<DecisionHistory.Decision>> appDecisions,
      List<Map<String, Object>> rollouts) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("role", role);
    if (!generatedAt.isEmpty()) {
      root.put("generatedAt", generatedAt);
    }
    root.put("apps", apps.stream().map(a -> app(a, appDecisions.apply(a.app()))).toList());
    root.put("rollouts", rollouts);
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings and numbers always serialize", e);
    }
  }

  private static Map<String, Object> app(AppStatus s, List<DecisionHistory.Decision> decisions) {
    Map<String, Object> git = new LinkedHashMap<>();
    git.put("url", s.git().url());
    git.put("ref", s.git().ref());
    git.put("lastGoodCommit", s.git().lastGoodCommit().orElse(null));
    git.put("lastError", s.git().lastError().orElse(null));
    git.put("lastAttempt", String.valueOf(s.git().lastAttempt()));
    git.put("consecutiveFailures", s.git().consecutiveFailures());
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("app", s.app());
    app.put("git", git);
    app.put("lastAppliedRevision", s.lastAppliedRevision().orElse(null));
    app.put("lastSyncResult", s.lastSyncResult().orElse(null));
    app.put("lastSyncDetail", s.lastSyncDetail().orElse(null));
    app.put("lastSyncAt", s.lastSyncAt().map(String::valueOf).orElse(null));
    app.put(
        "syncs",
        decisions.stream()
            .limit(10)
            .map(
                d ->
                    Map.of(
                        "at", d.at().toString(),
                        "result", d.action(),
                        "type", d.type(),
                        "message", d.message()))
            .toList());
    return app;
  }
}
