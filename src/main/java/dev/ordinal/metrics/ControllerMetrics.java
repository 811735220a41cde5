package dev.ordinal.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;

/**
 * The controller's own health: whether this instance leads, how deep and how slow the rollout work
 * queue is, and the Kubernetes API calls that failed, by verb.
 */
public final class ControllerMetrics {
  /** The verbs the cluster port's calls map to; each has a series from the start. */
  public static final List<String> VERBS =
      List.of("get", "list", "watch", "create", "update", "patch", "delete");

  private final Counter apiRequests;
  private final Counter apiErrors;
  private final Histogram queueLatency;

  /** Where the shard gauge is registered later, once the daemon knows how many shards there are. */
  private final PrometheusRegistry registry;

  /**
   * @param lease {@code namespace/name} of the Lease the leader holds
   * @param leading whether this instance holds it now
   * @param queueDepth StatefulSets waiting in the rollout work queue (0 on a standby)
   */
  public ControllerMetrics(
      PrometheusRegistry registry, String lease, BooleanSupplier leading, IntSupplier queueDepth) {
    this.registry = registry;
    GaugeWithCallback.builder()
        .name("ordinal_leader")
        .help(
            "1 when this Ordinal holds the leader Lease (or, sharded, at least one shard) and acts, 0 on a standby")
        .labelNames("lease")
        .callback(cb -> cb.call(leading.getAsBoolean() ? 1 : 0, lease))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ordinal_workqueue_depth")
        .help("StatefulSets waiting in the rollout work queue for a decision")
        .callback(cb -> cb.call(queueDepth.getAsInt()))
        .register(registry);
    queueLatency =
        Histogram.builder()
            .name("ordinal_workqueue_latency_seconds")
            .help("How long a StatefulSet waited in the rollout work queue before a worker took it")
            .classicOnly()
            .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60)
            .register(registry);
    apiRequests =
        Counter.builder()
            .name("ordinal_kube_api_requests_total")
            .help(
                "Calls to the Kubernetes API server through the cluster port, by verb (reads"
                    + " served by the watch caches are not counted)")
            .labelNames("verb")
            .register(registry);
    apiErrors =
        Counter.builder()
            .name("ordinal_kube_api_errors_total")
            .help("Calls to the Kubernetes API server that failed, by verb")
            .labelNames("verb")
            .register(registry);
    for (String verb : VERBS) {
      apiRequests.labelValues(verb);
      apiErrors.labelValues(verb);
    }
  }

  public void queueLatency(double seconds) {
    queueLatency.observe(seconds);
  }

  public void apiRequest(String verb) {
    apiRequests.labelValues(verb).inc();
  }

  public void apiError(String verb) {
    apiErrors.labelValues(verb).inc();
  }

  /**
   * {@code ordinal_shard_held{shard}}: 1 for each shard this replica holds now. With one shard, as
   * by default, shard 0 is held by the leader.
   */
  public void shards(int count, IntPredicate holds) {
    GaugeWithCallback.builder()
        .name("ordinal_shard_held")
        .help("1 for each shard of the work this Ordinal holds and acts for, 0 for the others")
        .labelNames("shard")
        .callback(
            cb -> {
              for (int shard = 0; shard < count; shard++) {
                cb.call(holds.test(shard) ? 1 : 0, String.valueOf(shard));
              }
            })
        .register(registry);
  }
}
