package dev.ordinal.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ordinal.git.RepoUrl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON that {@code /status} serves: each app's Git and sync state. Never credentials: URLs are
 * redacted where they are made, and every message is passed through {@link RepoUrl#redactText} once
 * more here, so that a URL with user-info that some error echoed cannot reach this page. Never
 * stack traces: only messages. Never values of Secrets: the manifest loader does not put them into
 * its messages.
 */
public final class StatusJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private StatusJson() {}

  public static String render(List<AppStatus> apps, String role) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("role", role);
    root.put("apps", apps.stream().map(StatusJson::app).toList());
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings always serialize", e);
    }
  }

  private static Map<String, Object> app(AppStatus s) {
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
    return app;
  }
}
