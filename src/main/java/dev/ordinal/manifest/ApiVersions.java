package dev.ordinal.manifest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What an apiVersion string says, read one way for the loader, the checks and the planner. */
public final class ApiVersions {

  // One String per API version seen: every plan keys every object by its group, and a new
  // substring per object per plan would be one more String with its hash to compute again.
  private static final Map<String, String> GROUPS = new ConcurrentHashMap<>();

  // Bounded by the API versions in use; a repository of made-up versions is refused long before
  // it could grow this much, and past it a group is still right, only not shared.
  private static final int MAX_REMEMBERED = 1024;

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
      if (GROUPS.size() < MAX_REMEMBERED) {
        GROUPS.putIfAbsent(apiVersion, group);
      }
    }
    return group;
  }
}
