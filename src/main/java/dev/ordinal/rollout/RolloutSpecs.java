package dev.ordinal.rollout;

import dev.ordinal.manifest.AnalysisArg;
import dev.ordinal.manifest.RolloutPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a validated {@link RolloutPolicy} from Git into the engine's {@link RolloutSpec}. */
public final class RolloutSpecs {
  private RolloutSpecs() {}

  public static RolloutSpec from(RolloutPolicy policy) {
    List<Step> steps = new ArrayList<>();
    for (RolloutPolicy.Step step : policy.steps()) {
      steps.add(step(step));
    }
    List<AnalysisRef> background =
        policy.backgroundAnalysis().map(RolloutSpecs::refs).orElse(List.of());
    return new RolloutSpec(
        steps, policy.progressDeadline(), background, policy.backup().map(RolloutSpecs::backup));
  }

  private static BackupSpec backup(RolloutPolicy.Backup backup) {
    return new BackupSpec(
        backup.volumeSnapshotClassName(),
        backup.volumeClaimTemplates(),
        backup.keep(),
        backup.timeout(),
        BackupSpec.RestoreOnRollback.valueOf(backup.restoreOnRollback().name()),
        backup.quiesce().map(RolloutSpecs::hook),
        backup.resume().map(RolloutSpecs::hook));
  }

  private static BackupSpec.Hook hook(RolloutPolicy.Hook hook) {
    if (hook instanceof RolloutPolicy.ExecHook exec) {
      return new BackupSpec.Exec(exec.command(), exec.container(), exec.timeout());
    }
    RolloutPolicy.JobHook job = (RolloutPolicy.JobHook) hook;
    return new BackupSpec.Job(job.template(), job.timeout());
  }

  private static Step step(RolloutPolicy.Step step) {
    if (step instanceof RolloutPolicy.Canary canary) {
      if (canary.weight() instanceof RolloutPolicy.Replicas replicas) {
        return Step.Canary.pods(replicas.count());
      }
      return Step.Canary.percent(((RolloutPolicy.Percent) canary.weight()).value());
    }
    if (step instanceof RolloutPolicy.Pause pause) {
      return new Step.Pause(pause.duration());
    }
    return new Step.Analysis(refs(((RolloutPolicy.AnalysisStep) step).analysis()));
  }

  /**
   * Each template of an analysis gets the step's args (templates ignore args they don't declare).
   */
  private static List<AnalysisRef> refs(RolloutPolicy.Analysis analysis) {
    Map<String, String> args = new LinkedHashMap<>();
    for (AnalysisArg arg : analysis.args()) {
      arg.value().ifPresent(v -> args.put(arg.name(), v));
    }
    List<AnalysisRef> refs = new ArrayList<>();
    for (String template : analysis.templateNames()) {
      refs.add(new AnalysisRef(template, args));
    }
    return refs;
  }
}
