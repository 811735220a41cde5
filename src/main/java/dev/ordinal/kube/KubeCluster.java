package dev.ordinal.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster side of a sync: reads live objects, applies desired ones with server-side apply under
 * field manager {@value #FIELD_MANAGER}, and deletes pruned ones. Everything that decides what to
 * do lives in the {@code plan} package; this class only does it.
 */
public final class KubeCluster {
  public static final String FIELD_MANAGER = "ordinal";

  /** Marks every object Ordinal applies, so objects that left Git can be found for pruning. */
  public static final String INVENTORY_LABEL = dev.ordinal.plan.PlanOptions.APP_LABEL;

  private static final Logger log = LoggerFactory.getLogger(KubeCluster.class);

  private final KubernetesClient client;

  public KubeCluster(KubernetesClient client) {
    this.client = client;
  }

  public KubernetesClient client() {
    return client;
  }

  /** The live counterpart of each desired object that exists, fetched by identity. */
  public List<HasMetadata> liveFor(Collection<? extends HasMetadata> desired) {
    List<HasMetadata> live = new ArrayList<>();
    for (HasMetadata object : desired) {
      HasMetadata found = get(object);
      if (found != null) {
        live.add(found);
      }
    }
    return live;
  }

  /** The live object with the same identity, or null. */
  public HasMetadata get(HasMetadata object) {
    try {
      return client.resource(object).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  /**
   * Objects carrying the inventory label of {@code app} in {@code namespace}, of the given kinds
   * (apiVersion → kinds). Kinds the server does not serve are skipped.
   */
  public List<HasMetadata> inventory(
      String app, String namespace, Map<String, Set<String>> kindsByApiVersion) {
    List<HasMetadata> found = new ArrayList<>();
    for (Map.Entry<String, Set<String>> group : kindsByApiVersion.entrySet()) {
      for (String kind : group.getValue()) {
        try {
          for (GenericKubernetesResource item :
              client
                  .genericKubernetesResources(group.getKey(), kind)
                  .inNamespace(namespace)
                  .withLabel(INVENTORY_LABEL, app)
                  .list()
                  .getItems()) {
            found.add(item);
          }
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404) {
            throw e;
          }
        }
      }
    }
    return found;
  }

  /**
   * Kinds searched for pruning besides those still in Git: an object whose whole kind left Git must
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

  /**
   * The apiVersion → kinds map of a set of objects plus the common kinds, for {@link #inventory}.
   */
  public static Map<String, Set<String>> kindsOf(Collection<? extends HasMetadata> objects) {
    Map<String, Set<String>> kinds = new LinkedHashMap<>();
    COMMON_KINDS.forEach(
        (apiVersion, names) ->
            kinds.computeIfAbsent(apiVersion, k -> new java.util.TreeSet<>()).addAll(names));
    for (HasMetadata o : objects) {
      kinds.computeIfAbsent(o.getApiVersion(), k -> new java.util.TreeSet<>()).add(o.getKind());
    }
    return kinds;
  }

  /**
   * Server-side apply as {@value #FIELD_MANAGER}; Git is the source of truth, so conflicts are
   * forced.
   */
  public HasMetadata apply(HasMetadata desired) {
    HasMetadata applied =
        client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    log.debug(
        "applied {} {}/{}",
        desired.getKind(),
        namespaceOf(desired),
        desired.getMetadata().getName());
    return applied;
  }

  /** Deletes a pruned object. PersistentVolumeClaims are refused here as a last line of defence. */
  public void delete(HasMetadata live) {
    if ("PersistentVolumeClaim".equals(live.getKind())) {
      throw new IllegalArgumentException(
          "refusing to delete PersistentVolumeClaim "
              + namespaceOf(live)
              + "/"
              + live.getMetadata().getName()
              + ": Ordinal never prunes volume claims");
    }
    client.resource(live).delete();
  }

  private static String namespaceOf(HasMetadata o) {
    return Optional.ofNullable(o.getMetadata().getNamespace()).orElse("");
  }
}
