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
 */
public record RecreateObservation(
    Instant now,
    Optional<Live> statefulSet,
    List<Claim> claims,
    Map<String, Boolean> expansion,
    Optional<BackupStatus> backup,
    Optional<RecreateState> recorded) {

  public RecreateObservation {
    claims = List.copyOf(claims);
    expansion = Map.copyOf(expansion);
  }

  /**
   * A StatefulSet: its uid, its replicas, its partition (null when it has none), whether it is
   * being deleted, and the annotations of Ordinal's rollout side that a recreate carries over.
   */
  public record Live(
      String uid,
      int replicas,
      Integer partition,
      boolean terminating,
      Map<String, String> ordinalAnnotations) {
    public Live {
      ordinalAnnotations = Map.copyOf(ordinalAnnotations);
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
