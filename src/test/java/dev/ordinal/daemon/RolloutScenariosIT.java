package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.PodSimulator.Behaviour;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rollbacks, commands, supersede, scaling and OnDelete against the real StatefulSet controller. */
@ControlPlaneTest
class RolloutScenariosIT {

  static final RolloutSpec GATED = RolloutSpec.of(Step.Canary.pods(2), Step.Pause.untilPromoted());

  private static int partition(RolloutHarness h) {
    return h.sts().getSpec().getUpdateStrategy().getRollingUpdate().getPartition();
  }

  @Test
  void crashLoopingCanaryRollsBackBeforeTheDeadline(KubernetesClient client, TestNamespace ns)
      throws Exception {
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "crash", GATED)) {
      String v1 = h.create(3, "registry.local/crash:1", false);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      String v2 = StatefulSetsHold.holdBehaving(h, "registry.local/crash:2", Behaviour.CRASH_LOOP);
      RolloutState s = h.awaitState("rolled back", st -> st.phase() == Phase.ROLLED_BACK);
      assertTrue(s.failedRevisions().contains(v2));
      await("all pods on v1", RolloutHarness.TIMEOUT, () -> h.allOn(v1, 3), h::pods);
      assertEquals(3, partition(h));
    }
  }

  @Test
  void abortMidWayRollsBackAndRetryStartsAgain(KubernetesClient client, TestNamespace ns)
      throws Exception {
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "abort", GATED)) {
      String v1 = h.create(4, "registry.local/abort:1", false);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      String v2 = h.apply("registry.local/abort:2");
      RolloutState paused = h.awaitState("paused with 2 canaries", s -> s.phase() == Phase.PAUSED);
      assertEquals(Map.of("abort-0", v1, "abort-1", v1, "abort-2", v2, "abort-3", v2), h.pods());

      h.annotate(Annotations.commandKey(Command.ABORT), "now");
      h.awaitState("rolled back", s -> s.phase() == Phase.ROLLED_BACK);
      await("all pods on v1", RolloutHarness.TIMEOUT, () -> h.allOn(v1, 4), h::pods);
      assertEquals(List.of("abort-3", "abort-2"), h.deletions(), "highest first, one at a time");
      assertFalse(
          h.sts()
              .getMetadata()
              .getAnnotations()
              .containsKey(Annotations.commandKey(Command.ABORT)));
      assertEquals(
          "registry.local/abort:2",
          h.sts().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());

      h.annotate(Annotations.commandKey(Command.RETRY), "now");
      RolloutState again =
          h.awaitState(
              "paused again", s -> s.phase() == Phase.PAUSED && s.rollout() > paused.rollout());
      assertEquals(v2, again.targetRevision());
      assertFalse(
          h.sts()
              .getMetadata()
              .getAnnotations()
              .containsKey(Annotations.commandKey(Command.RETRY)));
      h.annotate(Annotations.commandKey(Command.PROMOTE), "now");
      h.awaitState(
          "healthy on v2", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
      await("all pods on v2", RolloutHarness.TIMEOUT, () -> h.allOn(v2, 4), h::pods);
    }
  }

  @Test
  void newTemplateMidRolloutEndsOnTheNewest(KubernetesClient client, TestNamespace ns)
      throws Exception {
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "sup", GATED)) {
      String v1 = h.create(4, "registry.local/sup:1", false);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      String v2 = h.apply("registry.local/sup:2");
      h.awaitState("paused on v2", s -> s.phase() == Phase.PAUSED && s.targetRevision().equals(v2));
      String v3 = h.apply("registry.local/sup:3");
      h.awaitState("paused on v3", s -> s.phase() == Phase.PAUSED && s.targetRevision().equals(v3));
      h.annotate(Annotations.commandKey(Command.PROMOTE), "now");
      RolloutState done =
          h.awaitState(
              "healthy on v3", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v3));
      await("all pods on v3", RolloutHarness.TIMEOUT, () -> h.allOn(v3, 4), h::pods);
      assertEquals(v3, done.targetRevision());
      assertTrue(h.events().contains("Superseded"), "events " + h.events());
    }
  }

  @Test
  void scaleChangeMidRolloutKeepsTheCanaryShare(KubernetesClient client, TestNamespace ns)
      throws Exception {
    RolloutSpec spec = RolloutSpec.of(Step.Canary.percent(50), Step.Pause.untilPromoted());
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "scale", spec)) {
      String v1 = h.create(4, "registry.local/scale:1", false);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      String v2 = h.apply("registry.local/scale:2");
      h.awaitState("paused at 50%", s -> s.phase() == Phase.PAUSED);
      assertEquals(2, partition(h));
      StatefulSets.edit(client, ns.name(), "scale", s -> s.getSpec().setReplicas(6));
      // 50% of 6 = 3 pods on v2: partition 3
      await(
          "partition follows the scale",
          RolloutHarness.TIMEOUT,
          () -> partition(h) == 3,
          h::describeLog);
      // ordinals 3..5 at or above the partition run v2. The real controller never moves a pod
      // below the partition back, so Ordinal deletes scale-2 (a canary from before the scale-up)
      // and the controller recreates it on v1: the canary stays at 3 of 6.
      await(
          "exactly ordinals 3..5 on v2",
          RolloutHarness.TIMEOUT,
          () -> {
            Map<String, String> pods = h.pods(); // read once: one moment, not several
            return pods.size() == 6
                && List.of("scale-3", "scale-4", "scale-5").stream()
                    .allMatch(p -> v2.equals(pods.get(p)))
                && List.of("scale-0", "scale-1", "scale-2").stream()
                    .allMatch(p -> v1.equals(pods.get(p)));
          },
          h::pods);
      // A decision is told to listeners after its write: the recreated pod can be seen first.
      await(
          "the send-back told",
          RolloutHarness.TIMEOUT,
          () -> !h.deletions().isEmpty(),
          h::describeLog);
      assertEquals(List.of("scale-2"), h.deletions(), h.describeLog().toString());
      assertEquals(Phase.PAUSED, h.state().orElseThrow().phase(), "the gate still holds");
      assertTrue(h.describeLog().contains("SetPartition(3)"), h.describeLog().toString());
      h.annotate(Annotations.commandKey(Command.PROMOTE), "now");
      h.awaitState(
          "healthy on v2", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
      await("all 6 pods on v2", RolloutHarness.TIMEOUT, () -> h.allOn(v2, 6), h::pods);
      assertEquals(0, partition(h));
    }
  }

  @Test
  void onDeleteStrategyMovesPodsByDeletingThem(KubernetesClient client, TestNamespace ns)
      throws Exception {
    RolloutSpec spec =
        RolloutSpec.of(
            Step.Canary.pods(1), Step.Pause.of(Duration.ofSeconds(1)), Step.Canary.percent(67));
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "od", spec)) {
      String v1 = h.create(3, "registry.local/od:1", true);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      String v2 = h.apply("registry.local/od:2");
      h.awaitState(
          "healthy on v2", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
      await("all pods on v2", RolloutHarness.TIMEOUT, () -> h.allOn(v2, 3), h::pods);
      assertEquals(List.of("od-2", "od-1", "od-0"), h.deletions(), h.describeLog().toString());
      assertTrue(h.partitions().isEmpty(), "no partition writes for OnDelete: " + h.describeLog());
    }
  }

  @Test
  void failedAnalysisRollsBack(KubernetesClient client, TestNamespace ns) throws Exception {
    RolloutSpec spec =
        RolloutSpec.of(
            Step.Canary.pods(1),
            Step.Analysis.class.cast(
                new Step.Analysis(List.of(new AnalysisRef("error-rate", Map.of())))),
            Step.Canary.percent(100));
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "ana", spec)) {
      h.analysis.verdictForNewRuns = AnalysisVerdict.FAILED;
      String v1 = h.create(3, "registry.local/ana:1", false);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      String v2 = h.apply("registry.local/ana:2");
      RolloutState s = h.awaitState("rolled back", st -> st.phase() == Phase.ROLLED_BACK);
      assertTrue(s.failedRevisions().contains(v2));
      await("all pods on v1", RolloutHarness.TIMEOUT, () -> h.allOn(v1, 3), h::pods);
      assertEquals(1, h.analysis.started.size(), "one run started: " + h.analysis.started);
      assertTrue(
          h.analysis.started.get(0).startsWith(ns.name() + "/ana/" + v2 + "/r"),
          "run ids are scoped by namespace and name: " + h.analysis.started);
      assertEquals(List.of("ana-2"), h.deletions());
    }
  }

  @Test
  void garbledStateIsReportedAndNotActedOn(KubernetesClient client, TestNamespace ns)
      throws Exception {
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "garbled", GATED)) {
      h.create(3, "registry.local/garbled:1", false);
      h.annotate(Annotations.STATE, "{not json");
      h.controller("a").start();
      await(
          "warning event",
          RolloutHarness.TIMEOUT,
          () -> h.events().contains("InvalidRolloutState"),
          h::events);
      h.apply("registry.local/garbled:2");
      // The loop warns once per version of the object: a second warning (aggregated into the
      // first Event's count) means it saw the new one.
      await(
          "the loop to look at the new version",
          RolloutHarness.TIMEOUT,
          () -> h.timesTold("InvalidRolloutState") >= 2,
          h::events);
      assertTrue(h.log.isEmpty(), "no action on a garbled state: " + h.describeLog());
      assertEquals(3, partition(h));
      assertEquals("{not json", h.sts().getMetadata().getAnnotations().get(Annotations.STATE));
    }
  }
}
