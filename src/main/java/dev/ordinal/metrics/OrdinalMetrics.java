package dev.ordinal.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

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
