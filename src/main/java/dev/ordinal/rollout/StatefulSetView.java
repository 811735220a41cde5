package dev.ordinal.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine needs of the StatefulSet: its spec fields that the rollout drives, the
 * controller's status, and where its template came from.
 *
 * @param partition {@code spec.updateStrategy.rollingUpdate.partition} (0 when unset)
 * @param maxUnavailable {@code rollingUpdate.maxUnavailable} resolved to a pod count (1 when unset)
 * @param currentRevision {@code status.currentRevision}
 * @param updateRevision {@code status.updateRevision}: the revision of the template from Git
 * @param readyReplicas {@code status.readyReplicas}
 * @param updatedReplicas {@code status.updatedReplicas}: pods on the update revision
 * @param source the app that applied the StatefulSet and the Git commit of its template, when
 *     Ordinal's applier recorded them
 * @param syncHoldUntil until when the Git applier asked the engine to keep the partition (see
 *     {@link Annotations#SYNC_HOLD}); null when it did not
 * @param claimTemplates the names of its volumeClaimTemplates: its pods' claims are named {@code
 *     <template>-<name>-<ordinal>}
 * @param claimsDeletedOnScaleDown {@code persistentVolumeClaimRetentionPolicy.whenScaled} is
 *     Delete: the controller deletes the claims of the ordinals a scale-down removes
 */
public record StatefulSetView(
    String namespace,
    String name,
    int replicas,
    UpdateStrategy strategy,
    int partition,
    int maxUnavailable,
    String currentRevision,
    String updateRevision,
    long generation,
    long observedGeneration,
    int readyReplicas,
    int updatedReplicas,
    RolloutSource source,
    Instant syncHoldUntil,
    List<String> claimTemplates,
    boolean claimsDeletedOnScaleDown) {
  public StatefulSetView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(updateRevision, "updateRevision");
    namespace = namespace == null ? "" : namespace;
    currentRevision = currentRevision == null ? updateRevision : currentRevision;
    source = source == null ? RolloutSource.UNKNOWN : source;
    claimTemplates = claimTemplates == null ? List.of() : List.copyOf(claimTemplates);
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must not be negative");
    }
  }

  /** A view without volume claim templates. */
  public StatefulSetView(
      String namespace,
      String name,
      int replicas,
      UpdateStrategy strategy,
      int partition,
      int maxUnavailable,
      String currentRevision,
      String updateRevision,
      long generation,
      long observedGeneration,
      int readyReplicas,
      int updatedReplicas,
      RolloutSource source,
      Instant syncHoldUntil) {
    this(
        namespace,
        name,
        replicas,
        strategy,
        partition,
        maxUnavailable,
        currentRevision,
        updateRevision,
        generation,
        observedGeneration,
        readyReplicas,
        updatedReplicas,
        source,
        syncHoldUntil,
        List.of(),
        false);
  }

  /** A view with no readiness counts from status, no known source and no sync hold. */
  public StatefulSetView(
      String namespace,
      String name,
      int replicas,
      UpdateStrategy strategy,
      int partition,
      int maxUnavailable,
      String currentRevision,
      String updateRevision,
      long generation,
      long observedGeneration) {
    this(
        namespace,
        name,
        replicas,
        strategy,
        partition,
        maxUnavailable,
        currentRevision,
        updateRevision,
        generation,
        observedGeneration,
        0,
        0,
        RolloutSource.UNKNOWN,
        null);
  }

  /** This view with volume claim templates (for tests and the simulator). */
  public StatefulSetView withClaimTemplates(List<String> templates, boolean deletedOnScaleDown) {
    return new StatefulSetView(
        namespace,
        name,
        replicas,
        strategy,
        partition,
        maxUnavailable,
        currentRevision,
        updateRevision,
        generation,
        observedGeneration,
        readyReplicas,
        updatedReplicas,
        source,
        syncHoldUntil,
        templates,
        deletedOnScaleDown);
  }

  /** The name of the claim of {@code template} for the pod with {@code ordinal}. */
  public String claimName(String template, int ordinal) {
    return template + "-" + name + "-" + ordinal;
  }

  /** {@code namespace/name}, as users type it in commands. */
  public String key() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }

  /** The sync hold, if one is set. */
  public Optional<Instant> syncHold() {
    return Optional.ofNullable(syncHoldUntil);
  }
}
