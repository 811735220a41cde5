package dev.ordinal.manifest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What an apiVersion string says, read one way for the loader, the checks and the planner. */
public final class ApiVersions {

  // One String per API version seen: every plan keys every object by its group, and a new
  // substring per object per plan would be one more String with its hash to compute again.
  private static final Map<String, String> GROUPS = new ConcurrentHashMap<>();

  private ApiVersions() {}

  /**
   * The API group: {@code "apps/v1"} → {@code "apps"}, core {@code "v1"} (or none) → {@code ""}.
   */
  public static String group(String apiVersion) {
    if (apiVersion == null) {
      return "";
    }
    String group = GROUPS.get(apiVersion);
    if (group == null) {
      int slash = apiVersion.indexOf('/');
      group = slash < 0 ? "" : apiVersion.substring(0, slash);
      // The loader asks before it validates: any string a commit puts in apiVersion comes here.
      if (SharedStrings.mayKeep(GROUPS.size(), apiVersion)) {
        GROUPS.putIfAbsent(apiVersion, group);
      }
    }
    return group;
  }
}
