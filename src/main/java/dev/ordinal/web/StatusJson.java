package dev.ordinal.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ordinal.git.RepoUrl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The JSON that {@code /status} serves: this instance's role, each app's Git and sync state and
 * recent syncs, and each rollout (see {@link RolloutJson}). Never credentials: URLs are redacted
 * where they are made, and every message is passed through {@link RepoUrl#redactText} once more
 * here, so that a URL with user-info that some error echoed cannot reach this page. Never stack
 * traces: only messages. Never values of Secrets: the manifest loader does not put them into its
 * messages.
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
    git.put("url", RepoUrl.redact(s.git().url()));
    git.put("ref", s.git().ref());
    git.put("lastGoodCommit", s.git().lastGoodCommit().orElse(null));
    git.put("lastError", s.git().lastError().map(RepoUrl::redactText).orElse(null));
    git.put("lastAttempt", String.valueOf(s.git().lastAttempt()));
    git.put("consecutiveFailures", s.git().consecutiveFailures());
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("app", s.app());
    app.put("git", git);
    app.put("lastAppliedRevision", s.lastAppliedRevision().orElse(null));
    app.put("lastSyncResult", s.lastSyncResult().orElse(null));
    app.put("lastSyncDetail", s.lastSyncDetail().map(RepoUrl::redactText).orElse(null));
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
                        "message", RepoUrl.redactText(d.message())))
            .toList());
    return app;
  }
}
