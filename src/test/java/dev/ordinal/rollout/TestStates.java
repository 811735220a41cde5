package dev.ordinal.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Rollout states for tests outside the engine, built field by field. */
public final class TestStates {
  private TestStates() {}

  public static RolloutState of(
      String stable,
      String target,
      int step,
      int count,
      Phase phase,
      PhaseReason reason,
      String detail,
      boolean userPaused,
      Set<String> failed,
      List<VerdictRecord> verdicts,
      Instant at) {
    return new RolloutState(
        new RolloutState.Revisions(stable, target, 1),
        RolloutSource.UNKNOWN,
        new RolloutState.StepPosition(step, count, at),
        new RolloutState.Status(phase, reason, detail),
        new RolloutState.Progress(at, at, 0),
        userPaused,
        new RolloutState.Memory(failed, Set.of(), verdicts),
        null,
        null);
  }

  /** The state with this backup recorded. */
  public static RolloutState withBackup(RolloutState state, RolloutState.Backup backup) {
    return state.withBackup(backup);
  }

  /** {@code step-N templates VERDICT}. */
  public static VerdictRecord verdict(int step, String templates, AnalysisVerdict verdict) {
    return new VerdictRecord(step, templates, verdict, false);
  }
}
