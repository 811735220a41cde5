package dev.ordinal.kube;

import dev.ordinal.manifest.CompactModels;
import dev.ordinal.manifest.SharedStrings;
import dev.ordinal.plan.LiveFingerprint;
import dev.ordinal.plan.PlanOptions;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An informer item store that keeps only what Ordinal reads, so per-object memory stays small: no
 * managedFields, no pod specs, no pod templates or volume claim templates, no last-applied
 * annotation. Stores for planning also keep each object's {@link LiveFingerprint}, computed from
 * the full object before it is slimmed, so an unchanged object plans without a request. Event
 * handlers still see the full objects.
 */
final class SlimStore<T extends HasMetadata> implements ItemStore<T> {
  private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final Map<String, T> items = new ConcurrentHashMap<>();
  private final Map<String, Fingerprinted> fingerprints;

  /**
   * A fingerprint and what it was computed from beyond the spec: while the generation (bumped by
   * every spec change), labels and annotations stay, a new event (a status write, most often) has
   * the same fingerprint and costs no hashing.
   */
  private record Fingerprinted(
      Long generation, Map<String, String> labels, Map<String, String> annotations, String value) {
    boolean sameAs(HasMetadata o) {
      return generation != null
          && generation.equals(o.getMetadata().getGeneration())
          && Objects.equals(labels, o.getMetadata().getLabels())
          && Objects.equals(annotations, o.getMetadata().getAnnotations());
    }
  }

  private final UnaryOperator<T> slim;

  private SlimStore(UnaryOperator<T> slim, boolean fingerprinted) {
    this.slim = slim;
    this.fingerprints = fingerprinted ? new ConcurrentHashMap<>() : null;
  }

  /** StatefulSets for the rollout loop, fingerprinted for planning too. */
  static SlimStore<StatefulSet> statefulSets() {
    return new SlimStore<>(SlimStore::slimStatefulSet, true);
  }

  static SlimStore<Pod> pods() {
    return new SlimStore<>(SlimStore::slimPod, false);
  }

  /** Any other kind, for planning and pruning: identity, inventory metadata and fingerprint. */
  static SlimStore<GenericKubernetesResource> planning() {
    return new SlimStore<>(SlimStore::stub, true);
  }

  @Override
  public String getKey(T obj) {
    String ns = obj.getMetadata().getNamespace();
    return ns == null || ns.isEmpty()
        ? obj.getMetadata().getName()
        : ns + "/" + obj.getMetadata().getName();
  }

  @Override
  public T put(String key, T obj) {
    T slimmed = SharedStrings.share(CompactModels.compact(slim.apply(obj)));
    if (fingerprints != null) {
      Fingerprinted known = fingerprints.get(key);
      if (known == null || !known.sameAs(obj)) {
        ObjectMeta m = obj.getMetadata();
        fingerprints.put(
            key,
            new Fingerprinted(
                m.getGeneration(),
                immutable(m.getLabels(), slimmed.getMetadata().getLabels()),
                immutable(m.getAnnotations(), slimmed.getMetadata().getAnnotations()),
                LiveFingerprint.of(obj)));
      }
    }
    return items.put(key, slimmed);
  }

  /** An immutable copy of {@code full}: {@code kept}, the slim object's own copy, when equal. */
  private static Map<String, String> immutable(Map<String, String> full, Map<String, String> kept) {
    if (full == null) {
      return null;
    }
    return kept != null && kept.equals(full) ? kept : Map.copyOf(full);
  }

  @Override
  public T remove(String key) {
    if (fingerprints != null) {
      fingerprints.remove(key);
    }
    return items.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet().stream();
  }

  @Override
  public Stream<T> values() {
    return items.values().stream();
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public T get(String key) {
    return items.get(key);
  }

  /** The fingerprint of the object stored under {@code key}; null when there is none. */
  String fingerprint(String key) {
    if (fingerprints == null) {
      return null;
    }
    Fingerprinted known = fingerprints.get(key);
    return known == null ? null : known.value();
  }

  private static ObjectMeta slimMeta(ObjectMeta m) {
    Map<String, String> annotations = m.getAnnotations();
    if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
      annotations = new HashMap<>(annotations);
      annotations.remove(LAST_APPLIED);
    }
    ObjectMeta slim =
        new ObjectMetaBuilder()
            .withName(m.getName())
            .withNamespace(m.getNamespace())
            .withUid(m.getUid())
            .withResourceVersion(m.getResourceVersion())
            .withGeneration(m.getGeneration())
            .withDeletionTimestamp(m.getDeletionTimestamp())
            .withOwnerReferences(m.getOwnerReferences())
            .build();
    // Immutable maps take a quarter of a LinkedHashMap's room; the store is read with lookups.
    slim.setLabels(m.getLabels() == null ? null : Map.copyOf(m.getLabels()));
    slim.setAnnotations(annotations == null ? null : Map.copyOf(annotations));
    return slim;
  }

  static StatefulSet slimStatefulSet(StatefulSet s) {
    StatefulSetBuilder b =
        new StatefulSetBuilder()
            .withApiVersion(s.getApiVersion())
            .withKind(s.getKind())
            .withStatus(s.getStatus());
    if (s.getSpec() != null) {
      // of the claim templates only the names: the rollout side derives claim names from them
      List<PersistentVolumeClaim> claimTemplates = new ArrayList<>();
      if (s.getSpec().getVolumeClaimTemplates() != null) {
        for (PersistentVolumeClaim t : s.getSpec().getVolumeClaimTemplates()) {
          claimTemplates.add(
              new PersistentVolumeClaimBuilder()
                  .withNewMetadata()
                  .withName(t.getMetadata() == null ? null : t.getMetadata().getName())
                  .endMetadata()
                  .build());
        }
      }
      b.withNewSpec()
          .withReplicas(s.getSpec().getReplicas())
          .withSelector(s.getSpec().getSelector())
          .withUpdateStrategy(s.getSpec().getUpdateStrategy())
          .withVolumeClaimTemplates(claimTemplates)
          .withPersistentVolumeClaimRetentionPolicy(
              s.getSpec().getPersistentVolumeClaimRetentionPolicy())
          .endSpec();
    }
    // Set after the build: a builder would copy the metadata's maps into LinkedHashMaps again.
    StatefulSet slim = b.build();
    slim.setMetadata(slimMeta(s.getMetadata()));
    return slim;
  }

  /**
   * What planning and pruning read of an object they plan by fingerprint: its identity, the
   * inventory label, the prune annotation and a controlling owner.
   */
  static GenericKubernetesResource stub(GenericKubernetesResource o) {
    ObjectMeta m = o.getMetadata();
    ObjectMetaBuilder meta =
        new ObjectMetaBuilder()
            .withName(m.getName())
            .withNamespace(m.getNamespace())
            .withUid(m.getUid())
            .withResourceVersion(m.getResourceVersion());
    if (m.getLabels() != null && m.getLabels().containsKey(PlanOptions.APP_LABEL)) {
      meta.withLabels(Map.of(PlanOptions.APP_LABEL, m.getLabels().get(PlanOptions.APP_LABEL)));
    }
    if (m.getAnnotations() != null
        && m.getAnnotations().containsKey(PlanOptions.PRUNE_ANNOTATION)) {
      meta.withAnnotations(
          Map.of(
              PlanOptions.PRUNE_ANNOTATION, m.getAnnotations().get(PlanOptions.PRUNE_ANNOTATION)));
    }
    if (m.getOwnerReferences() != null) {
      for (OwnerReference owner : m.getOwnerReferences()) {
        if (Boolean.TRUE.equals(owner.getController())) {
          meta.withOwnerReferences(owner);
        }
      }
    }
    GenericKubernetesResource stub = new GenericKubernetesResource();
    stub.setApiVersion(o.getApiVersion());
    stub.setKind(o.getKind());
    stub.setMetadata(meta.build());
    return stub;
  }

  static Pod slimPod(Pod p) {
    PodBuilder b = new PodBuilder().withApiVersion(p.getApiVersion()).withKind(p.getKind());
    if (p.getStatus() != null) {
      List<PodCondition> ready = new ArrayList<>();
      if (p.getStatus().getConditions() != null) {
        for (PodCondition c : p.getStatus().getConditions()) {
          if ("Ready".equals(c.getType())) {
            ready.add(
                new PodConditionBuilder().withType(c.getType()).withStatus(c.getStatus()).build());
          }
        }
      }
      List<ContainerStatus> statuses = new ArrayList<>();
      if (p.getStatus().getContainerStatuses() != null) {
        for (ContainerStatus cs : p.getStatus().getContainerStatuses()) {
          statuses.add(
              new ContainerStatusBuilder()
                  .withName(cs.getName())
                  .withRestartCount(cs.getRestartCount())
                  .withReady(cs.getReady())
                  .build());
        }
      }
      b.withNewStatus().withConditions(ready).withContainerStatuses(statuses).endStatus();
    }
    Pod slim = b.build();
    slim.setMetadata(slimMeta(p.getMetadata()));
    return slim;
  }
}
