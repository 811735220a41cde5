package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.promotion.PromotionLinks;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.TestStates;
import dev.ordinal.rollout.VerdictRecord;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatusViewTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  static StatefulSet sts(
      int replicas, int partition, String current, String update, Map<String, String> annotations) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("db")
        .withNamespace("prod")
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels("app", "db")
        .endSelector()
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withPartition(partition)
        .endRollingUpdate()
        .endUpdateStrategy()
        .endSpec()
        .withNewStatus()
        .withCurrentRevision(current)
        .withUpdateRevision(update)
        .withReplicas(replicas)
        .endStatus()
        .build();
  }

  /** The controller's counts for these pods, as it would report them in status. */
  static StatefulSet counted(StatefulSet sts, List<Pod> pods) {
    String update = sts.getStatus().getUpdateRevision();
    sts.getStatus()
        .setReadyReplicas(
            (int)
                pods.stream()
                    .filter(p -> "True".equals(p.getStatus().getConditions().get(0).getStatus()))
                    .count());
    sts.getStatus()
        .setUpdatedReplicas(
            (int)
                pods.stream()
                    .filter(
                        p ->
                            update.equals(
                                p.getMetadata().getLabels().get("controller-revision-hash")))
                    .count());
    return sts;
  }

  static Pod pod(int ordinal, String revision, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("db-" + ordinal)
        .withNamespace("prod")
        .addToLabels("app", "db")
        .addToLabels("controller-revision-hash", revision)
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }

  /**
   * Pods 0..n-1: the highest {@code onNew} on {@code newRev}, of which the first {@code notReady}
   * (highest) are not ready.
   */
  static List<Pod> pods(int n, int onNew, int notReady, String stable, String newRev) {
    List<Pod> pods = new ArrayList<>();
    for (int i = n - 1; i >= 0; i--) { // reversed on purpose: the view sorts by ordinal
      boolean isNew = i >= n - onNew;
      pods.add(pod(i, isNew ? newRev : stable, i < n - notReady));
    }
    return pods;
  }

  static RolloutState state(
      int step,
      int count,
      Phase phase,
      PhaseReason reason,
      String detail,
      List<VerdictRecord> verdicts) {
    return TestStates.of(
        "db-1", "db-2", step, count, phase, reason, detail, false, Set.of(), verdicts, T0);
  }

  static Map<String, String> withState(RolloutState state) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(Annotations.STATE, state.toJson());
    return a;
  }

  @Test
  void progressingCanaryStep() {
    RolloutState s =
        state(
            1,
            5,
            Phase.PROGRESSING,
            PhaseReason.CANARY_STEP,
            "canary 2 pods",
            List.of(TestStates.verdict(1, "smoke", AnalysisVerdict.SUCCESSFUL)));
    StatefulSet sts = sts(5, 3, "db-1", "db-2", withState(s));
    String text = StatusView.render(sts, pods(5, 2, 1, "db-1", "db-2"), Optional.of(s));
    assertEquals(
        """
        StatefulSet prod/db
        Progressing  step 2/5  canary 2/5 pods updated, 1 ready  (partition 3)

        Phase:      Progressing
        Reason:     step 2/5: canary 2 pods
        Step:       2 of 5
        Stable:     db-1
        Target:     db-2
        Replicas:   5 (RollingUpdate, partition 3)
        Pods:       3 stable (3 ready), 2 new (1 ready)
          db-0  ready        stable
          db-1  ready        stable
          db-2  ready        stable
          db-3  ready        new
          db-4  not ready    new
        Analysis:
          step-1 smoke SUCCESSFUL
        Commands:   none pending
        """,
        text);
    // Reading the same state from the annotation gives the same view.
    assertEquals(text, StatusView.render(sts, pods(5, 2, 1, "db-1", "db-2")));
  }

  @Test
  void pausedAtAManualGateWithAPendingPromote() {
    RolloutState s =
        state(
            2,
            4,
            Phase.PAUSED,
            PhaseReason.MANUAL_GATE,
            "waiting for 'ordinal promote prod/db'",
            List.of());
    Map<String, String> a = withState(s);
    a.put(Annotations.commandKey(Command.PROMOTE), "2026-11-25T10:05:00Z");
    StatefulSet sts = sts(3, 2, "db-1", "db-2", a);
    assertEquals(
        """
        StatefulSet prod/db
        Paused  step 3/4  canary 1/3 pods updated, 1 ready  (partition 2)

        Phase:      Paused
        Reason:     step 3/4: waiting for 'ordinal promote prod/db'
        Step:       3 of 4
        Stable:     db-1
        Target:     db-2
        Replicas:   3 (RollingUpdate, partition 2)
        Pods:       2 stable (2 ready), 1 new (1 ready)
          db-0  ready        stable
          db-1  ready        stable
          db-2  ready        new
        Analysis:   no verdicts recorded
        Commands:   promote (requested 2026-11-25T10:05:00Z); Ordinal acts at its next decision
        """,
        StatusView.render(sts, pods(3, 1, 0, "db-1", "db-2")));
  }

  @Test
  void stepCountUnknownWhenTheReasonDoesNotSayIt() {
    RolloutState s =
        TestStates.of(
            "db-1",
            "db-2",
            1,
            0,
            Phase.PAUSED,
            PhaseReason.USER_PAUSED,
            "",
            true,
            Set.of(),
            List.of(),
            T0);
    StatefulSet sts = sts(3, 2, "db-1", "db-2", withState(s));
    String text = StatusView.render(sts, pods(3, 1, 0, "db-1", "db-2"));
    assertEquals(
        "Paused  step 2/?  canary 1/3 pods updated, 1 ready  (partition 2)",
        text.lines().toList().get(1));
    assertEquals(
        "Step:       2 of ? (the number of steps is not recorded in the rollout state)",
        text.lines().toList().get(5));
  }

  @Test
  void fullPromotion() {
    RolloutState s = state(2, 0, Phase.PROGRESSING, PhaseReason.FULL_PROMOTION, "", List.of());
    StatefulSet sts = sts(3, 0, "db-1", "db-2", withState(s));
    assertEquals(
        "Progressing  full promotion  2/3 pods updated, 2 ready  (partition 0)",
        StatusView.summary(sts, pods(3, 2, 0, "db-1", "db-2"), Optional.of(s)));
  }

  @Test
  void degradedShowsReasonPodsBackOnStableAndFailedRevision() {
    RolloutState s =
        TestStates.of(
            "db-1",
            "db-2",
            1,
            3,
            Phase.DEGRADED,
            PhaseReason.ANALYSIS_FAILED,
            "analysis step-2 smoke FAILED",
            false,
            Set.of("db-2"),
            List.of(TestStates.verdict(2, "smoke", AnalysisVerdict.FAILED)),
            T0);
    StatefulSet sts = sts(3, 3, "db-1", "db-2", withState(s));
    assertEquals(
        """
        StatefulSet prod/db
        Degraded  2/3 pods on stable, 2 ready  (partition 3)

        Phase:      Degraded
        Reason:     analysis step-2 smoke FAILED; rolling back to db-1
        Stable:     db-1
        Target:     db-2
        Replicas:   3 (RollingUpdate, partition 3)
        Pods:       2 stable (2 ready), 1 new (0 ready)
          db-0  ready        stable
          db-1  ready        stable
          db-2  not ready    new
        Analysis:
          step-2 smoke FAILED
        Failed:     db-2 (not retried until Git changes or 'ordinal retry')
        Commands:   none pending
        """,
        StatusView.render(sts, pods(3, 1, 1, "db-1", "db-2")));
  }

  @Test
  void healthyWithState() {
    RolloutState s = RolloutState.healthy("db-2", T0);
    StatefulSet sts = sts(2, 0, "db-2", "db-2", withState(s));
    assertEquals(
        """
        StatefulSet prod/db
        Healthy  2/2 pods updated, 2 ready  (partition 0)

        Phase:      Healthy
        Stable:     db-2
        Target:     db-2
        Replicas:   2 (RollingUpdate, partition 0)
        Pods:       2 stable (2 ready)
          db-0  ready        stable
          db-1  ready        stable
        Analysis:   no verdicts recorded
        Commands:   none pending
        """,
        StatusView.render(sts, pods(2, 0, 0, "db-2", "db-2")));
  }

  @Test
  void withoutStateHealthyWhenAllReadyOnTheUpdateRevision() {
    List<Pod> pods = pods(2, 0, 0, "db-2", "db-2");
    StatefulSet sts = counted(sts(2, 0, "db-2", "db-2", Map.of()), pods);
    assertEquals(
        """
        StatefulSet prod/db
        Healthy  2/2 pods updated, 2 ready  (partition 0)  [no Ordinal rollout state]

        No Ordinal rollout state is recorded on this StatefulSet (no ordinal.dev/rollout-state annotation); showing what the StatefulSet itself says.
        Phase:      Healthy
        Stable:     db-2 (controller's current revision)
        Target:     db-2 (controller's update revision)
        Replicas:   2 (RollingUpdate, partition 0)
        Pods:       2 stable (2 ready)
          db-0  ready        stable
          db-1  ready        stable
        Commands:   none pending
        """,
        StatusView.render(sts, pods, Optional.empty()));
  }

  @Test
  void withoutStateWhileTheControllerUpdates() {
    List<Pod> pods = pods(3, 1, 1, "db-1", "db-2");
    StatefulSet sts = counted(sts(3, 0, "db-1", "db-2", null), pods);
    String text = StatusView.render(sts, pods);
    List<String> lines = text.lines().toList();
    assertEquals(
        "Updating  1/3 pods updated, 0 ready  (partition 0)  [no Ordinal rollout state]",
        lines.get(1));
    assertEquals("Phase:      Updating", lines.get(4));
    assertEquals("Reason:     1 of 3 pods updated to db-2", lines.get(5));
  }

  @Test
  void garbledStateIsReportedNotFatal() {
    List<Pod> pods = pods(2, 0, 0, "db-2", "db-2");
    StatefulSet sts =
        counted(sts(2, 0, "db-2", "db-2", Map.of(Annotations.STATE, "{not json")), pods);
    assertEquals(
        """
        StatefulSet prod/db
        Healthy  2/2 pods updated, 2 ready  (partition 0)  [rollout state unreadable]

        The rollout state annotation (ordinal.dev/rollout-state) is unreadable: rollout state annotation is not valid JSON: Unexpected character ('n' (code 110)): was expecting double-quote to start field name
        Showing what the StatefulSet itself says.
        Phase:      Healthy
        Stable:     db-2 (controller's current revision)
        Target:     db-2 (controller's update revision)
        Replicas:   2 (RollingUpdate, partition 0)
        Pods:       2 stable (2 ready)
          db-0  ready        stable
          db-1  ready        stable
        Commands:   none pending
        """,
        StatusView.render(sts, pods));
    // A state of another format version is unreadable too.
    StatefulSet v9 =
        counted(sts(2, 0, "db-2", "db-2", Map.of(Annotations.STATE, "{\"v\":9}")), pods);
    assertEquals(
        "Healthy  2/2 pods updated, 2 ready  (partition 0)  [rollout state unreadable]",
        StatusView.render(v9, pods(2, 0, 0, "db-2", "db-2")).lines().toList().get(1));
  }

  @Test
  void aMergedPromotionAndTheRolloutItStartedShowAsTextAndAsData() {
    PromotionLinks.Source source =
        new PromotionLinks.Source("staging-to-prod", "staging", "db", "a".repeat(40));
    PromotionLinks.Merged merged =
        new PromotionLinks.Merged(
            source,
            7,
            "https://github.com/acme/config/pull/7",
            "b".repeat(40),
            new PromotionLinks.TargetRollout("c".repeat(40), 4));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(
        PromotionLinks.PROMOTED_FROM, StatusDocument.render(merged, "json").replace("\n", ""));
    StatefulSet sts = sts(3, 0, "db-2", "db-2", annotations);

    String text = StatusView.render(sts, List.of(), Optional.empty());
    assertTrue(
        text.contains(
            "Promoted:   from staging db@aaaaaaaaaaaa by staging-to-prod, pull request #7 merged as"
                + " bbbbbbbbbbbb; rollout 4 of cccccccccccc\n"),
        text);
    StatusDocument document = StatusDocument.of(sts, List.of());
    assertEquals(merged, document.promotedFrom());
    assertTrue(
        StatusDocument.render(document, "json").contains("\"mergeCommit\" : \"" + "b".repeat(40)),
        StatusDocument.render(document, "json"));
  }

  @Test
  void tableOfSeveral() {
    RolloutState s =
        state(1, 5, Phase.PROGRESSING, PhaseReason.CANARY_STEP, "canary 2 pods", List.of());
    Map<String, String> a = withState(s);
    a.put(Annotations.commandKey(Command.ABORT), "2026-11-25T10:05:00Z");
    StatefulSet db = sts(5, 3, "db-1", "db-2", a);
    StatefulSet cache = sts(2, 0, "db-2", "db-2", Map.of(Annotations.STATE, "garbage"));
    cache.getMetadata().setName("cache");
    String table =
        StatusView.table(
            List.of(db, cache), x -> x == db ? pods(5, 2, 0, "db-1", "db-2") : List.of());
    assertEquals(
        """
        NAME   PHASE             STEP  UPDATED  READY  PARTITION  STABLE  TARGET  COMMANDS
        cache  unreadable-state  -     0/2      0/2    0          db-2    db-2    -
        db     Progressing       2/5   2/5      2/5    3          db-1    db-2    abort
        """,
        table);
  }

  @Test
  void rolledBackAndOnDeleteSummaries() {
    RolloutState s =
        TestStates.of(
            "db-1",
            "db-2",
            0,
            3,
            Phase.ROLLED_BACK,
            PhaseReason.PROGRESS_DEADLINE_EXCEEDED,
            "no progress for 10m at step 1",
            false,
            Set.of("db-2"),
            List.of(),
            T0);
    StatefulSet sts = sts(3, 3, "db-1", "db-2", withState(s));
    assertEquals(
        "RolledBack  3/3 pods on stable, 3 ready  (partition 3)",
        StatusView.summary(sts, pods(3, 0, 0, "db-1", "db-2"), Optional.of(s)));

    StatefulSet onDelete = sts(3, 0, "db-1", "db-2", Map.of());
    onDelete.getSpec().getUpdateStrategy().setType("OnDelete");
    onDelete.getSpec().getUpdateStrategy().setRollingUpdate(null);
    String text = StatusView.render(onDelete, pods(3, 1, 0, "db-1", "db-2"));
    assertEquals(
        "Updating  1/3 pods updated, 1 ready  (OnDelete)  [no Ordinal rollout state]",
        text.lines().toList().get(1));
    assertEquals(true, text.contains("Replicas:   3 (OnDelete)\n"), text);
  }

  @Test
  void podsOfPicksTheStatefulSetsOwnPodsOnly() {
    StatefulSet db = sts(2, 0, "db-1", "db-1", Map.of());
    Pod other =
        new PodBuilder()
            .withNewMetadata()
            .withName("db-web-0")
            .addToLabels("app", "db")
            .endMetadata()
            .build();
    Pod stray =
        new PodBuilder()
            .withNewMetadata()
            .withName("db-7")
            .addToLabels("app", "web")
            .endMetadata()
            .build();
    List<Pod> all = new ArrayList<>(pods(2, 0, 0, "db-1", "db-1"));
    all.add(other);
    all.add(stray);
    assertEquals(
        List.of("db-1", "db-0"),
        StatusCommand.podsOf(db, all).stream().map(p -> p.getMetadata().getName()).toList());
  }
}
