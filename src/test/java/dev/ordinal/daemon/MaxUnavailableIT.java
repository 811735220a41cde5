package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.Step;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.PodSimulator.PodRecord;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With {@code maxUnavailable: 2} a canary step of two pods is one partition write, and the real
 * StatefulSet controller takes both pods down at once rather than one after the other.
 */
@ControlPlaneTest
class MaxUnavailableIT {
  @Test
  void aStepMovesABatchOfPodsInParallel(KubernetesClient client, TestNamespace ns)
      throws Exception {
    RolloutSpec spec =
        RolloutSpec.of(Step.Canary.percent(50), Step.Pause.of(Duration.ofSeconds(1)));
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "batch", spec)) {
      String v1 = h.create(4, "registry.local/batch:1", false);
      StatefulSets.edit(
          client,
          ns.name(),
          "batch",
          s ->
              s.getSpec()
                  .getUpdateStrategy()
                  .getRollingUpdate()
                  .setMaxUnavailable(new IntOrString(2)));
      assertEquals(
          new IntOrString(2),
          h.sts().getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable(),
          "the API server keeps maxUnavailable (feature gate on)");
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));

      String v2 = h.apply("registry.local/batch:2");
      h.awaitState(
          "healthy on v2", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
      await("all pods on v2", RolloutHarness.TIMEOUT, () -> h.allOn(v2, 4), h::pods);

      assertEquals(
          List.of(2, 0), h.partitions(), "one partition write per step: " + h.describeLog());
      List<PodRecord> moved =
          h.sim.seen().stream()
              .filter(r -> r.revision().equals(v2))
              .sorted(Comparator.comparing(PodRecord::seenAt))
              .toList();
      // One pod at a time, batch-3 would be replaced (and Ready) before batch-2 was touched. Taken
      // down together, OrderedReady recreates the lower ordinal first: batch-2 appears before
      // batch-3.
      assertEquals(
          List.of("batch-2", "batch-3"),
          moved.subList(0, 2).stream().map(PodRecord::name).toList(),
          moved.toString());
    }
  }
}
