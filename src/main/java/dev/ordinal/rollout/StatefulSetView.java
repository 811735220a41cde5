package dev.ordinal.rollout;

import java.util.Objects;

/**
 * What the engine needs of the StatefulSet: its spec fields that the rollout drives and the
 * controller's status.
 *
 * @param partition {@code spec.updateStrategy.rollingUpdate.partition} (0 when unset)
 * @param maxUnavailable {@code rollingUpdate.maxUnavailable} resolved to a pod count (1 when unset)
 * @param currentRevision {@code status.currentRevision}
 * @param updateRevision {@code status.updateRevision}: the revision of the template from Git
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
    long observedGeneration) {
  public StatefulSetView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(updateRevision, "updateRevision");
    namespace = namespace == null ? "" : namespace;
    currentRevision = currentRevision == null ? updateRevision : currentRevision;
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must not be negative");
    }
  }

  /** {@code namespace/name}, as users type it in commands. */
  public String key() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
