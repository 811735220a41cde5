package dev.ordinal.manifest;

import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.ComponentStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authorization.v1.LocalSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.flowcontrol.v1.FlowSchema;
import io.fabric8.kubernetes.api.model.flowcontrol.v1.PriorityLevelConfiguration;
import io.fabric8.kubernetes.api.model.networking.v1.IPAddress;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceClass;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceClaim;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplate;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.storage.CSIDriver;
import io.fabric8.kubernetes.api.model.storage.CSINode;
import io.fabric8.kubernetes.api.model.storage.CSIStorageCapacity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.api.model.storage.VolumeAttributesClass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The kinds a Kubernetes 1.35 API server serves by default, each with its typed fabric8 model
 * class, and the API versions that were removed. A fixed table, rather than fabric8's classpath
 * scan behind {@code Serialization}, keeps start-up and the hot path cheap; an integration test
 * holds it to the real API server's discovery.
 */
final class KubernetesKinds {

  /** The Kubernetes version whose APIs this table describes. */
  static final String KUBERNETES_VERSION = "1.35";

  private static final Map<String, Map<String, Class<? extends HasMetadata>>> SERVED =
      new LinkedHashMap<>();

  static {
    served(
        "v1",
        Binding.class,
        ComponentStatus.class,
        ConfigMap.class,
        Endpoints.class,
        Event.class,
        LimitRange.class,
        Namespace.class,
        Node.class,
        PersistentVolume.class,
        PersistentVolumeClaim.class,
        Pod.class,
        PodTemplate.class,
        ReplicationController.class,
        ResourceQuota.class,
        Secret.class,
        Service.class,
        ServiceAccount.class);
    served(
        "admissionregistration.k8s.io/v1",
        MutatingWebhookConfiguration.class,
        ValidatingAdmissionPolicy.class,
        ValidatingAdmissionPolicyBinding.class,
        ValidatingWebhookConfiguration.class);
    served("apiextensions.k8s.io/v1", CustomResourceDefinition.class);
    served("apiregistration.k8s.io/v1", APIService.class);
    served(
        "apps/v1",
        ControllerRevision.class,
        DaemonSet.class,
        Deployment.class,
        ReplicaSet.class,
        StatefulSet.class);
    served("authentication.k8s.io/v1", SelfSubjectReview.class, TokenReview.class);
    served(
        "authorization.k8s.io/v1",
        LocalSubjectAccessReview.class,
        SelfSubjectAccessReview.class,
        SelfSubjectRulesReview.class,
        SubjectAccessReview.class);
    // Two classes share the names HorizontalPodAutoscaler and Event; the older ones are spelled
    // out.
    served(
        "autoscaling/v1",
        io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler.class);
    served("autoscaling/v2", HorizontalPodAutoscaler.class);
    served("batch/v1", CronJob.class, Job.class);
    served("certificates.k8s.io/v1", CertificateSigningRequest.class);
    served("coordination.k8s.io/v1", Lease.class);
    served("discovery.k8s.io/v1", EndpointSlice.class);
    served("events.k8s.io/v1", io.fabric8.kubernetes.api.model.events.v1.Event.class);
    served("flowcontrol.apiserver.k8s.io/v1", FlowSchema.class, PriorityLevelConfiguration.class);
    served(
        "networking.k8s.io/v1",
        IPAddress.class,
        Ingress.class,
        IngressClass.class,
        NetworkPolicy.class,
        ServiceCIDR.class);
    served("node.k8s.io/v1", RuntimeClass.class);
    served("policy/v1", PodDisruptionBudget.class);
    served(
        "rbac.authorization.k8s.io/v1",
        ClusterRole.class,
        ClusterRoleBinding.class,
        Role.class,
        RoleBinding.class);
    served(
        "resource.k8s.io/v1",
        DeviceClass.class,
        ResourceClaim.class,
        ResourceClaimTemplate.class,
        ResourceSlice.class);
    served("scheduling.k8s.io/v1", PriorityClass.class);
    served(
        "storage.k8s.io/v1",
        CSIDriver.class,
        CSINode.class,
        CSIStorageCapacity.class,
        StorageClass.class,
        VolumeAttachment.class,
        VolumeAttributesClass.class);
  }

  /**
   * Alpha and beta versions that exist in Kubernetes 1.35 but are off unless a cluster enables them
   * (the API server's {@code --runtime-config}).
   */
  private static final Set<String> OFF_BY_DEFAULT =
      Set.of(
          "admissionregistration.k8s.io/v1alpha1",
          "admissionregistration.k8s.io/v1beta1",
          "authentication.k8s.io/v1alpha1",
          "authentication.k8s.io/v1beta1",
          "certificates.k8s.io/v1alpha1",
          "certificates.k8s.io/v1beta1",
          "coordination.k8s.io/v1alpha2",
          "coordination.k8s.io/v1beta1",
          "internal.apiserver.k8s.io/v1alpha1",
          "networking.k8s.io/v1beta1",
          "resource.k8s.io/v1alpha3",
          "resource.k8s.io/v1beta1",
          "resource.k8s.io/v1beta2",
          "scheduling.k8s.io/v1alpha1",
          "storage.k8s.io/v1alpha1",
          "storage.k8s.io/v1beta1",
          "storagemigration.k8s.io/v1beta1");

  /** A kind's API version that Kubernetes no longer serves, and what to use instead. */
  record Removal(String removedIn, String replacement, String hint) {}

  private static final Map<String, Removal> REMOVED = new LinkedHashMap<>();

  static {
    String selector = "apps/v1 also requires spec.selector, matching the template's labels";
    for (String kind : List.of("Deployment", "DaemonSet", "ReplicaSet")) {
      removed("extensions/v1beta1", kind, "1.16", "apps/v1", selector);
      removed("apps/v1beta2", kind, "1.16", "apps/v1", selector);
    }
    for (String kind : List.of("Deployment", "StatefulSet")) {
      removed("apps/v1beta1", kind, "1.16", "apps/v1", selector);
    }
    removed("apps/v1beta2", "StatefulSet", "1.16", "apps/v1", selector);
    removed("apps/v1beta1", "ControllerRevision", "1.16", "apps/v1", "");
    removed("apps/v1beta2", "ControllerRevision", "1.16", "apps/v1", "");
    removed("extensions/v1beta1", "NetworkPolicy", "1.16", "networking.k8s.io/v1", "");
    removed(
        "extensions/v1beta1",
        "PodSecurityPolicy",
        "1.16",
        "",
        "PodSecurityPolicy is gone since 1.25: use Pod Security Admission, set by namespace"
            + " labels");
    String ingress =
        "networking.k8s.io/v1 needs pathType on each path and backend.service.name and"
            + " backend.service.port";
    removed("extensions/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1", ingress);
    removed("networking.k8s.io/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1", ingress);
    removed("networking.k8s.io/v1beta1", "IngressClass", "1.22", "networking.k8s.io/v1", "");
    for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
      removed(
          "admissionregistration.k8s.io/v1beta1",
          kind,
          "1.22",
          "admissionregistration.k8s.io/v1",
          "");
    }
    removed(
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        "1.22",
        "apiextensions.k8s.io/v1",
        "apiextensions.k8s.io/v1 requires a structural schema under each version");
    removed(
        "apiregistration.k8s.io/v1beta1", "APIService", "1.22", "apiregistration.k8s.io/v1", "");
    removed("authentication.k8s.io/v1beta1", "TokenReview", "1.22", "authentication.k8s.io/v1", "");
    for (String kind :
        List.of(
            "SubjectAccessReview",
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
            "SelfSubjectRulesReview")) {
      removed("authorization.k8s.io/v1beta1", kind, "1.22", "authorization.k8s.io/v1", "");
    }
    removed(
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        "1.22",
        "certificates.k8s.io/v1",
        "");
    removed("coordination.k8s.io/v1beta1", "Lease", "1.22", "coordination.k8s.io/v1", "");
    for (String kind : List.of("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")) {
      removed(
          "rbac.authorization.k8s.io/v1beta1", kind, "1.22", "rbac.authorization.k8s.io/v1", "");
    }
    for (String kind : List.of("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment")) {
      removed("storage.k8s.io/v1beta1", kind, "1.22", "storage.k8s.io/v1", "");
    }
    removed("batch/v1beta1", "CronJob", "1.25", "batch/v1", "");
    removed("discovery.k8s.io/v1beta1", "EndpointSlice", "1.25", "discovery.k8s.io/v1", "");
    removed("events.k8s.io/v1beta1", "Event", "1.25", "events.k8s.io/v1", "");
    removed("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.25", "autoscaling/v2", "");
    removed("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1", "");
    removed(
        "policy/v1beta1",
        "PodSecurityPolicy",
        "1.25",
        "",
        "it has no replacement kind: use Pod Security Admission, set by namespace labels");
    removed("node.k8s.io/v1beta1", "RuntimeClass", "1.25", "node.k8s.io/v1", "");
    removed("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26", "autoscaling/v2", "");
    for (String kind : List.of("FlowSchema", "PriorityLevelConfiguration")) {
      removed(
          "flowcontrol.apiserver.k8s.io/v1beta1",
          kind,
          "1.26",
          "flowcontrol.apiserver.k8s.io/v1",
          "");
      removed(
          "flowcontrol.apiserver.k8s.io/v1beta2",
          kind,
          "1.29",
          "flowcontrol.apiserver.k8s.io/v1",
          "");
      removed(
          "flowcontrol.apiserver.k8s.io/v1beta3",
          kind,
          "1.32",
          "flowcontrol.apiserver.k8s.io/v1",
          "");
    }
    removed("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.27", "storage.k8s.io/v1", "");
  }

  private static final Set<String> BUILT_IN_GROUPS = new TreeSet<>();

  static {
    SERVED.keySet().forEach(apiVersion -> BUILT_IN_GROUPS.add(ApiVersions.group(apiVersion)));
    OFF_BY_DEFAULT.forEach(apiVersion -> BUILT_IN_GROUPS.add(ApiVersions.group(apiVersion)));
    REMOVED
        .keySet()
        .forEach(key -> BUILT_IN_GROUPS.add(ApiVersions.group(key.substring(0, key.indexOf('|')))));
  }

  private KubernetesKinds() {}

  @SafeVarargs
  private static void served(String apiVersion, Class<? extends HasMetadata>... types) {
    Map<String, Class<? extends HasMetadata>> kinds = new LinkedHashMap<>();
    for (Class<? extends HasMetadata> type : types) {
      kinds.put(type.getSimpleName(), type);
    }
    SERVED.put(apiVersion, kinds);
  }

  private static void removed(
      String apiVersion, String kind, String removedIn, String replacement, String hint) {
    REMOVED.put(apiVersion + "|" + kind, new Removal(removedIn, replacement, hint));
  }

  /** What Ordinal knows about an apiVersion and kind. */
  sealed interface Lookup {
    /** A kind this Kubernetes serves, with its model class. */
    record Served(Class<? extends HasMetadata> type) implements Lookup {}

    /** A version of a built-in kind that is no longer served. */
    record Removed(Removal removal) implements Lookup {}

    /**
     * A built-in group, but not this version or kind; {@code problem} says what to write instead.
     */
    record Unknown(String problem, boolean aboutKind) implements Lookup {}

    /**
     * Not a kind Ordinal can check offline: a custom resource, or an alpha or beta API that a
     * cluster may enable.
     */
    record Custom(String why) implements Lookup {}
  }

  static Lookup lookup(String apiVersion, String kind) {
    Map<String, Class<? extends HasMetadata>> kinds = SERVED.get(apiVersion);
    if (kinds != null && kinds.containsKey(kind)) {
      return new Lookup.Served(kinds.get(kind));
    }
    Removal removal = REMOVED.get(apiVersion + "|" + kind);
    if (removal != null) {
      return new Lookup.Removed(removal);
    }
    String group = ApiVersions.group(apiVersion);
    List<String> servedAs = servedVersionsOf(group, kind);
    if (OFF_BY_DEFAULT.contains(apiVersion)) {
      if (!servedAs.isEmpty()) {
        return new Lookup.Unknown(
            apiVersion
                + " is an alpha or beta API that Kubernetes "
                + KUBERNETES_VERSION
                + " does not serve unless a cluster enables it; "
                + kind
                + " is served as "
                + String.join(" and ", servedAs),
            false);
      }
      return new Lookup.Custom(
          apiVersion + " is an alpha or beta API, off unless a cluster enables it");
    }
    if (group.equals("argoproj.io") && kind.equals(OrdinalKinds.TEMPLATE_KIND)) {
      // Users come from Argo Rollouts: its template is applied, but Ordinal's analysis never reads
      // it.
      return new Lookup.Custom(
          "Argo Rollouts' kind, applied to the cluster as it is; Ordinal's analysis reads kind "
              + kind
              + " of apiVersion "
              + OrdinalKinds.API_VERSION);
    }
    if (!BUILT_IN_GROUPS.contains(group)) {
      return new Lookup.Custom("not a built-in kind (a custom resource?)");
    }
    if (kinds != null) {
      // A served version: the kind is wrong.
      List<String> elsewhere = servedVersionsOf(kind);
      if (!elsewhere.isEmpty()) {
        return new Lookup.Unknown(
            kind + " is not served in " + apiVersion + "; use apiVersion " + elsewhere.get(0),
            true);
      }
      String suggestion = Suggestions.closest(kind, allKinds());
      return new Lookup.Unknown(
          "unknown kind '"
              + kind
              + "' in "
              + apiVersion
              + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?"),
          true);
    }
    if (!servedAs.isEmpty()) {
      return new Lookup.Unknown(
          apiVersion
              + " is not an API version Kubernetes "
              + KUBERNETES_VERSION
              + " serves; "
              + kind
              + " is served as "
              + String.join(" and ", servedAs),
          false);
    }
    return new Lookup.Unknown(
        apiVersion
            + " is not an API version Kubernetes "
            + KUBERNETES_VERSION
            + " serves"
            + (servedVersionsOf(kind).isEmpty()
                ? ""
                : "; " + kind + " is served as " + String.join(" and ", servedVersionsOf(kind))),
        false);
  }

  /** Served apiVersions of {@code group} that hold {@code kind}. */
  private static List<String> servedVersionsOf(String group, String kind) {
    List<String> versions = new ArrayList<>();
    SERVED.forEach(
        (apiVersion, kinds) -> {
          if (ApiVersions.group(apiVersion).equals(group) && kinds.containsKey(kind)) {
            versions.add(apiVersion);
          }
        });
    return versions;
  }

  /** Served apiVersions that hold {@code kind}, in any group. */
  private static List<String> servedVersionsOf(String kind) {
    List<String> versions = new ArrayList<>();
    SERVED.forEach(
        (apiVersion, kinds) -> {
          if (kinds.containsKey(kind)) {
            versions.add(apiVersion);
          }
        });
    return versions;
  }

  private static Set<String> allKinds() {
    Set<String> kinds = new TreeSet<>();
    SERVED.values().forEach(byKind -> kinds.addAll(byKind.keySet()));
    return kinds;
  }

  /** Every served apiVersion with its kinds, for tests that compare with a real API server. */
  static Map<String, Set<String>> served() {
    Map<String, Set<String>> result = new LinkedHashMap<>();
    SERVED.forEach((apiVersion, kinds) -> result.put(apiVersion, new TreeSet<>(kinds.keySet())));
    return result;
  }

  /** Whether {@code group} is one of Kubernetes' own API groups ("" is the core group). */
  static boolean isBuiltInGroup(String group) {
    return BUILT_IN_GROUPS.contains(group);
  }
}
