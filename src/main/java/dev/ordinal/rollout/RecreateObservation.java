package dev.ordinal.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster showed when a recreate decision was made.
 *
 * @param statefulSet the StatefulSet of that name, if one exists (the old one or the new one)
 * @param claims the claims of the volume claim templates that grow, {@code <template>-<sts>-<n>}
 * @param expansion each StorageClass the claims name, and whether it allows volume expansion; a
 *     class that does not exist is absent
 * @param backup the backup the state records, when one was asked for and is listed
 * @param recorded the stored state, read fresh
 * @param pods the pods named {@code <statefulset>-<ordinal>}, for a recreate that rolls them
 */
public record RecreateObservation(
    Instant now,
    Optional<Live> statefulSet,
    List<Claim> claims,
    Map<String, Boolean> expansion,
    Optional<BackupStatus> backup,
    Optional<RecreateState> recorded,
    List<PodLabels> pods) {

  public RecreateObservation {
    claims = List.copyOf(claims);
    expansion = Map.copyOf(expansion);
    pods = List.copyOf(pods);
  }

  /** An observation without pods (a recreate that rolls none need not read them). */
  public RecreateObservation(
      Instant now,
      Optional<Live> statefulSet,
      List<Claim> claims,
      Map<String, Boolean> expansion,
      Optional<BackupStatus> backup,
      Optional<RecreateState> recorded) {
    this(now, statefulSet, claims, expansion, backup, recorded, List.of());
  }

  /** A pod of the StatefulSet, by name, with its uid and labels. */
  public record PodLabels(String name, String uid, Map<String, String> labels) {
    public PodLabels {
      labels = Map.copyOf(labels);
    }
  }

  /**
   * A StatefulSet: its uid, its replicas, its partition (null when it has none), whether it is
   * being deleted, and the annotations of Ordinal's rollout side that a recreate carries over.
   *
   * @param recreatedAt its pod template's {@code ordinal.dev/recreated-at}; empty when it has none
   * @param observed its controller has observed its latest generation and published a current
   *     revision
   * @param rolling its current and update revisions differ: a rollout is in flight
   */
  public record Live(
      String uid,
      int replicas,
      Integer partition,
      boolean terminating,
      Map<String, String> ordinalAnnotations,
      String recreatedAt,
      boolean observed,
      boolean rolling) {
    public Live {
      ordinalAnnotations = Map.copyOf(ordinalAnnotations);
      recreatedAt = recreatedAt == null ? "" : recreatedAt;
    }

    /** A StatefulSet as a recreate that rolls no pod needs to see it. */
    public Live(
        String uid,
        int replicas,
        Integer partition,
        boolean terminating,
        Map<String, String> ordinalAnnotations) {
      this(uid, replicas, partition, terminating, ordinalAnnotations, "", true, false);
    }
  }

  /**
   * One claim.
   *
   * @param storageClass its StorageClass; empty when it names none
   * @param bound whether it is Bound (only a bound claim can be expanded)
   * @param requestedBytes {@code spec.resources.requests.storage}
   * @param capacityBytes {@code status.capacity.storage}; -1 when not reported
   * @param fileSystemResizePending the volume grew and the file system grows when a pod mounts it
   */
  public record Claim(
      String name,
      String uid,
      String template,
      String storageClass,
      boolean bound,
      long requestedBytes,
      long capacityBytes,
      boolean fileSystemResizePending) {}

  /** The backup taken first: all its snapshots readyToUse, or why it failed. */
  public record BackupStatus(boolean complete, Optional<String> failure) {}
}
