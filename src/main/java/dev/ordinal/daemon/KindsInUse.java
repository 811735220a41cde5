package dev.ordinal.daemon;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The kinds an app's objects may have in the cluster, for finding what left Git (pruning). */
final class KindsInUse {
  /**
   * Searched for pruning besides the kinds still in Git: an object whose whole kind left Git must
   * still be found. Kinds outside this list are found only while some object of the kind remains.
   */
  private static final Map<String, List<String>> COMMON_KINDS =
      Map.of(
          "v1",
              List.of("ConfigMap", "Secret", "Service", "ServiceAccount", "PersistentVolumeClaim"),
          "apps/v1", List.of("StatefulSet", "Deployment", "DaemonSet"),
          "rbac.authorization.k8s.io/v1", List.of("Role", "RoleBinding"),
          "policy/v1", List.of("PodDisruptionBudget"),
          "networking.k8s.io/v1", List.of("NetworkPolicy", "Ingress"),
          "batch/v1", List.of("Job", "CronJob"),
          "autoscaling/v2", List.of("HorizontalPodAutoscaler"));

  private KindsInUse() {}

  /** apiVersion → kinds of the objects plus the common kinds. */
  static Map<String, Set<String>> of(Collection<? extends HasMetadata> objects) {
    Map<String, Set<String>> kinds = new LinkedHashMap<>();
    COMMON_KINDS.forEach(
        (apiVersion, names) ->
            kinds.computeIfAbsent(apiVersion, k -> new TreeSet<>()).addAll(names));
    for (HasMetadata o : objects) {
      kinds.computeIfAbsent(o.getApiVersion(), k -> new TreeSet<>()).add(o.getKind());
    }
    return kinds;
  }
}
