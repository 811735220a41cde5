package dev.ordinal.rollout;

import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One look at the cluster: the only source of time and cluster facts for a decision.
 *
 * @param verdicts the analysis runner's verdict per run id (see {@link RolloutEngine#stepRunId}); a
 *     run that exists but has no result yet must be reported as RUNNING
 * @param commands user commands present in the annotations, not yet consumed
 * @param commandArgs the annotation values of those commands that carry one (restore: a backup id)
 * @param backups the StatefulSet's snapshot sets, hook runs and, during a restore, its claims
 * @param failedMetrics per run id whose verdict is FAILED or ERROR, the metrics that decided it
 *     ({@code template/metric}), for the rollback's reason
 */
public record Observation(
    Instant now,
    StatefulSetView sts,
    List<PodView> pods,
    Map<String, AnalysisVerdict> verdicts,
    Set<Command> commands,
    Map<Command, String> commandArgs,
    BackupView backups,
    Map<String, List<String>> failedMetrics) {
  public Observation {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(sts, "sts");
    // sorted copies so decisions never depend on the order the adapter listed things in
    pods =
        pods == null
            ? List.of()
            : pods.stream()
                .sorted(Comparator.comparingInt(PodView::ordinal).thenComparing(PodView::name))
                .toList();
    verdicts = verdicts == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(verdicts));
    commands =
        commands == null || commands.isEmpty()
            ? Set.of()
            : Collections.unmodifiableSet(EnumSet.copyOf(commands));
    commandArgs =
        commandArgs == null || commandArgs.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(commandArgs));
    backups = backups == null ? BackupView.NONE : backups;
    failedMetrics =
        failedMetrics == null || failedMetrics.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(failedMetrics));
  }

  /** An observation of a StatefulSet without backups, naming no failed metric. */
  public Observation(
      Instant now,
      StatefulSetView sts,
      List<PodView> pods,
      Map<String, AnalysisVerdict> verdicts,
      Set<Command> commands) {
    this(now, sts, pods, verdicts, commands, Map.of(), BackupView.NONE, Map.of());
  }

  /**
   * The pod with this ordinal, if listed. When several are (a replacement racing), the first by
   * name.
   */
  public Optional<PodView> pod(int ordinal) {
    return pods.stream().filter(p -> p.ordinal() == ordinal).findFirst();
  }
}
