package dev.ordinal.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ordinal's per-app Git and sync metrics. Labels are bounded: the app name (from configuration) and
 * small fixed enumerations; never a URL or anything from a credential. The one commit id is in the
 * info metric, which holds a single series per app (the last synced commit).
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
  private final Histogram syncDuration;
  private final Info commit;
  private final Counter webhooks;
  private final Counter notifications;
  private final Map<String, String> commits = new ConcurrentHashMap<>();

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
    syncDuration =
        Histogram.builder()
            .name("ordinal_sync_duration_seconds")
            .help("Time to load, plan and apply one commit of an app")
            .labelNames("app")
            .classicOnly()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .register(registry);
    commit =
        Info.builder()
            .name("ordinal_app_commit_info")
            .help(
                "The Git commit an app last synced (applied or found unchanged): one series per app")
            .labelNames("app", "commit")
            .register(registry);
    webhooks =
        Counter.builder()
            .name("ordinal_webhook_deliveries_total")
            .help(
                "Git push webhooks received, by result: accepted, unauthorized (bad or missing"
                    + " signature), rejected (malformed or not a push), error")
            .labelNames("result")
            .register(registry);
    for (String result : List.of("accepted", "unauthorized", "rejected", "error")) {
      webhooks.labelValues(result);
    }
    notifications =
        Counter.builder()
            .name("ordinal_notifications_total")
            .help(
                "Notifications to each configured webhook, by result: delivered, failed (after"
                    + " retries, or refused with a 4xx), dropped (queue full)")
            .labelNames("target", "result")
            .register(registry);
  }

  /** One notification's outcome at a configured target. */
  public void notification(String target, String result) {
    notifications.labelValues(target, result).inc();
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public void gitFetch(String app, String result, double seconds) {
    gitFetches.labelValues(app, result).inc();
    gitFetchDuration.labelValues(app).observe(seconds);
    gitUp.labelValues(app).set("error".equals(result) ? 0 : 1);
  }

  /**
   * One sync of an app.
   *
   * @param seconds how long it took to load, plan and apply
   */
  public void sync(String app, String result, long epochMillis, double seconds) {
    syncs.labelValues(app, result).inc();
    lastSyncTimestamp.labelValues(app).set(epochMillis / 1000.0);
    syncDuration.labelValues(app).observe(seconds);
  }

  /** The commit an app last synced; the series of the one before goes away. */
  public void syncedCommit(String app, String revision) {
    String before = commits.put(app, revision);
    if (revision.equals(before)) {
      return;
    }
    if (before != null) {
      commit.remove(app, before);
    }
    commit.addLabelValues(app, revision);
  }

  /**
   * A webhook delivery by its HTTP answer: 2xx accepted, 401/403 unauthorized, other 4xx rejected,
   * anything else an error.
   */
  public void webhook(int status) {
    String result;
    if (status >= 200 && status < 300) {
      result = "accepted";
    } else if (status == 401 || status == 403) {
      result = "unauthorized";
    } else if (status >= 400 && status < 500) {
      result = "rejected";
    } else {
      result = "error";
    }
    webhooks.labelValues(result).inc();
  }

  public void manifestErrors(String app, int count) {
    manifestErrors.labelValues(app).set(count);
  }

  public void objects(String app, String state, int count) {
    objects.labelValues(app, state).set(count);
  }
}
