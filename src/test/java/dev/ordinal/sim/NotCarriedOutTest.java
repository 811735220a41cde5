package dev.ordinal.sim;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.daemon.FakeAnalysisRuns;
import dev.ordinal.daemon.Workloads;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.Step;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A decision whose action finds nothing to do (the pod it deletes already gone) is not told to the
 * loop's listeners, which count what was done: the real control plane's cache can lag a deletion,
 * so that the same pod is decided twice, the second time gone; the differential test counted it.
 */
class NotCarriedOutTest {

  /** Deletes each pod itself, then answers as a cluster does for a pod already gone. */
  private record GoneBeforeDeleted(SimCluster cluster) implements Workloads {
    @Override
    public AutoCloseable watch(Set<String> namespaces, Listener listener) {
      return cluster.watch(namespaces, listener);
    }

    @Override
    public Optional<StatefulSet> statefulSet(String key, Read read) {
      return cluster.statefulSet(key, read);
    }

    @Override
    public List<Pod> pods(StatefulSet sts, Read read) {
      return cluster.pods(sts, read);
    }

    @Override
    public WriteResult write(StatefulSet observed, RolloutWrite write) {
      return cluster.write(observed, write);
    }

    @Override
    public PodDeletion deletePod(String namespace, String pod, String revision) {
      cluster.deletePod(namespace, pod, revision);
      return PodDeletion.GONE;
    }
  }

  @Test
  void aPodAlreadyGoneIsNotToldAsDeleted() throws Exception {
    try (SimStage stage = new SimStage(new FakeAnalysisRuns())) {
      stage.create("od", 3, "registry.local/od:1", "OnDelete", null);
      List<Action> told = new CopyOnWriteArrayList<>();
      stage
          .loop(RolloutSpec.of(Step.Canary.pods(1)), new GoneBeforeDeleted(stage.cluster))
          .onAction((key, action) -> told.add(action))
          .start();
      String v2 = stage.apply("od", "registry.local/od:2");
      await(
          "all on v2 and healthy",
          Duration.ofSeconds(60),
          () ->
              stage.pods("od").values().stream().allMatch(v2::equals)
                  && stage.state("od").map(s -> s.phase() == Phase.HEALTHY).orElse(false)
                  && stage.state("od").get().stableRevision().equals(v2),
          () -> stage.pods("od") + " " + told);
      // Three pods were replaced, each deleted by the wrapper: none by Ordinal.
      assertEquals(
          6,
          stage.podHistory("od").size(),
          "three pods, each replaced once: " + stage.podHistory("od"));
      assertTrue(
          told.stream().noneMatch(a -> a instanceof Action.DeletePod),
          "no DeletePod told: " + told);
      assertTrue(
          told.stream().anyMatch(a -> a.event().reason().equals("RolloutCompleted")), "" + told);
    }
  }
}
