package dev.ordinal.metrics;

import dev.ordinal.rollout.DomainEvent;
import dev.ordinal.rollout.RolloutEvent;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;

/**
 * Backups and restores counted and timed from the events that end them, as they are published
 * (after their write succeeded). The one label is the result, a closed set, so the series are
 * bounded whatever the cluster holds.
 */
public final class BackupMetrics {
  private final Counter backups;
  private final Histogram backupDuration;
  private final Counter restores;
  private final Histogram restoreDuration;

  public BackupMetrics(PrometheusRegistry registry) {
    backups =
        Counter.builder()
            .name("ordinal_backups_total")
            .help("Backups (VolumeSnapshot sets) by result: ready or failed")
            .labelNames("result")
            .register(registry);
    backupDuration =
        Histogram.builder()
            .name("ordinal_backup_duration_seconds")
            .help("Time from a backup's start until its snapshots were readyToUse, or it failed")
            .labelNames("result")
            .classicOnly()
            .classicUpperBounds(1, 5, 15, 30, 60, 120, 300, 600, 1800)
            .register(registry);
    restores =
        Counter.builder()
            .name("ordinal_restores_total")
            .help(
                "Restores of canary pods' volumes by result: completed (claims restored, pods"
                    + " Ready), unready (claims restored, pods not Ready by the progress"
                    + " deadline) or failed (no claim replaced)")
            .labelNames("result")
            .register(registry);
    restoreDuration =
        Histogram.builder()
            .name("ordinal_restore_duration_seconds")
            .help("Time from a restore's start until its pods were back, or it failed")
            .labelNames("result")
            .classicOnly()
            .classicUpperBounds(1, 5, 15, 30, 60, 120, 300, 600, 1800)
            .register(registry);
    // every result exists from the start, so increase() sees the first one
    List.of("ready", "failed").forEach(r -> backups.labelValues(r));
    List.of("completed", "unready", "failed").forEach(r -> restores.labelValues(r));
  }

  /** Counts and times a backup or restore that {@code event} ends; ignores every other event. */
  public void decided(DomainEvent event) {
    if (event instanceof RolloutEvent.BackupReady ready) {
      count(backups, backupDuration, "ready", ready.took());
    } else if (event instanceof RolloutEvent.BackupFailed failed) {
      count(backups, backupDuration, "failed", failed.took());
    } else if (event instanceof RolloutEvent.RestoreCompleted done) {
      count(restores, restoreDuration, done.ready() ? "completed" : "unready", done.took());
    } else if (event instanceof RolloutEvent.RestoreFailed failed) {
      count(restores, restoreDuration, "failed", failed.took());
    }
  }

  private static void count(Counter counter, Histogram duration, String result, Duration took) {
    counter.labelValues(result).inc();
    duration.labelValues(result).observe(took.toMillis() / 1000.0);
  }
}
