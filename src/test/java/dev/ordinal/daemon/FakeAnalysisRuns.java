package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An analysis runner whose verdicts the test decides: every started run gets {@link
 * #verdictForNewRuns}, or what the rule given to {@link #verdicts} says for its templates.
 */
public final class FakeAnalysisRuns implements AnalysisRuns {
  final Map<String, AnalysisVerdict> runs = new ConcurrentHashMap<>();
  final List<String> started = new CopyOnWriteArrayList<>();
  final List<String> stopped = new CopyOnWriteArrayList<>();
  volatile AnalysisVerdict verdictForNewRuns = AnalysisVerdict.SUCCESSFUL;
  private volatile Function<List<AnalysisRef>, AnalysisVerdict> rule;

  /** Every run started from now on gets the verdict {@code rule} gives for its templates. */
  public FakeAnalysisRuns verdicts(Function<List<AnalysisRef>, AnalysisVerdict> rule) {
    this.rule = rule;
    return this;
  }

  @Override
  public void start(String runId, List<AnalysisRef> templates, RolloutContext context) {
    Function<List<AnalysisRef>, AnalysisVerdict> r = rule;
    AnalysisVerdict verdict = r == null ? verdictForNewRuns : r.apply(templates);
    if (runs.putIfAbsent(runId, verdict) == null) {
      started.add(runId);
    }
  }

  @Override
  public Optional<AnalysisVerdict> verdict(String runId) {
    return Optional.ofNullable(runs.get(runId));
  }

  @Override
  public void stop(String runId) {
    stopped.add(runId);
    runs.computeIfPresent(
        runId, (k, v) -> v == AnalysisVerdict.RUNNING ? AnalysisVerdict.INCONCLUSIVE : v);
  }
}
