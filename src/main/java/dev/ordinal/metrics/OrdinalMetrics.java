package dev.ordinal.metrics;

import dev.ordinal.rollout.DomainEvent;
import dev.ordinal.rollout.RolloutEvent;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;

/**
 * Ordinal's own metrics. Labels are bounded: the app name (from configuration) and small fixed
 * enumerations; never a commit id, URL or anything from a credential.
 */
public final class OrdinalMetrics {
  private final PrometheusRegistry registry;
  private final Counter gitFetches;
  private final Histogram gitFetchDuration;
  private final Gauge gitUp;
  private final Counter syncs;
  private final Gauge manifestErrors;
  private final Gauge objects;
  private final Gauge lastSyncTimestamp;
  private final Counter backups;
  private final Histogram backupDuration;
  private final Counter restores;
  private final Histogram restoreDuration;

  public OrdinalMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    gitFetches =
        Counter.builder()
            .name("ordinal_git_fetches_total")
            .help("Fetches of an app's repository, by result: unchanged, changed or error")
            .labelNames("app", "result")
            .register(registry);
    gitFetchDuration =
        Histogram.builder()
            .name("ordinal_git_fetch_duration_seconds")
            .help("Time to fetch an app's repository and resolve its ref")
            .labelNames("app")
            .register(registry);
    gitUp =
        Gauge.builder()
            .name("ordinal_git_up")
            .help("1 when the last fetch of an app's repository succeeded, 0 when it failed")
            .labelNames("app")
            .register(registry);
    syncs =
        Counter.builder()
            .name("ordinal_syncs_total")
            .help(
                "Syncs of an app, by result: applied, unchanged, invalid (manifests rejected), refused, error")
            .labelNames("app", "result")
            .register(registry);
    manifestErrors =
        Gauge.builder()
            .name("ordinal_manifest_errors")
            .help(
                "Validation errors in the newest commit of an app; non-zero means the last good commit stays in force")
            .labelNames("app")
            .register(registry);
    objects =
        Gauge.builder()
            .name("ordinal_app_objects")
            .help(
                "Objects of an app by plan state in the last sync: create, update, unchanged, refused, prune")
            .labelNames("app", "state")
            .register(registry);
    lastSyncTimestamp =
        Gauge.builder()
            .name("ordinal_last_sync_timestamp_seconds")
            .help("Unix time of the last completed sync of an app")
            .labelNames("app")
            .register(registry);
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
            .classicUpperBounds(1, 5, 15, 30, 60, 120, 300, 600, 1800)
            .register(registry);
  }

  /** Counts and times backups and restores from the events that end them; ignores the rest. */
  public void backupEvent(DomainEvent event) {
    if (event instanceof RolloutEvent.BackupReady ready) {
      backups.labelValues("ready").inc();
      backupDuration.labelValues("ready").observe(seconds(ready.took()));
    } else if (event instanceof RolloutEvent.BackupFailed failed) {
      backups.labelValues("failed").inc();
      backupDuration.labelValues("failed").observe(seconds(failed.took()));
    } else if (event instanceof RolloutEvent.RestoreCompleted done) {
      String result = done.ready() ? "completed" : "unready";
      restores.labelValues(result).inc();
      restoreDuration.labelValues(result).observe(seconds(done.took()));
    } else if (event instanceof RolloutEvent.RestoreFailed failed) {
      restores.labelValues("failed").inc();
      restoreDuration.labelValues("failed").observe(seconds(failed.took()));
    }
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public void gitFetch(String app, String result, double seconds) {
    gitFetches.labelValues(app, result).inc();
    gitFetchDuration.labelValues(app).observe(seconds);
    gitUp.labelValues(app).set("error".equals(result) ? 0 : 1);
  }

  public void sync(String app, String result, long epochMillis) {
    syncs.labelValues(app, result).inc();
    lastSyncTimestamp.labelValues(app).set(epochMillis / 1000.0);
  }

  public void manifestErrors(String app, int count) {
    manifestErrors.labelValues(app).set(count);
  }

  public void objects(String app, String state, int count) {
    objects.labelValues(app, state).set(count);
  }
}
