package dev.ordinal.plan;

import dev.ordinal.manifest.ApiVersions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Identity of a Kubernetes object: API group (not version, so that {@code apps/v1} and a later
 * version address the same object), kind, namespace ({@code ""} for cluster-scoped kinds) and name.
 */
public record ObjectKey(String group, String kind, String namespace, String name)
    implements Comparable<ObjectKey> {

  // Without discovery the planner cannot ask the server which kinds are cluster-scoped: these are
  // the built-in ones of Kubernetes 1.35 (ApiServerAgreementIT compares them with the server's
  // discovery) and the CSI snapshot kinds. A desired object of one of them never gets the default
  // namespace.
  private static final Set<String> CLUSTER_SCOPED_KINDS =
      Set.of(
          "Namespace",
          "Node",
          "PersistentVolume",
          "StorageClass",
          "ClusterRole",
          "ClusterRoleBinding",
          "CustomResourceDefinition",
          "PriorityClass",
          "IngressClass",
          "RuntimeClass",
          "CSIDriver",
          "CSINode",
          "VolumeAttachment",
          "APIService",
          "MutatingWebhookConfiguration",
          "ValidatingWebhookConfiguration",
          "ValidatingAdmissionPolicy",
          "ValidatingAdmissionPolicyBinding",
          "VolumeSnapshotClass",
          "VolumeSnapshotContent",
          "ComponentStatus",
          "CertificateSigningRequest",
          "FlowSchema",
          "PriorityLevelConfiguration",
          "IPAddress",
          "ServiceCIDR",
          "DeviceClass",
          "ResourceSlice",
          "VolumeAttributesClass",
          // create-only reviews: never stored, but not namespaced either
          "TokenReview",
          "SelfSubjectReview",
          "SubjectAccessReview",
          "SelfSubjectAccessReview",
          "SelfSubjectRulesReview");

  // The order kubectl/helm create things in: what others depend on goes first.
  private static final List<String> KIND_ORDER =
      List.of(
          "Namespace",
          "CustomResourceDefinition",
          "StorageClass",
          "ServiceAccount",
          "ClusterRole",
          "ClusterRoleBinding",
          "Role",
          "RoleBinding",
          "ConfigMap",
          "Secret",
          "PersistentVolumeClaim",
          "Service",
          "StatefulSet");

  // Every plan sorts all of an app's keys, so the rank is a map lookup, not a list scan.
  private static final Map<String, Integer> KIND_RANK = rankOf(KIND_ORDER);

  public ObjectKey {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /**
   * The key of {@code object}; a namespaced object without a namespace is placed in {@code
   * defaultNamespace}.
   *
   * @throws IllegalArgumentException if the object has no kind or name
   */
  public static ObjectKey of(HasMetadata object, String defaultNamespace) {
    String kind = object.getKind();
    if (kind == null || kind.isEmpty()) {
      throw new IllegalArgumentException("object without kind: " + object);
    }
    if (object.getMetadata() == null || object.getMetadata().getName() == null) {
      throw new IllegalArgumentException(kind + " without metadata.name");
    }
    String namespace = "";
    if (!isClusterScoped(kind)) {
      String declared = object.getMetadata().getNamespace();
      namespace = declared == null || declared.isEmpty() ? defaultNamespace : declared;
    }
    return new ObjectKey(
        ApiVersions.group(object.getApiVersion()), kind, namespace, object.getMetadata().getName());
  }

  /** Whether objects of {@code kind} have no namespace (for kinds without a typed model class). */
  public static boolean isClusterScoped(String kind) {
    return CLUSTER_SCOPED_KINDS.contains(kind);
  }

  public boolean isClusterScoped() {
    return namespace.isEmpty();
  }

  /** {@code prod/db}, or just {@code db} for a cluster-scoped object. */
  public String namespacedName() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }

  /** {@code StatefulSet/prod/db}: used in diff headers. */
  public String path() {
    return kind + "/" + namespacedName();
  }

  /**
   * The apply wave of this object's kind: objects of a lower wave (Namespaces, then
   * CustomResourceDefinitions, StorageClasses, ServiceAccounts, RBAC, ConfigMaps and Secrets,
   * claims, Services, StatefulSets, then every other kind) are applied before those of a higher
   * one, and objects of one wave may be applied at once.
   */
  public int applyWave() {
    return kindRank();
  }

  private int kindRank() {
    return KIND_RANK.getOrDefault(kind, KIND_ORDER.size());
  }

  // Written out: a record's own equals and hashCode go through method handles, which a cold
  // process runs slowly until compiled, and a plan of 10,000 objects calls them about 100,000
  // times.
  @Override
  public boolean equals(Object other) {
    return other instanceof ObjectKey that
        && Objects.equals(name, that.name)
        && Objects.equals(namespace, that.namespace)
        && Objects.equals(kind, that.kind)
        && Objects.equals(group, that.group);
  }

  @Override
  public int hashCode() {
    int hash = Objects.hashCode(group);
    hash = 31 * hash + Objects.hashCode(kind);
    hash = 31 * hash + Objects.hashCode(namespace);
    return 31 * hash + Objects.hashCode(name);
  }

  /**
   * Apply order: by kind as kubectl applies them (then kind, group), then namespace, then name.
   * Written out rather than chained from {@code Comparator}s: it runs N log N times per plan.
   */
  @Override
  public int compareTo(ObjectKey other) {
    if (this == other) {
      return 0;
    }
    if (!kind.equals(other.kind)) {
      int byRank = Integer.compare(kindRank(), other.kindRank());
      if (byRank != 0) {
        return byRank;
      }
      return kind.compareTo(other.kind);
    }
    int byGroup = group.compareTo(other.group);
    if (byGroup != 0) {
      return byGroup;
    }
    int byNamespace = namespace.compareTo(other.namespace);
    return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
  }

  private static Map<String, Integer> rankOf(List<String> kinds) {
    Map<String, Integer> ranks = new HashMap<>();
    for (int i = 0; i < kinds.size(); i++) {
      ranks.put(kinds.get(i), i);
    }
    return Map.copyOf(ranks);
  }

  @Override
  public String toString() {
    return kind + " " + namespacedName();
  }
}
