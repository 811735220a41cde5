package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.PodSimulator.Behaviour;
import dev.ordinal.testkit.PodSimulator.PodRecord;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The executor and controller against a real kube-apiserver and the real StatefulSet controller;
 * {@code PodSimulator} plays the kubelet.
 */
@ControlPlaneTest
class RolloutControllerIT {

  static final RolloutSpec THREE_STEPS =
      RolloutSpec.of(
          Step.Canary.pods(1),
          Step.Pause.of(Duration.ofSeconds(1)),
          Step.Canary.percent(40),
          Step.Canary.percent(80));

  @Test
  void happyPathThroughThreeCanaryStepsAndATimedPause(KubernetesClient client, TestNamespace ns)
      throws Exception {
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "web", THREE_STEPS)) {
      String v1 = h.create(5, "registry.local/web:1", false);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.phase() == Phase.HEALTHY && s.targetRevision().equals(v1));

      String v2 = h.apply("registry.local/web:2");
      RolloutState done =
          h.awaitState(
              "healthy on v2", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
      await("all pods on v2", RolloutHarness.TIMEOUT, () -> h.allOn(v2, 5), h::pods);
      assertEquals(v2, done.targetRevision());

      // canary 1 → partition 4; 40% of 5 = 2 → 3; 80% = 4 → 1; full promotion → 0
      assertEquals(List.of(4, 3, 1, 0), h.partitions(), "partitions " + h.describeLog());
      // Then, the controller having made v2 current, the partition rests at the replica count so
      // that the next template waits for a rollout, whoever applies it.
      // The listener hears of a write after it lands, so both are awaited.
      await(
          "the partition back at 5, by a PartitionRested write",
          RolloutHarness.TIMEOUT,
          () ->
              Integer.valueOf(5)
                      .equals(
                          h.sts().getSpec().getUpdateStrategy().getRollingUpdate().getPartition())
                  && h.log.stream()
                      .filter(e -> e.action() instanceof Action.SetPartition)
                      .reduce((first, second) -> second)
                      .map(e -> e.action().event() instanceof RolloutEvent.PartitionRested)
                      .orElse(false),
          h::describeLog);
      List<PodRecord> moved =
          h.sim.seen().stream()
              .filter(r -> r.revision().equals(v2))
              .sorted(Comparator.comparing(PodRecord::seenAt))
              .toList();
      assertEquals(
          List.of("web-4", "web-3", "web-2", "web-1", "web-0"),
          moved.stream().map(PodRecord::name).toList());
      // each partition step was written only after the pods of the previous step were Ready
      List<RolloutHarness.Executed> setPartitions =
          h.log.stream()
              .filter(e -> e.action() instanceof Action.SetPartition)
              .filter(e -> !(e.action().event() instanceof RolloutEvent.PartitionRested))
              .toList();
      Map<Integer, Integer> podsBefore = Map.of(3, 1, 1, 2, 0, 4);
      for (RolloutHarness.Executed e : setPartitions) {
        int p = ((Action.SetPartition) e.action()).partition();
        Integer n = podsBefore.get(p);
        if (n == null) {
          continue;
        }
        for (PodRecord r : moved.subList(0, n)) {
          assertNotNull(r.readyAt(), r.name() + " became Ready");
          // Ready from when the simulator sent the status write: the watch may bring it to the
          // loop, and the partition write may return, before the simulator hears its response.
          assertTrue(
              !e.at().isBefore(r.readyRequestedAt()),
              "partition "
                  + p
                  + " written at "
                  + e.at()
                  + " before "
                  + r.name()
                  + " was made Ready at "
                  + r.readyRequestedAt());
        }
      }
      // the timed pause held for its duration between canary 1 and canary 40%
      Instant first = setPartitions.get(0).at();
      Instant second = setPartitions.get(1).at();
      assertTrue(
          Duration.between(first, second).compareTo(Duration.ofSeconds(1)) >= 0, "pause honoured");
      assertEquals(
          Integer.valueOf(5),
          h.sts().getSpec().getUpdateStrategy().getRollingUpdate().getPartition(),
          "at rest after the rollout");
      assertTrue(h.events().contains("Initialized"), "events " + h.events());
    }
  }

  @Test
  void manualGateWaitsForPromoteAnnotation(KubernetesClient client, TestNamespace ns)
      throws Exception {
    RolloutSpec spec =
        RolloutSpec.of(Step.Canary.pods(1), Step.Pause.untilPromoted(), Step.Canary.percent(50));
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "gate", spec)) {
      String v1 = h.create(3, "registry.local/gate:1", false);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      String v2 = h.apply("registry.local/gate:2");
      h.awaitState("paused at the gate", s -> s.phase() == Phase.PAUSED && s.stepIndex() == 1);
      h.poke();
      assertEquals(Phase.PAUSED, h.state().orElseThrow().phase(), "still paused without promote");
      assertEquals(2, h.sts().getSpec().getUpdateStrategy().getRollingUpdate().getPartition());

      h.annotate(Annotations.commandKey(Command.PROMOTE), "now");
      h.awaitState(
          "healthy on v2", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
      await("all pods on v2", RolloutHarness.TIMEOUT, () -> h.allOn(v2, 3), h::pods);
      assertFalse(
          h.sts()
              .getMetadata()
              .getAnnotations()
              .containsKey(Annotations.commandKey(Command.PROMOTE)),
          "promote consumed");
    }
  }

  /** Two of five pods, then a manual gate; five seconds without progress rolls back. */
  private static final RolloutSpec CANARY_THEN_PROMOTE_5S_DEADLINE =
      new RolloutSpec(
          List.of(Step.Canary.percent(40), Step.Pause.untilPromoted()),
          Duration.ofSeconds(5),
          List.of());

  @Test
  void neverReadyCanaryIsRolledBack(KubernetesClient client, TestNamespace ns) throws Exception {
    try (RolloutHarness h =
        new RolloutHarness(client, ns.name(), "bad", CANARY_THEN_PROMOTE_5S_DEADLINE)) {
      String v1 = h.create(5, "registry.local/bad:1", false);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      StatefulSetsHold.holdNeverReady(h, "registry.local/bad:2");
      String v2 = h.sts().getStatus().getUpdateRevision();
      RolloutState s = h.awaitState("rolled back", st -> st.phase() == Phase.ROLLED_BACK);
      assertEquals(v1, s.stableRevision());
      assertTrue(s.failedRevisions().contains(v2));
      await("all pods back on v1", RolloutHarness.TIMEOUT, () -> h.allOn(v1, 5), h::pods);
      assertEquals(
          Integer.valueOf(5),
          h.sts().getSpec().getUpdateStrategy().getRollingUpdate().getPartition());
      assertEquals(
          "registry.local/bad:2",
          h.sts().getSpec().getTemplate().getSpec().getContainers().get(0).getImage(),
          "Git's template stays");
      assertTrue(
          h.events().stream()
              .anyMatch(
                  e ->
                      e.contains("Rollback") || e.contains("RolledBack") || e.contains("Deadline")),
          "events " + h.events());
    }
  }

  /**
   * The canary's first pod becomes Ready on the new revision and the controller moves on to the
   * next, which never does. An OrderedReady controller recreates a pod only once every lower
   * ordinal is Ready, so the rollback must send the unready lower pod back first: deleting the
   * Ready higher one first left it missing for good, and the rollback stuck.
   */
  @Test
  void rollbackSendsTheUnreadyLowerPodBackFirst(KubernetesClient client, TestNamespace ns)
      throws Exception {
    try (RolloutHarness h =
        new RolloutHarness(client, ns.name(), "half", CANARY_THEN_PROMOTE_5S_DEADLINE)) {
      String v1 = h.create(5, "registry.local/half:1", false);
      h.sim.behaveForPodOnImage("half-3", "registry.local/half:2", Behaviour.NEVER_READY);
      h.controller("a").start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      StatefulSetsHold.holdBehaving(h, "registry.local/half:2", Behaviour.READY);
      String v2 = h.sts().getStatus().getUpdateRevision();
      await(
          "half-4 Ready on the new revision and half-3 on it too",
          RolloutHarness.TIMEOUT,
          () ->
              h.sim.readyOrder().stream()
                      .anyMatch(p -> p.name().equals("half-4") && p.revision().equals(v2))
                  && h.pods().getOrDefault("half-3", "").equals(v2),
          h::pods);

      RolloutState s = h.awaitState("rolled back", st -> st.phase() == Phase.ROLLED_BACK);

      assertEquals(v1, s.stableRevision());
      assertTrue(s.failedRevisions().contains(v2));
      await("all pods back on v1", RolloutHarness.TIMEOUT, () -> h.allOn(v1, 5), h::pods);
      List<String> sentBack =
          h.log.stream()
              .map(RolloutHarness.Executed::action)
              .filter(Action.DeletePod.class::isInstance)
              .map(a -> ((Action.DeletePod) a).podName())
              .toList();
      assertEquals(List.of("half-3", "half-4"), sentBack, "pods sent back, in order");
    }
  }
}
