package dev.ordinal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.Measurement;
import dev.ordinal.analysis.MeasurementPhase;
import dev.ordinal.analysis.MetricPhase;
import dev.ordinal.analysis.RunSnapshot;
import dev.ordinal.rollout.LiveRollout;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.PodView;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.StatefulSetView;
import dev.ordinal.rollout.Step;
import dev.ordinal.rollout.UpdateStrategy;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Each metric family read back from a fresh registry after the calls that feed it. */
class RolloutMetricsTest {
  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  static RolloutState state(Phase phase, PhaseReason reason, int step, Instant stepStart) {
    return new RolloutState(
        new RolloutState.Revisions("db-old", "db-new", 1),
        new RolloutSource("shop", "abc123"),
        new RolloutState.StepPosition(step, 3, stepStart),
        new RolloutState.Status(phase, reason, "detail"),
        new RolloutState.Progress(T, stepStart, 0),
        false,
        RolloutState.Memory.EMPTY);
  }

  @Test
  void decisionsEventsRollbacksAndStepDurationsAreCountedFromTheBus() {
    PrometheusRegistry registry = new PrometheusRegistry();
    RolloutMetrics metrics = new RolloutMetrics(registry);
    Scraped scraped = new Scraped(registry);
    RolloutState step1 = state(Phase.PROGRESSING, PhaseReason.CANARY_STEP, 0, T);
    metrics.decided(
        T,
        "shop",
        "db",
        "SetPartition",
        new RolloutEvent.RolloutStarted("db-new", "db-old", 3, RolloutSource.UNKNOWN),
        Optional.of(step1));
    assertEquals(
        OptionalDouble.of(0),
        scraped.value(
            "ordinal_rollbacks_total",
            "namespace",
            "shop",
            "statefulset",
            "db",
            "reason",
            "crash_loop"),
        "every rollback cause has a series from the first decision on");
    metrics.decided(T, "shop", "db", "Wait", new RolloutEvent.Waiting("pods"), Optional.of(step1));
    RolloutState step2 =
        state(Phase.PROGRESSING, PhaseReason.ANALYSIS_RUNNING, 1, T.plusSeconds(95));
    metrics.decided(
        T.plusSeconds(95),
        "shop",
        "db",
        "UpdateState",
        new RolloutEvent.StepCompleted(1, 1, "db-new", "step 2"),
        Optional.of(step2));
    metrics.decided(
        T.plusSeconds(200),
        "shop",
        "db",
        "SetPartition",
        new RolloutEvent.RollbackStarted(PhaseReason.ANALYSIS_FAILED, "error-rate FAILED", "x"),
        Optional.of(state(Phase.DEGRADED, PhaseReason.ANALYSIS_FAILED, 1, T.plusSeconds(95))));

    assertEquals(OptionalDouble.of(1), scraped.value("ordinal_decisions_total", "action", "Wait"));
    assertEquals(
        OptionalDouble.of(2), scraped.value("ordinal_decisions_total", "action", "SetPartition"));
    assertEquals(
        OptionalDouble.of(1),
        scraped.value(
            "ordinal_rollout_events_total",
            "namespace",
            "shop",
            "statefulset",
            "db",
            "reason",
            "AnalysisFailed",
            "type",
            "Warning"));
    assertTrue(
        scraped.all("ordinal_rollout_events_total").keySet().stream()
            .noneMatch(k -> k.contains("Waiting")),
        "waits are not events");
    assertEquals(
        OptionalDouble.of(1),
        scraped.value(
            "ordinal_rollbacks_total",
            "namespace",
            "shop",
            "statefulset",
            "db",
            "reason",
            "analysis_failed"));
    assertEquals(
        OptionalDouble.of(1),
        scraped.value(
            "ordinal_rollout_step_duration_seconds", "namespace", "shop", "statefulset", "db"),
        "one step finished");
  }

  @Test
  void gaugesReadWhereEachRolloutStandsAtScrapeTime() {
    PrometheusRegistry registry = new PrometheusRegistry();
    Instant now = T.plusSeconds(700);
    StatefulSetView sts =
        new StatefulSetView(
            "shop",
            "db",
            3,
            UpdateStrategy.ROLLING_UPDATE,
            2,
            1,
            "db-old",
            "db-new",
            4,
            4,
            2,
            1,
            new RolloutSource("shop", "abc123"),
            null);
    List<PodView> pods =
        List.of(
            new PodView("db-0", 0, "db-old", true, 0, false),
            new PodView("db-1", 1, "db-old", true, 0, false),
            new PodView("db-2", 2, "db-new", false, 3, false));
    LiveRollout rollout =
        new LiveRollout(
            sts,
            pods,
            Optional.of(state(Phase.PROGRESSING, PhaseReason.CANARY_STEP, 0, T.plusSeconds(40))),
            "",
            new RolloutSpec(
                List.of(Step.Canary.pods(1), Step.Pause.untilPromoted()),
                Duration.ofMinutes(10),
                List.of()));
    new RolloutGauges(registry, () -> List.of(rollout), Clock.fixed(now, ZoneOffset.UTC));
    Scraped scraped = new Scraped(registry);
    String[] key = {"namespace", "shop", "statefulset", "db"};
    assertEquals(
        OptionalDouble.of(1),
        scraped.value("ordinal_rollout_phase", with(key, "phase", "Progressing")));
    assertEquals(
        OptionalDouble.of(0),
        scraped.value("ordinal_rollout_phase", with(key, "phase", "Healthy")));
    assertEquals(OptionalDouble.of(1), scraped.value("ordinal_rollout_step", key));
    assertEquals(OptionalDouble.of(2), scraped.value("ordinal_rollout_steps", key));
    assertEquals(
        OptionalDouble.of(2), scraped.value("ordinal_rollout_pods", with(key, "role", "stable")));
    assertEquals(
        OptionalDouble.of(1), scraped.value("ordinal_rollout_pods", with(key, "role", "canary")));
    assertEquals(
        OptionalDouble.of(0),
        scraped.value("ordinal_rollout_ready_pods", with(key, "role", "canary")));
    assertEquals(OptionalDouble.of(660), scraped.value("ordinal_rollout_step_seconds", key));
    assertEquals(
        OptionalDouble.of(660), scraped.value("ordinal_rollout_without_progress_seconds", key));
    assertEquals(
        OptionalDouble.of(600), scraped.value("ordinal_rollout_progress_deadline_seconds", key));
    assertEquals(
        OptionalDouble.of(1),
        scraped.value("ordinal_rollout_info", with(key, "app", "shop", "reason", "canary_step")));
  }

  @Test
  void eachMeasurementSetsTheValueAndCountsItsVerdict() {
    PrometheusRegistry registry = new PrometheusRegistry();
    AnalysisMetrics metrics = new AnalysisMetrics(registry);
    RolloutContext context = new RolloutContext("shop", "db", "db-new", "db-old", List.of("db-2"));
    List<RunSnapshot.Threshold> below = List.of(new RunSnapshot.Threshold(false, "<", 0.05));
    metrics.measured(
        context,
        "error-rate",
        "errors",
        new Measurement(T, MeasurementPhase.SUCCESSFUL, "[0.01]", ""),
        MetricPhase.RUNNING,
        below);
    metrics.measured(
        context,
        "error-rate",
        "errors",
        new Measurement(T, MeasurementPhase.FAILED, "[0.2, 0.1]", ""),
        MetricPhase.FAILED,
        below);
    Scraped scraped = new Scraped(registry);
    String[] key = {
      "namespace", "shop", "statefulset", "db", "template", "error-rate", "metric", "errors"
    };
    assertEquals(OptionalDouble.of(0.2), scraped.value("ordinal_analysis_measurement_value", key));
    assertEquals(
        OptionalDouble.of(1),
        scraped.value("ordinal_analysis_measurements_total", with(key, "phase", "successful")));
    assertEquals(
        OptionalDouble.of(1),
        scraped.value("ordinal_analysis_measurements_total", with(key, "phase", "failed")));
    assertEquals(
        OptionalDouble.of(0),
        scraped.value("ordinal_analysis_measurements_total", with(key, "phase", "error")));
    assertEquals(
        OptionalDouble.of(1),
        scraped.value("ordinal_analysis_metric_results_total", with(key, "phase", "failed")));
    assertEquals(
        OptionalDouble.of(0.05),
        scraped.value("ordinal_analysis_threshold", with(key, "condition", "success", "op", "<")));
    metrics.measured(
        context,
        "error-rate",
        "errors",
        new Measurement(T, MeasurementPhase.ERROR, "", "refused"),
        MetricPhase.RUNNING,
        below);
    assertTrue(
        Double.isNaN(scraped.value("ordinal_analysis_measurement_value", key).getAsDouble()));
  }

  @Test
  void analysisSeriesAreBoundedPerStatefulSetAndGoWithIt() {
    PrometheusRegistry registry = new PrometheusRegistry();
    AnalysisMetrics metrics = new AnalysisMetrics(registry);
    RolloutContext db = new RolloutContext("shop", "db", "db-new", "db-old", List.of("db-2"));
    RolloutContext cache = new RolloutContext("shop", "cache", "c-new", "c-old", List.of("c-2"));
    List<RunSnapshot.Threshold> below = List.of(new RunSnapshot.Threshold(false, "<", 0.05));
    Measurement ok = new Measurement(T, MeasurementPhase.SUCCESSFUL, "[0.01]", "");
    // metric names come from Git: each commit may rename them
    int renamed = AnalysisMetrics.METRICS_PER_STATEFULSET + 8;
    for (int i = 0; i < renamed; i++) {
      metrics.measured(db, "error-rate", "errors-" + i, ok, MetricPhase.RUNNING, below);
    }
    metrics.measured(cache, "error-rate", "errors", ok, MetricPhase.RUNNING, below);
    Scraped scraped = new Scraped(registry);
    Map<String, Double> values = scraped.all("ordinal_analysis_measurement_value");
    assertEquals(AnalysisMetrics.METRICS_PER_STATEFULSET + 1, values.size(), values.toString());
    String[] newest = {
      "namespace", "shop", "statefulset", "db", "template", "error-rate", "metric", "errors-39"
    };
    String[] oldest = newest.clone();
    oldest[7] = "errors-0";
    assertEquals(
        OptionalDouble.of(0.01), scraped.value("ordinal_analysis_measurement_value", newest));
    assertEquals(
        OptionalDouble.empty(),
        scraped.value("ordinal_analysis_measurements_total", with(oldest, "phase", "successful")),
        "the least recently measured metric's counters went with its value");

    metrics.forget("shop", "db");
    assertEquals(
        List.of("cache"),
        scraped.all("ordinal_analysis_measurements_total").keySet().stream()
            .map(labels -> labels.contains("statefulset=\"db\"") ? "db" : "cache")
            .distinct()
            .toList(),
        "only the StatefulSet still in the cluster keeps series");
    assertEquals(1, scraped.all("ordinal_analysis_threshold").size());
  }

  @Test
  void aStatefulSetThatLeftTheClusterLeavesNoRolloutSeries() {
    PrometheusRegistry registry = new PrometheusRegistry();
    RolloutMetrics metrics = new RolloutMetrics(registry);
    RolloutState step1 = state(Phase.PROGRESSING, PhaseReason.CANARY_STEP, 0, T);
    for (String name : List.of("db", "cache")) {
      metrics.decided(
          T,
          "shop",
          name,
          "SetPartition",
          new RolloutEvent.RolloutStarted("new", "old", 3, RolloutSource.UNKNOWN),
          Optional.of(step1));
    }
    Scraped scraped = new Scraped(registry);
    List<String> families = List.of("ordinal_rollout_events_total", "ordinal_rollbacks_total");
    for (String family : families) {
      assertTrue(
          scraped.all(family).keySet().stream().anyMatch(l -> l.contains("statefulset=\"db\"")),
          family + ": " + scraped.all(family));
    }
    metrics.forget("shop", "db");
    for (String family : families) {
      assertTrue(
          scraped.all(family).keySet().stream().anyMatch(l -> l.contains("statefulset=\"cache\"")),
          family + ": " + scraped.all(family));
      assertTrue(
          scraped.all(family).keySet().stream().noneMatch(l -> l.contains("statefulset=\"db\"")),
          family + ": " + scraped.all(family));
    }
  }

  @Test
  void theCommitInfoKeepsOneSeriesPerAppAndWebhooksAreCountedByAnswer() {
    PrometheusRegistry registry = new PrometheusRegistry();
    OrdinalMetrics metrics = new OrdinalMetrics(registry);
    metrics.syncedCommit("shop", "aaa");
    metrics.syncedCommit("shop", "bbb");
    metrics.webhook(202);
    metrics.webhook(401);
    metrics.webhook(400);
    metrics.objects("shop", "refused", 2);
    Scraped scraped = new Scraped(registry);
    assertEquals(
        1,
        scraped.all("ordinal_app_commit_info").size(),
        scraped.all("ordinal_app_commit_info").toString());
    assertEquals(
        OptionalDouble.of(1),
        scraped.value("ordinal_app_commit_info", "app", "shop", "commit", "bbb"));
    assertEquals(
        OptionalDouble.of(1),
        scraped.value("ordinal_webhook_deliveries_total", "result", "accepted"));
    assertEquals(
        OptionalDouble.of(1),
        scraped.value("ordinal_webhook_deliveries_total", "result", "unauthorized"));
    assertEquals(
        OptionalDouble.of(1),
        scraped.value("ordinal_webhook_deliveries_total", "result", "rejected"));
    assertEquals(
        OptionalDouble.of(2),
        scraped.value("ordinal_app_objects", "app", "shop", "state", "refused"));
  }

  private static String[] with(String[] key, String... more) {
    String[] all = new String[key.length + more.length];
    System.arraycopy(key, 0, all, 0, key.length);
    System.arraycopy(more, 0, all, key.length, more.length);
    return all;
  }
}
