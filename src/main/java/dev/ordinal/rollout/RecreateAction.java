package dev.ordinal.rollout;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The next thing a recreate does, decided by {@link RecreateDecisions}. Each action that changes
 * the cluster is idempotent or guarded by a precondition, and each carries the state to record with
 * it: the executor writes the state before the side effect when the action enters a stage, so a
 * crash in between repeats at most an idempotent step.
 */
public sealed interface RecreateAction {

  /** The recreate cannot run: nothing was changed, nothing is recorded. */
  record Refuse(String reason) implements RecreateAction {}

  /** Record {@code next} (a stage entered, a recreate started or failed); no other side effect. */
  record Record(RecreateState next, String why) implements RecreateAction {}

  /** Take the backup: a VolumeSnapshot of each claim, idempotent by name. */
  record TakeBackup(String backupId, List<String> claims, RecreateState state)
      implements RecreateAction {
    public TakeBackup {
      claims = List.copyOf(claims);
    }
  }

  /** Patch one claim's requested storage to {@code size}, only if its uid still is {@code uid}. */
  record GrowClaim(String claim, String uid, String size, RecreateState state)
      implements RecreateAction {}

  /**
   * Delete the StatefulSet with propagationPolicy Orphan, only if its uid still is {@code uid}: its
   * pods and claims stay.
   */
  record OrphanDelete(String uid, RecreateState state) implements RecreateAction {}

  /** Create the StatefulSet from Git, with the old partition (null: Git's) so no pod moves. */
  record Create(Integer partition, RecreateState state) implements RecreateAction {}

  /**
   * The new StatefulSet exists: write the old one's rollout annotations and partition onto it as
   * the rollout side, and forget the recreate.
   */
  record Finish(String uid, Integer partition, Map<String, String> carried, RecreateState state)
      implements RecreateAction {
    public Finish {
      Objects.requireNonNull(uid, "uid");
      carried = Map.copyOf(carried);
    }
  }

  /**
   * Add {@code labels} to pod {@code pod}, only if its uid still is {@code uid}: the labels it has
   * stay. Idempotent.
   */
  record RelabelPod(String pod, String uid, Map<String, String> labels, RecreateState state)
      implements RecreateAction {
    public RelabelPod {
      labels = Map.copyOf(labels);
    }
  }

  /**
   * Stamp the new StatefulSet's pod template with {@code stamp} (and set {@code partition}, when
   * given, in the same write), only if its uid still is {@code uid}: a new revision the rollout
   * engine rolls out through the policy. Idempotent.
   */
  record Restart(String uid, String stamp, Integer partition, RecreateState state)
      implements RecreateAction {}

  /** The recreate is over: forget its state. */
  record Forget(String why, RecreateState state) implements RecreateAction {}

  /** Nothing to do until the cluster moves (a snapshot, a resize); {@code why} says what. */
  record Wait(String why, RecreateState state) implements RecreateAction {}
}
