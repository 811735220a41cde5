package dev.ordinal.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The canary strategy declared in Git for one StatefulSet.
 *
 * @param steps the canary steps, in order; after the last one comes full promotion
 * @param progressDeadline how long pods may make no progress before the rollout is rolled back;
 *     {@code null} means {@link #DEFAULT_PROGRESS_DEADLINE}
 * @param backgroundAnalysis analyses that run for the whole rollout; a failure at any step rolls
 *     back
 * @param backup snapshots before the first pod moves, and restore on rollback; empty for none
 */
public record RolloutSpec(
    List<Step> steps,
    Duration progressDeadline,
    List<AnalysisRef> backgroundAnalysis,
    Optional<BackupSpec> backup) {

  /** Argo Rollouts' default too: ten minutes without progress. */
  public static final Duration DEFAULT_PROGRESS_DEADLINE = Duration.ofMinutes(10);

  public RolloutSpec {
    steps = steps == null ? List.of() : List.copyOf(steps);
    progressDeadline = progressDeadline == null ? DEFAULT_PROGRESS_DEADLINE : progressDeadline;
    if (progressDeadline.isNegative() || progressDeadline.isZero()) {
      throw new IllegalArgumentException(
          "progressDeadline must be positive, got " + progressDeadline);
    }
    backgroundAnalysis = backgroundAnalysis == null ? List.of() : List.copyOf(backgroundAnalysis);
    backup = backup == null ? Optional.empty() : backup;
  }

  /** A spec without backups. */
  public RolloutSpec(
      List<Step> steps, Duration progressDeadline, List<AnalysisRef> backgroundAnalysis) {
    this(steps, progressDeadline, backgroundAnalysis, Optional.empty());
  }

  /** This spec with backups. */
  public RolloutSpec withBackup(BackupSpec spec) {
    return new RolloutSpec(steps, progressDeadline, backgroundAnalysis, Optional.of(spec));
  }

  /** A spec with the default deadline and no background analysis. */
  public static RolloutSpec of(Step... steps) {
    return new RolloutSpec(List.of(steps), null, List.of());
  }
}
