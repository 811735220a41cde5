package dev.ordinal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.rollout.RolloutEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupMetricsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final BackupMetrics metrics = new BackupMetrics(registry);

  @Test
  void backupsAreCountedAndTimedByResultFromTheEventsThatEndThem() {
    metrics.decided(new RolloutEvent.BackupReady("db-1", 3, Duration.ofSeconds(4), false));
    metrics.decided(new RolloutEvent.BackupReady("db-2", 3, Duration.ofSeconds(6), true));
    metrics.decided(
        new RolloutEvent.BackupFailed(
            "db-3", "data-db-2", "driver error", Duration.ofMillis(1500), true));
    metrics.decided(new RolloutEvent.SnapshotsTaken("db-4", 3)); // not an end: not counted

    assertEquals(2.0, counter("ordinal_backups", "ready"));
    assertEquals(1.0, counter("ordinal_backups", "failed"));
    assertEquals(2, histogram("ordinal_backup_duration_seconds", "ready").getCount());
    assertEquals(10.0, histogram("ordinal_backup_duration_seconds", "ready").getSum(), 1e-9);
    assertEquals(1.5, histogram("ordinal_backup_duration_seconds", "failed").getSum(), 1e-9);
  }

  @Test
  void restoresAreCountedAsCompletedUnreadyOrFailed() {
    List<String> claims = List.of("data-db-2");
    metrics.decided(
        new RolloutEvent.RestoreCompleted("r1", "db-1", claims, Duration.ofSeconds(20), true));
    metrics.decided(
        new RolloutEvent.RestoreCompleted("r2", "db-1", claims, Duration.ofSeconds(600), false));
    metrics.decided(
        new RolloutEvent.RestoreFailed("r3", "db-1", "no readyToUse snapshot", Duration.ZERO));

    assertEquals(1.0, counter("ordinal_restores", "completed"));
    assertEquals(1.0, counter("ordinal_restores", "unready"));
    assertEquals(1.0, counter("ordinal_restores", "failed"));
    assertEquals(20.0, histogram("ordinal_restore_duration_seconds", "completed").getSum(), 1e-9);
    assertEquals(600.0, histogram("ordinal_restore_duration_seconds", "unready").getSum(), 1e-9);
  }

  private MetricSnapshot snapshot(String name) {
    return registry.scrape().stream()
        .filter(m -> m.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name));
  }

  private double counter(String name, String result) {
    return ((CounterSnapshot) snapshot(name))
        .getDataPoints().stream()
            .filter(d -> d.getLabels().equals(Labels.of("result", result)))
            .findFirst()
            .orElseThrow(() -> new AssertionError(name + "{result=" + result + "} not set"))
            .getValue();
  }

  private HistogramSnapshot.HistogramDataPointSnapshot histogram(String name, String result) {
    return ((HistogramSnapshot) snapshot(name))
        .getDataPoints().stream()
            .filter(d -> d.getLabels().equals(Labels.of("result", result)))
            .findFirst()
            .orElseThrow(() -> new AssertionError(name + "{result=" + result + "} not set"));
  }
}
