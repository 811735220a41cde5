package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Observation;
import dev.ordinal.rollout.PodView;
import dev.ordinal.rollout.RolloutEngine;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import dev.ordinal.rollout.UpdateStrategy;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatefulSetObserverTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  static StatefulSet sts(Map<String, String> annotations) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("db")
        .withNamespace("prod")
        .withGeneration(4L)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withReplicas(5)
        .withNewSelector()
        .addToMatchLabels("app", "db")
        .endSelector()
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withPartition(3)
        .withMaxUnavailable(new IntOrString("40%"))
        .endRollingUpdate()
        .endUpdateStrategy()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(3L)
        .withCurrentRevision("db-old")
        .withUpdateRevision("db-new")
        .endStatus()
        .build();
  }

  static Pod pod(String name, String revision, boolean ready, int restarts, boolean terminating) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("prod")
            .addToLabels("app", "db")
            .addToLabels("controller-revision-hash", revision)
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .endCondition()
            .addNewContainerStatus()
            .withName("a")
            .withRestartCount(restarts)
            .endContainerStatus()
            .addNewContainerStatus()
            .withName("b")
            .withRestartCount(restarts + 2)
            .endContainerStatus()
            .endStatus();
    if (terminating) {
      b.editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata();
    }
    return b.build();
  }

  @Test
  void mapsStatefulSetPodsCommandsAndVerdicts() {
    RolloutSpec spec =
        RolloutSpec.of(
            Step.Canary.pods(1), new Step.Analysis(List.of(new AnalysisRef("t", Map.of()))));
    RolloutState state = RolloutState.healthy("db-old", NOW);
    FakeAnalysisRuns runs = new FakeAnalysisRuns();
    // The runner knows runs by namespace/name/run id; the engine sees its own run ids.
    runs.runs.put(
        StatefulSetObserver.scopedRunId("prod", "db", RolloutEngine.stepRunId(state, 1)),
        AnalysisVerdict.RUNNING);
    runs.runs.put(RolloutEngine.stepRunId(state, 1), AnalysisVerdict.FAILED); // another set's
    Map<String, String> ann = new HashMap<>();
    ann.put(Annotations.commandKey(Command.PROMOTE), "x");
    ann.put("ordinal.dev/command-bogus", "x");
    StatefulSetObserver observer = new StatefulSetObserver(runs, Clock.fixed(NOW, ZoneOffset.UTC));
    Pod other = pod("dbx-0", "db-old", true, 0, false);
    Observation obs =
        observer
            .observe(
                sts(ann),
                List.of(
                    pod("db-4", "db-new", true, 1, false),
                    pod("db-3", "db-new", false, 0, true),
                    pod("db-0", "db-old", true, 0, false),
                    other),
                Optional.of(state),
                spec)
            .orElseThrow();
    assertEquals(NOW, obs.now());
    assertEquals(5, obs.sts().replicas());
    assertEquals(3, obs.sts().partition());
    assertEquals(2, obs.sts().maxUnavailable());
    assertEquals(UpdateStrategy.ROLLING_UPDATE, obs.sts().strategy());
    assertEquals(4, obs.sts().generation());
    assertEquals(3, obs.sts().observedGeneration());
    assertEquals(
        List.of(
            new PodView("db-0", 0, "db-old", true, 2, false),
            new PodView("db-3", 3, "db-new", false, 2, true),
            new PodView("db-4", 4, "db-new", true, 3, false)),
        obs.pods());
    assertEquals(Set.of(Command.PROMOTE), obs.commands());
    assertEquals(
        Map.of(RolloutEngine.stepRunId(state, 1), AnalysisVerdict.RUNNING), obs.verdicts());
  }

  @Test
  void noStatusYetMeansNothingToObserve() {
    StatefulSet s = sts(Map.of());
    s.getStatus().setUpdateRevision(null);
    StatefulSetObserver observer =
        new StatefulSetObserver(new FakeAnalysisRuns(), Clock.systemUTC());
    assertTrue(observer.observe(s, List.of(), Optional.empty(), RolloutSpec.of()).isEmpty());
  }

  @Test
  void garbledStateIsFlagged() {
    assertTrue(StatefulSetObserver.storedState(sts(Map.of(Annotations.STATE, "{nope"))).garbled());
    assertFalse(StatefulSetObserver.storedState(sts(Map.of())).garbled());
    RolloutState state = RolloutState.healthy("db-old", NOW);
    assertEquals(
        Optional.of(state),
        StatefulSetObserver.storedState(sts(Map.of(Annotations.STATE, state.toJson()))).state());
  }

  @Test
  void maxUnavailableResolution() {
    assertEquals(1, StatefulSetObserver.resolveMaxUnavailable(null, 10));
    assertEquals(3, StatefulSetObserver.resolveMaxUnavailable(new IntOrString(3), 10));
    assertEquals(2, StatefulSetObserver.resolveMaxUnavailable(new IntOrString("25%"), 10));
    assertEquals(1, StatefulSetObserver.resolveMaxUnavailable(new IntOrString("10%"), 5));
  }

  @Test
  void workQueueCoalescesAndNeverHandsOutAKeyTwice() throws Exception {
    KeyedWorkQueue q = new KeyedWorkQueue();
    q.add("a");
    q.add("a");
    q.add("b");
    assertEquals(2, q.size());
    assertEquals("a", q.take());
    q.add("a"); // while processing: queued again only when done
    assertEquals(1, q.size());
    assertEquals("b", q.take());
    q.done("a");
    assertEquals("a", q.take());
    q.done("a");
    q.done("b");
    assertEquals(0, q.size());
  }
}
