package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RolloutPreviewTest {

  static final RolloutSpec SPEC =
      new RolloutSpec(
          List.of(
              Step.Canary.pods(1),
              new Step.Analysis(List.of(new AnalysisRef("error-rate", Map.of("service", "db")))),
              Step.Pause.of(Duration.ofMinutes(5)),
              Step.Pause.untilPromoted()),
          Duration.ofMinutes(10),
          List.of(new AnalysisRef("latency", Map.of("service", "db", "p", "99"))));

  @Test
  void rollingUpdatePlan() {
    assertEquals(
        """
        ### Rollout plan for prod/db (5 replicas, RollingUpdate)

        1. canary 1 pod: db-4 → new revision (partition 5 → 4)
        2. analysis error-rate (args service=db) — waits for verdict
        3. pause 5m
        4. pause until 'ordinal promote prod/db'
        5. full promotion: db-3..db-0 (partition → 0)

        Progress deadline: 10m without a pod becoming updated and Ready at a canary step or full promotion → rollback.
        Background analysis: latency (args p=99, service=db) — runs for the whole rollout; a failure at any step → rollback.
        Crash loop: a pod on the new revision restarting 3 times → rollback at once.
        Rollback: partition → 5 (hold), then pods on the new revision are deleted one at a time, highest ordinal first, each after the previous one is back and Ready on the stable revision.
        A failed revision is not retried until Git changes or 'ordinal retry prod/db'.
        """,
        RolloutPreview.render(SPEC, "prod", "db", 5, "RollingUpdate"));
  }

  @Test
  void onDeletePlanWithPercentSteps() {
    RolloutSpec spec =
        new RolloutSpec(
            List.of(Step.Canary.percent(20), Step.Canary.percent(10), Step.Canary.percent(50)),
            Duration.ofMinutes(90),
            null);
    assertEquals(
        """
        ### Rollout plan for prod/db (5 replicas, OnDelete)

        1. canary 20% (1 pod): delete db-4; it comes back on the new revision
        2. canary 10% (1 pod): no further pods
        3. canary 50% (3 pods): delete db-3..db-2 one at a time; each comes back on the new revision
        4. full promotion: delete db-1..db-0 one at a time; each comes back on the new revision

        Progress deadline: 1h30m without a pod becoming updated and Ready at a canary step or full promotion → rollback.
        Crash loop: a pod on the new revision restarting 3 times → rollback at once.
        Rollback: no further pods are deleted; OnDelete recreates pods from the template, so pods on the new revision return to the stable revision only once the change is reverted in Git.
        A failed revision is not retried until Git changes or 'ordinal retry prod/db'.
        """,
        RolloutPreview.render(spec, "prod", "db", 5, "OnDelete"));
  }

  @Test
  void multiPodCanaryAndNoStepsAtAll() {
    String multi =
        RolloutPreview.render(
            RolloutSpec.of(Step.Canary.pods(3), Step.Canary.pods(3)),
            "",
            "kafka",
            6,
            "RollingUpdate");
    assertTrue(
        multi.startsWith("### Rollout plan for kafka (6 replicas, RollingUpdate)\n\n"), multi);
    assertTrue(
        multi.contains("1. canary 3 pods: kafka-5..kafka-3 → new revision (partition 6 → 3)\n"),
        multi);
    assertTrue(multi.contains("2. canary 3 pods: no further pods (partition stays 3)\n"), multi);
    assertTrue(multi.contains("3. full promotion: kafka-2..kafka-0 (partition → 0)\n"), multi);

    String capped =
        RolloutPreview.render(RolloutSpec.of(Step.Canary.pods(5)), "", "db", 3, "RollingUpdate");
    assertTrue(
        capped.contains(
            "1. canary 3 pods (5 asked, all there are): db-2..db-0 → new revision (partition 3 →"
                + " 0)\n"),
        capped);

    String none = RolloutPreview.render(RolloutSpec.of(), "prod", "db", 1, "RollingUpdate");
    assertTrue(none.contains("(1 replica, RollingUpdate)"), none);
    assertTrue(none.contains("\n1. full promotion: db-0 (partition → 0)\n"), none);
  }

  @Test
  void sameInputRendersIdentically() {
    assertEquals(
        RolloutPreview.render(SPEC, "prod", "db", 7, "RollingUpdate"),
        RolloutPreview.render(SPEC, "prod", "db", 7, "ROLLING_UPDATE"));
  }

  @Test
  void valuesFromGitReadAsThemselvesInMarkdown() {
    RolloutSpec spec =
        RolloutSpec.of(
            new Step.Analysis(
                List.of(
                    new AnalysisRef("errors", Map.of("query", "rate(x[5m]) > 0 <b>@ops</b>")))));
    String preview = RolloutPreview.render(spec, "prod", "db", 2, "RollingUpdate");
    assertTrue(
        preview.contains(
            "1. analysis errors (args query=rate\\(x\\[5m\\]\\) \\> 0 \\<b\\>\\@ops\\</b\\>)"),
        preview);
    assertEquals("a\\_b\\*c d-e.f/g", RolloutPreview.escapeMarkdown("a_b*c\nd-e.f/g"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Recreate", "blue-green"})
  void unknownStrategyIsRejected(String strategy) {
    assertThrows(
        IllegalArgumentException.class,
        () -> RolloutPreview.render(SPEC, "prod", "db", 5, strategy));
  }
}
