package dev.ordinal.manifest;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.Map;

/**
 * Maps apiVersion and kind to a typed fabric8 model class. A fixed table, rather than fabric8's
 * classpath scan behind {@code Serialization}, keeps start-up and the hot path cheap.
 */
final class KubernetesKinds {

  private static final Map<String, Class<? extends HasMetadata>> CLASSES =
      Map.ofEntries(
          entry("v1", "ConfigMap", ConfigMap.class),
          entry("v1", "Secret", Secret.class),
          entry("v1", "Service", Service.class),
          entry("v1", "ServiceAccount", ServiceAccount.class),
          entry("v1", "PersistentVolumeClaim", PersistentVolumeClaim.class),
          entry("v1", "Namespace", Namespace.class),
          entry("v1", "LimitRange", LimitRange.class),
          entry("v1", "ResourceQuota", ResourceQuota.class),
          entry("apps/v1", "StatefulSet", StatefulSet.class),
          entry("apps/v1", "Deployment", Deployment.class),
          entry("apps/v1", "DaemonSet", DaemonSet.class),
          entry("batch/v1", "Job", Job.class),
          entry("batch/v1", "CronJob", CronJob.class),
          entry("policy/v1", "PodDisruptionBudget", PodDisruptionBudget.class),
          entry("networking.k8s.io/v1", "Ingress", Ingress.class),
          entry("networking.k8s.io/v1", "NetworkPolicy", NetworkPolicy.class),
          entry("rbac.authorization.k8s.io/v1", "Role", Role.class),
          entry("rbac.authorization.k8s.io/v1", "RoleBinding", RoleBinding.class),
          entry("rbac.authorization.k8s.io/v1", "ClusterRole", ClusterRole.class),
          entry("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", ClusterRoleBinding.class));

  private KubernetesKinds() {}

  private static Map.Entry<String, Class<? extends HasMetadata>> entry(
      String apiVersion, String kind, Class<? extends HasMetadata> type) {
    return Map.entry(apiVersion + "|" + kind, type);
  }

  /**
   * The typed class for {@code apiVersion}/{@code kind}, else {@link GenericKubernetesResource}.
   */
  static Class<? extends HasMetadata> classFor(String apiVersion, String kind) {
    return CLASSES.getOrDefault(apiVersion + "|" + kind, GenericKubernetesResource.class);
  }

  /** The API group of an apiVersion: "" for the core group ("v1"). */
  static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }
}
