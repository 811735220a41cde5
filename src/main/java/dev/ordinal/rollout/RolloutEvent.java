package dev.ordinal.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What a rollout decision did, as data. Kubernetes Events, log lines, metrics and the status page
 * render these; {@link #reason()} is the Kubernetes Event reason and {@link #message()} the text
 * for people, both derived from the fields. Steps are numbered from 1 as users see them; step 0
 * means the background analysis.
 */
public sealed interface RolloutEvent extends DomainEvent {
  /** Kubernetes Event types. */
  enum Type {
    NORMAL("Normal"),
    WARNING("Warning");

    private final String displayName;

    Type(String displayName) {
      this.displayName = displayName;
    }

    public String displayName() {
      return displayName;
    }
  }

  /** The Kubernetes Event reason, CamelCase: by default the record's name. */
  default String reason() {
    return getClass().getSimpleName();
  }

  default Type type() {
    return Type.NORMAL;
  }

  /** The sentence for people. */
  String message();

  // ------------------------------------------------------------------ lifecycle

  /** Ordinal saw the StatefulSet for the first time, all pods on {@code revision}. */
  record Initialized(String key, String revision) implements RolloutEvent {
    @Override
    public String message() {
      return "tracking " + key + " at revision " + revision;
    }
  }

  /** A new template: the rollout starts at step 1. */
  record RolloutStarted(String target, String stable, int steps, RolloutSource source)
      implements RolloutEvent {
    @Override
    public String message() {
      return "rolling out "
          + target
          + " over stable "
          + stable
          + " in "
          + steps
          + " steps"
          + (source.commit().isEmpty() ? "" : " (commit " + source.commit() + ")");
    }
  }

  /** A new template while a rollout was in flight: restore, then start over. */
  record Superseded(String previous, String target, String stable) implements RolloutEvent {
    @Override
    public String message() {
      return "rollout to "
          + previous
          + " superseded by "
          + target
          + ": holding, restoring pods to stable "
          + stable
          + ", then starting at step 1";
    }
  }

  /** Git went back to the stable revision. */
  record Reverted(String abandoned, String revision, boolean podsAlreadyThere)
      implements RolloutEvent {
    @Override
    public String message() {
      return podsAlreadyThere
          ? "target reverted to stable revision " + revision + "; all pods already run it"
          : "rollout to " + abandoned + " abandoned: Git is back at stable revision " + revision;
    }
  }

  /** Git asks for a revision that failed before. */
  record RevisionSkipped(String revision, String key, String rollingBackTo)
      implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return "revision "
          + revision
          + " failed before; not retried until Git changes or 'ordinal retry "
          + key
          + "'"
          + (rollingBackTo == null ? "" : "; rolling back to " + rollingBackTo);
    }
  }

  /** The StatefulSet controller completed an update by itself. */
  record StableRevisionAdopted(String revision, String former, boolean completed)
      implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return completed
          ? "the StatefulSet controller completed the update to "
              + revision
              + " (e.g. after scaling to zero) so pods can no longer return to "
              + former
              + "; it is now the stable revision"
          : "the StatefulSet controller's current revision is "
              + revision
              + ", not "
              + former
              + "; restoring to it";
    }
  }

  /** Every pod runs the target: it is the new stable revision. */
  record RolloutCompleted(String target, int replicas) implements RolloutEvent {
    @Override
    public String message() {
      return "revision "
          + target
          + " runs on all "
          + replicas
          + " pods; it is the new stable revision";
    }
  }

  // ------------------------------------------------------------------ steps

  /**
   * Pods move: a canary step or full promotion lowered the partition ({@code from} → {@code to}),
   * or, under OnDelete, one pod ({@code pods}) is deleted to come back on the target.
   */
  record PodsMoving(boolean full, int step, String pods, String target, Integer from, Integer to)
      implements RolloutEvent {
    @Override
    public String reason() {
      return full ? "PromotingFull" : "CanaryStep";
    }

    @Override
    public String message() {
      String name = full ? "full promotion" : "step " + step;
      if (from == null) {
        return name + ": deleting " + pods + " so it comes back on " + target;
      }
      return name + ": " + pods + " → " + target + " (partition " + from + " → " + to + ")";
    }
  }

  /** A canary step's pods are updated and Ready. */
  record StepCompleted(int step, int pods, String target, String next) implements RolloutEvent {
    @Override
    public String message() {
      return "step "
          + step
          + " ("
          + pods
          + " pod"
          + (pods == 1 ? "" : "s")
          + " on "
          + target
          + ") completed"
          + (next.isEmpty() ? "" : "; next: " + next);
    }
  }

  /** A timed pause elapsed. */
  record PauseElapsed(int step, String duration, String next) implements RolloutEvent {
    @Override
    public String reason() {
      return "StepCompleted";
    }

    @Override
    public String message() {
      return "step "
          + step
          + " (pause "
          + duration
          + ") elapsed"
          + (next.isEmpty() ? "" : "; next: " + next);
    }
  }

  /** More (or fewer) target pods are Ready. */
  record Progress(int ready, int replicas, String target) implements RolloutEvent {
    @Override
    public String message() {
      return ready + " of " + replicas + " pods on " + target + " and Ready";
    }
  }

  /** The phase or reason settled for the current step. */
  record StepStatus(Phase phase, String status) implements RolloutEvent {
    @Override
    public String reason() {
      return phase == Phase.PAUSED ? "Paused" : "Progressing";
    }

    @Override
    public String message() {
      return status;
    }
  }

  /** A scale change: the partition is moved to keep the canary at its size. */
  record CanaryRescaled(int replicas, int from, int to) implements RolloutEvent {
    @Override
    public String message() {
      return replicas
          + " replicas: "
          + (to > from ? "raising" : "lowering")
          + " the partition from "
          + from
          + " to "
          + to
          + " to keep the canary at its size";
    }
  }

  /** After a scale-up a canary pod below the partition goes back to stable. */
  record CanaryPodReturned(String pod, String stable, int partition) implements RolloutEvent {
    @Override
    public String reason() {
      return "CanaryRescaled";
    }

    @Override
    public String message() {
      return "deleting "
          + pod
          + " so it returns to "
          + stable
          + ": below partition "
          + partition
          + " after a scale change";
    }
  }

  // ------------------------------------------------------------------ analysis

  /** An analysis run starts (step 0: the background analysis). */
  record AnalysisStarted(int step, String templates) implements RolloutEvent {
    @Override
    public String message() {
      return step == 0
          ? "starting background analysis " + templates
          : "step " + step + ": starting analysis " + templates;
    }
  }

  /** An analysis step passed. */
  record AnalysisSuccessful(int step, String templates, String next) implements RolloutEvent {
    @Override
    public String message() {
      return "step "
          + step
          + ": analysis "
          + templates
          + " successful"
          + (next.isEmpty() ? "" : "; next: " + next);
    }
  }

  /** An analysis was inconclusive: the rollout waits for a person. */
  record AnalysisInconclusive(int step, String templates, String key) implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return (step == 0
              ? "background analysis inconclusive"
              : "analysis " + templates + " at step " + step + " inconclusive")
          + ": run 'ordinal promote "
          + key
          + "' or 'ordinal abort "
          + key
          + "'";
    }
  }

  /** A run that is no longer part of the rollout is stopped. */
  record AnalysisStopped(String runId) implements RolloutEvent {
    @Override
    public String message() {
      return "stopping analysis run " + runId + ": no longer part of the rollout";
    }
  }

  // ------------------------------------------------------------------ rollback

  /**
   * A rollback begins. {@code cause} is machine-readable, {@code detail} says what was seen; {@code
   * status} is the rollout's reason for people as the state now renders it.
   */
  record RollbackStarted(PhaseReason cause, String detail, String status) implements RolloutEvent {
    @Override
    public String reason() {
      return switch (cause) {
        case ABORTED -> "Aborted";
        case CRASH_LOOP -> "CrashLoop";
        case PROGRESS_DEADLINE_EXCEEDED -> "ProgressDeadlineExceeded";
        default -> "AnalysisFailed";
      };
    }

    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return status;
    }
  }

  /** A pod off the kept revisions is deleted so it comes back on stable. */
  record PodSentBack(String why, String pod, String from, String stable, boolean rollback)
      implements RolloutEvent {
    @Override
    public String reason() {
      return rollback ? "RollingBack" : "Restoring";
    }

    @Override
    public Type type() {
      return rollback ? Type.WARNING : Type.NORMAL;
    }

    @Override
    public String message() {
      return why + ": deleting " + pod + " (on " + from + ") so it comes back on " + stable;
    }
  }

  /** The partition goes (back) to the replica count before pods are restored. */
  record Holding(int replicas, String why, boolean rolledBack) implements RolloutEvent {
    @Override
    public Type type() {
      return rolledBack ? Type.WARNING : Type.NORMAL;
    }

    @Override
    public String message() {
      return rolledBack
          ? "holding partition at " + replicas + " while rolled back from " + why
          : why + ": holding partition at " + replicas + " before restoring pods";
    }
  }

  /** Pods went off the stable revision again after a rollback (e.g. a scale-up raced it). */
  record RollingBack(String status) implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return "pods off the stable revision again: " + status;
    }
  }

  /** Every pod is back on stable. */
  record RolledBack(String stable, String target, String key) implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return "all pods back on "
          + stable
          + "; "
          + target
          + " is not retried until Git changes or 'ordinal retry "
          + key
          + "'";
    }
  }

  // ------------------------------------------------------------------ backups

  /**
   * A backup begins: its id is recorded before any snapshot exists. {@code target} is the revision
   * whose rollout waits for it; empty for a user's backup.
   */
  record BackupStarted(String id, int claims, String target) implements RolloutEvent {
    @Override
    public String message() {
      return "backup "
          + id
          + ": snapshotting "
          + claims
          + " claim"
          + (claims == 1 ? "" : "s")
          + (target.isEmpty() ? " at a user's request" : " before any pod moves to " + target);
    }
  }

  /** A quiesce or resume hook starts. */
  record BackupHook(String id, String phase, String hook, int pods) implements RolloutEvent {
    @Override
    public String message() {
      return "backup "
          + id
          + ": running the "
          + phase
          + " hook ("
          + hook
          + (hook.startsWith("exec") ? " in " + pods + " pod" + (pods == 1 ? "" : "s") : "")
          + ")";
    }
  }

  /** The set's VolumeSnapshots are requested. */
  record SnapshotsRequested(String id, List<String> claims) implements RolloutEvent {
    @Override
    public String message() {
      return "backup " + id + ": creating VolumeSnapshots of " + String.join(", ", claims);
    }
  }

  /** The snapshots are taken (and the resume hook ran); waiting until they are readyToUse. */
  record SnapshotsTaken(String id, int claims) implements RolloutEvent {
    @Override
    public String message() {
      return "backup "
          + id
          + ": "
          + claims
          + " VolumeSnapshot"
          + (claims == 1 ? "" : "s")
          + " taken; waiting until readyToUse";
    }
  }

  /** Every snapshot of the set is readyToUse. */
  record BackupReady(String id, int claims, Duration took, boolean manual) implements RolloutEvent {
    @Override
    public String message() {
      return "backup "
          + id
          + " ready: "
          + claims
          + " VolumeSnapshot"
          + (claims == 1 ? "" : "s")
          + " readyToUse after "
          + RolloutEngine.human(took)
          + (manual ? "" : "; the rollout starts");
    }
  }

  /**
   * A backup failed or timed out. {@code what} names the claim or hook, {@code why} what was seen;
   * a rollout waiting for it does not start.
   */
  record BackupFailed(String id, String what, String why, Duration took, boolean rolloutBlocked)
      implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return "backup "
          + id
          + " failed: "
          + what
          + ": "
          + why
          + (rolloutBlocked
              ? "; the rollout does not start (no pod moved), and its snapshots are deleted"
              : "; its snapshots are deleted");
    }
  }

  /** A set is deleted: it failed, or it is older than the newest {@code keep}. */
  record BackupDeleted(String id, String why) implements RolloutEvent {
    @Override
    public String message() {
      return "deleting backup " + id + ": " + why;
    }
  }

  /** Pods ran the target on their volumes: a restore from the backup would now cover them. */
  record RestoreScope(String id, List<String> pods) implements RolloutEvent {
    @Override
    public String message() {
      return String.join(", ", pods)
          + " ran the new revision on "
          + (pods.size() == 1 ? "its volumes" : "their volumes")
          + "; a restore from backup "
          + id
          + " covers "
          + (pods.size() == 1 ? "it" : "them");
    }
  }

  // ------------------------------------------------------------------ restores

  /** A restore begins: the canary pods are taken out of the set, their claims replaced. */
  record RestoreStarted(
      String restoreId, String backupId, List<String> claims, int replicas, boolean auto)
      implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return (auto ? "rollback restores" : "restoring")
          + " "
          + String.join(", ", claims)
          + " from backup "
          + backupId
          + ": replicas lowered to "
          + replicas
          + " while the claims are replaced (restore "
          + restoreId
          + ")";
    }
  }

  /** One step of a restore: a claim deleted or recreated, replicas changed. */
  record RestoreProgress(String restoreId, String step) implements RolloutEvent {
    @Override
    public String reason() {
      return "Restoring";
    }

    @Override
    public String message() {
      return "restore " + restoreId + ": " + step;
    }
  }

  /** The restored pods are back, on their restored claims. */
  record RestoreCompleted(
      String restoreId, String backupId, List<String> claims, Duration took, boolean ready)
      implements RolloutEvent {
    @Override
    public Type type() {
      return ready ? Type.NORMAL : Type.WARNING;
    }

    @Override
    public String message() {
      return "restored "
          + String.join(", ", claims)
          + " from backup "
          + backupId
          + " in "
          + RolloutEngine.human(took)
          + (ready ? "; the pods are Ready" : "; the pods are not Ready yet");
    }
  }

  /** A restore could not go on; {@code why} says what is left as it was. */
  record RestoreFailed(String restoreId, String backupId, String why, Duration took)
      implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return "restore from backup " + backupId + " failed: " + why;
    }
  }

  // ------------------------------------------------------------------ commands

  /** A user's command that does not apply now; consumed so it cannot fire later. */
  record CommandIgnored(Command command, String why) implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return "'" + command.displayName() + "' ignored: " + why;
    }
  }

  record Retry(String revision) implements RolloutEvent {
    @Override
    public String message() {
      return "retrying " + revision + " from step 1 by user request";
    }
  }

  record FailedRevisionsCleared(Set<String> revisions) implements RolloutEvent {
    @Override
    public String message() {
      return "forgot failed revisions " + revisions;
    }
  }

  /** A user paused the rollout. */
  record Paused(int step) implements RolloutEvent {
    @Override
    public String message() {
      return "paused by user at step " + step;
    }
  }

  record Resumed(int step) implements RolloutEvent {
    @Override
    public String message() {
      return "resumed by user at step " + step;
    }
  }

  record PromotedFull(String target) implements RolloutEvent {
    @Override
    public String message() {
      return "skipping remaining steps by user request: full promotion of " + target;
    }
  }

  /** A user promoted past a gate or an inconclusive analysis (step 0: the background one). */
  record Promoted(int step, String what, boolean inconclusive, String next)
      implements RolloutEvent {
    @Override
    public String message() {
      String text;
      if (step == 0) {
        text = "inconclusive background analysis accepted by user";
      } else if (inconclusive) {
        text = "inconclusive analysis at step " + step + " promoted by user";
      } else {
        text = "step " + step + " (" + what + ") promoted by user";
      }
      return text + (next.isEmpty() ? "" : "; next: " + next);
    }
  }

  // ------------------------------------------------------------------ waiting and holds

  /** Nothing to do now; {@code why} says what the rollout waits for. */
  record Waiting(String why) implements RolloutEvent {
    @Override
    public String message() {
      return why;
    }
  }

  /**
   * Healthy, the partition back at the replica count: the next pod template waits for a rollout.
   */
  record PartitionRested(int from, int to) implements RolloutEvent {
    @Override
    public String message() {
      return "partition raised from "
          + from
          + " to "
          + to
          + " between rollouts: a new pod template moves no pod until a rollout lowers it";
    }
  }

  /** The Git applier's hold expired without a new template. */
  record SyncHoldExpired() implements RolloutEvent {
    @Override
    public String message() {
      return "no new pod template arrived; the partition is the rollout's again";
    }
  }

  /** The rollout state annotation cannot be read: Ordinal does not act. */
  record InvalidRolloutState(String annotation, String error) implements RolloutEvent {
    @Override
    public Type type() {
      return Type.WARNING;
    }

    @Override
    public String message() {
      return "annotation " + annotation + " is unreadable, Ordinal does not act: " + error;
    }
  }
}
