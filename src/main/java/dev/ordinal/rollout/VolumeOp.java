package dev.ordinal.rollout;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to the backup side, carried by {@link Action.Volume}. Each is idempotent, like an
 * analysis start: the executor may carry one out twice after a crash and the cluster ends up the
 * same, and the engine asks again until the observation shows it took effect.
 */
public sealed interface VolumeOp
    permits VolumeOp.RunHook,
        VolumeOp.TakeSnapshots,
        VolumeOp.DeleteSet,
        VolumeOp.DeleteClaim,
        VolumeOp.RestoreClaim {

  /** The backup the request belongs to. */
  String backupId();

  /**
   * Start hook run {@code runId} unless it is known: {@code hook} in {@code pods} (exec) or once (a
   * Job).
   *
   * @param phase {@code quiesce} or {@code resume}
   */
  record RunHook(
      String runId, String backupId, String phase, BackupSpec.Hook hook, List<String> pods)
      implements VolumeOp {
    public RunHook {
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(backupId, "backupId");
      Objects.requireNonNull(phase, "phase");
      Objects.requireNonNull(hook, "hook");
      pods = List.copyOf(pods);
    }
  }

  /**
   * Create the set's VolumeSnapshot of each claim unless it exists, labelled with the backup id,
   * the StatefulSet, the revision the pods run and the rollout's Git commit.
   */
  record TakeSnapshots(
      String backupId,
      List<String> claims,
      String revision,
      String commit,
      Optional<String> volumeSnapshotClassName)
      implements VolumeOp {
    public TakeSnapshots {
      Objects.requireNonNull(backupId, "backupId");
      claims = List.copyOf(claims);
      revision = revision == null ? "" : revision;
      commit = commit == null ? "" : commit;
      volumeSnapshotClassName =
          volumeSnapshotClassName == null ? Optional.empty() : volumeSnapshotClassName;
    }
  }

  /** Delete every snapshot (and hook Job) of the set. */
  record DeleteSet(String backupId) implements VolumeOp {
    public DeleteSet {
      Objects.requireNonNull(backupId, "backupId");
    }
  }

  /**
   * Delete the claim with this uid, only if a fresh read still shows a readyToUse snapshot of it in
   * the set: never a claim that could not be restored.
   */
  record DeleteClaim(String claim, String uid, String backupId) implements VolumeOp {
    public DeleteClaim {
      Objects.requireNonNull(claim, "claim");
      Objects.requireNonNull(uid, "uid");
      Objects.requireNonNull(backupId, "backupId");
    }
  }

  /**
   * Create the claim from the set's snapshot of it ({@code dataSource}), marked with {@code
   * restoreId}; a claim of that name that already exists is left alone.
   */
  record RestoreClaim(String claim, String backupId, String restoreId) implements VolumeOp {
    public RestoreClaim {
      Objects.requireNonNull(claim, "claim");
      Objects.requireNonNull(backupId, "backupId");
      Objects.requireNonNull(restoreId, "restoreId");
    }
  }
}
