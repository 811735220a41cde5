package dev.ordinal.rollout;

/**
 * Why a rollout's phase is what it is, for machines (metrics, the status page, Argo CD's health
 * check); the state's {@code detail} and rendered {@link RolloutState#reason()} are for people.
 */
public enum PhaseReason {
  /** Healthy: nothing to say. */
  NONE,
  /** At a canary step, waiting for its pods. */
  CANARY_STEP,
  /** At a timed pause. */
  TIMED_PAUSE,
  /** At a manual gate: waits for promote. */
  MANUAL_GATE,
  /** At an analysis step, the analysis running. */
  ANALYSIS_RUNNING,
  /** All steps done: every pod moves to the target. */
  FULL_PROMOTION,
  /** A user's pause holds the rollout. */
  USER_PAUSED,
  /** An analysis was inconclusive: a person decides (promote or abort). */
  ANALYSIS_INCONCLUSIVE,
  /** Git went back to the stable revision: pods are restored. */
  REVERTED,
  /** Rolling back (or rolled back) after a failed analysis. */
  ANALYSIS_FAILED,
  /** Rolling back after the progress deadline. */
  PROGRESS_DEADLINE_EXCEEDED,
  /** Rolling back after canary pods crash-looped. */
  CRASH_LOOP,
  /** Rolling back because a user aborted. */
  ABORTED,
  /** Git asks for a revision that failed before; it is not retried. */
  REVISION_FAILED_BEFORE,
  /**
   * An OnDelete StatefulSet cannot go back while its template is the failed revision: Git must be
   * reverted.
   */
  ROLLBACK_NEEDS_GIT_REVERT,
  /** The StatefulSet controller completed an update by itself; that revision is now stable. */
  STABLE_REVISION_ADOPTED,
  /** Taking the backup before the first pod moves. */
  BACKING_UP,
  /** The backup failed or timed out: the rollout did not start, no pod moved. */
  BACKUP_FAILED;

  /** Whether this reason is a rollback's cause (its phase is Degraded or RolledBack). */
  public boolean isRollback() {
    return switch (this) {
      case ANALYSIS_FAILED,
          PROGRESS_DEADLINE_EXCEEDED,
          CRASH_LOOP,
          ABORTED,
          REVISION_FAILED_BEFORE,
          BACKUP_FAILED ->
          true;
      default -> false;
    };
  }
}
