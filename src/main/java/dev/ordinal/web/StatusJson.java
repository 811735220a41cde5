package dev.ordinal.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON that {@code /status} serves: each app's Git and sync state; never credentials. */
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
    return app;
  }
}
