package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An analysis runner whose verdicts the test decides: every started run gets {@link
 * #verdictForNewRuns}.
 */
public final class FakeAnalysisRuns implements AnalysisRuns {
  final Map<String, AnalysisVerdict> runs = new ConcurrentHashMap<>();
  final List<String> started = new CopyOnWriteArrayList<>();
  final List<String> stopped = new CopyOnWriteArrayList<>();
  volatile AnalysisVerdict verdictForNewRuns = AnalysisVerdict.SUCCESSFUL;

  @Override
  public void start(String runId, List<AnalysisRef> templates, RolloutContext context) {
    if (runs.putIfAbsent(runId, verdictForNewRuns) == null) {
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
