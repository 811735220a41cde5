package dev.ordinal.daemon;

import dev.ordinal.plan.AppBoundary;
import dev.ordinal.plan.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The kinds an app's objects may have in the cluster, for finding what left Git (pruning). */
final class KindsInUse {
  /**
   * The version Ordinal lists a group's kinds at when no object in Git says: the served stable
   * version of every group the default boundary allows. A kind the operator allows in another group
   * is found only while some object of it remains in Git.
   */
  private static final Map<String, String> LISTED_VERSION =
      Map.of(
          "", "v1",
          "apps", "apps/v1",
          "batch", "batch/v1",
          "policy", "policy/v1",
          "networking.k8s.io", "networking.k8s.io/v1",
          "autoscaling", "autoscaling/v2",
          "rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1");

  private KindsInUse() {}

  /**
   * apiVersion → kinds to search: every namespaced kind the boundary allows (an object whose whole
   * kind left Git must still be found) plus the kinds of the objects. Exactly the kinds the
   * generated RBAC lets Ordinal list, and no other.
   */
  static Map<String, Set<String>> of(
      AppBoundary boundary, Collection<? extends HasMetadata> objects) {
    Map<String, Set<String>> kinds = new LinkedHashMap<>();
    for (String kind : new TreeSet<>(boundary.kinds())) {
      int slash = kind.indexOf('/');
      String group = slash < 0 ? "" : kind.substring(0, slash);
      String name = kind.substring(slash + 1);
      String version = LISTED_VERSION.get(group);
      if (version != null && !ObjectKey.isClusterScoped(name)) {
        kinds.computeIfAbsent(version, k -> new TreeSet<>()).add(name);
      }
    }
    for (HasMetadata o : objects) {
      kinds.computeIfAbsent(o.getApiVersion(), k -> new TreeSet<>()).add(o.getKind());
    }
    return kinds;
  }
}
