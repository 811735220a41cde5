package dev.ordinal.backup;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code snapshot.storage.k8s.io/v1} VolumeSnapshot as Ordinal reads it.
 *
 * @param claim {@code spec.source.persistentVolumeClaimName}
 * @param cut {@code status.creationTime} is set: the point-in-time copy was taken
 * @param ready {@code status.readyToUse}
 * @param error {@code status.error.message}; empty when none
 * @param restoreSize {@code status.restoreSize} as written (e.g. {@code 2Gi}); empty when unknown
 * @param createdAt {@code metadata.creationTimestamp}
 * @param terminating the snapshot has a deletion timestamp
 */
public record VolumeSnapshot(
    String name,
    String uid,
    Map<String, String> labels,
    Map<String, String> annotations,
    String claim,
    String volumeSnapshotClassName,
    boolean cut,
    boolean ready,
    String error,
    String restoreSize,
    Instant createdAt,
    boolean terminating) {
  public VolumeSnapshot {
    Objects.requireNonNull(name, "name");
    uid = uid == null ? "" : uid;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    claim = claim == null ? "" : claim;
    volumeSnapshotClassName = volumeSnapshotClassName == null ? "" : volumeSnapshotClassName;
    error = error == null ? "" : error;
    restoreSize = restoreSize == null ? "" : restoreSize;
    createdAt = createdAt == null ? Instant.EPOCH : createdAt;
  }

  /** The label or annotation {@code key}, or "". */
  public String label(String key) {
    return labels.getOrDefault(key, "");
  }

  public String annotation(String key) {
    return annotations.getOrDefault(key, "");
  }

  /**
   * What Ordinal asks to create: a snapshot of {@code claim}, with labels and annotations.
   *
   * @param volumeSnapshotClassName empty for the cluster's default class
   */
  public record Request(
      String namespace,
      String name,
      String claim,
      String volumeSnapshotClassName,
      Map<String, String> labels,
      Map<String, String> annotations) {
    public Request {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(claim, "claim");
      volumeSnapshotClassName = volumeSnapshotClassName == null ? "" : volumeSnapshotClassName;
      labels = Map.copyOf(labels);
      annotations = Map.copyOf(annotations);
    }
  }
}
