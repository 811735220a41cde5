package dev.ordinal.rollout;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the engine sees of a StatefulSet's backups: its snapshot sets, the hooks run for the backup
 * in flight, and, during a restore, the claims being replaced. Like analysis verdicts, it is read
 * by the executor's side and handed in with the observation, so the engine stays pure.
 *
 * @param sets the StatefulSet's snapshot sets by backup id
 * @param hooks the status of each hook run by run id ({@code <backup id>/quiesce})
 * @param claims the claims a restore covers, by name, read fresh; absent when gone
 */
public record BackupView(
    Map<String, SnapshotSet> sets, Map<String, HookRun> hooks, Map<String, Claim> claims) {
  public static final BackupView NONE = new BackupView(Map.of(), Map.of(), Map.of());

  public BackupView {
    sets = sorted(sets);
    hooks = sorted(hooks);
    claims = sorted(claims);
  }

  private static <V> Map<String, V> sorted(Map<String, V> map) {
    return map == null || map.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new TreeMap<>(map));
  }

  /**
   * The VolumeSnapshots of one backup, one per claim.
   *
   * @param size how many snapshots the set was created with (its label), so a set missing one is
   *     never taken for complete
   * @param revision the revision the pods ran when the set was taken
   * @param commit the Git commit of the rollout the set was taken before; empty for a user's backup
   * @param byClaim the snapshots by the name of the claim they copy
   */
  public record SnapshotSet(
      String id,
      Instant createdAt,
      int size,
      String revision,
      String commit,
      Map<String, Snapshot> byClaim) {
    public SnapshotSet {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(createdAt, "createdAt");
      revision = revision == null ? "" : revision;
      commit = commit == null ? "" : commit;
      byClaim = sorted(byClaim);
    }

    /** Every snapshot of the set exists, is readyToUse and is not being deleted. */
    public boolean complete() {
      return byClaim.size() >= size
          && byClaim.values().stream().allMatch(s -> s.ready() && !s.terminating());
    }

    /** Whether every snapshot of the set is already being deleted. */
    public boolean deleting() {
      return !byClaim.isEmpty() && byClaim.values().stream().allMatch(Snapshot::terminating);
    }

    /** The first snapshot that failed, as "claim: error". */
    public Optional<String> failure() {
      return byClaim.entrySet().stream()
          .filter(e -> !e.getValue().error().isEmpty())
          .map(e -> e.getKey() + ": " + e.getValue().error())
          .findFirst();
    }

    /** A readyToUse snapshot of {@code claim} that is not being deleted. */
    public boolean restorable(String claim) {
      Snapshot s = byClaim.get(claim);
      return s != null && s.ready() && !s.terminating();
    }
  }

  /**
   * One VolumeSnapshot.
   *
   * @param cut the snapshot was taken (status.creationTime is set), though maybe not yet usable
   * @param ready status.readyToUse
   * @param error status.error's message, or why it could not be created; empty when none
   */
  public record Snapshot(
      String name, boolean cut, boolean ready, String error, boolean terminating) {
    public Snapshot {
      Objects.requireNonNull(name, "name");
      error = error == null ? "" : error;
    }
  }

  /** Where a hook run is. */
  public enum HookPhase {
    RUNNING,
    SUCCEEDED,
    FAILED
  }

  /** One hook run; {@code message} says why it failed. */
  public record HookRun(HookPhase phase, String message) {
    public HookRun {
      Objects.requireNonNull(phase, "phase");
      message = message == null ? "" : message;
    }
  }

  /**
   * A PersistentVolumeClaim a restore covers.
   *
   * @param restoreId the restore that created it from a snapshot ({@code ordinal.dev/restore-id});
   *     empty for any other claim
   */
  public record Claim(String name, String uid, boolean terminating, String restoreId) {
    public Claim {
      Objects.requireNonNull(name, "name");
      uid = uid == null ? "" : uid;
      restoreId = restoreId == null ? "" : restoreId;
    }
  }
}
