package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.testkit.Loaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RolloutSpecsTest {
  @Test
  void prodExamplePolicyMapsStepForStep() throws Exception {
    LoadResult.Loaded loaded =
        (LoadResult.Loaded)
            Loaders.forFixtures()
                .load(LocalDirectory.read(Path.of("examples/orders-db/envs/prod")));
    RolloutSpec spec = RolloutSpecs.from(loaded.state().policies().get("orders-db-canary"));

    assertEquals(Duration.ofSeconds(600), spec.progressDeadline());
    assertEquals(Step.Canary.pods(1), spec.steps().get(0));
    assertEquals(
        new Step.Pause(Optional.empty()),
        spec.steps().stream().filter(s -> s instanceof Step.Pause).findFirst().orElseThrow());
    Step.Analysis analysis =
        (Step.Analysis)
            spec.steps().stream().filter(s -> s instanceof Step.Analysis).findFirst().orElseThrow();
    assertEquals(
        List.of("replication-lag", "query-errors", "statement-latency"),
        analysis.templates().stream().map(AnalysisRef::templateName).toList());
    assertEquals(Map.of(), analysis.templates().get(0).args());
    assertEquals(Step.Canary.pods(2), spec.steps().get(3));
    assertEquals(
        List.of("pod-restarts"),
        spec.backgroundAnalysis().stream().map(AnalysisRef::templateName).toList());
  }
}
