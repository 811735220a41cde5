package dev.ordinal.metrics;

import dev.ordinal.rollout.DomainEvent;
import dev.ordinal.rollout.RecreateEvent;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Recreates of StatefulSets for changes Kubernetes forbids, counted by step as they are published
 * (after their write succeeded). The one label is the step, a closed set.
 */
public final class RecreateMetrics {
  private final Counter steps;

  public RecreateMetrics(PrometheusRegistry registry) {
    steps =
        Counter.builder()
            .name("ordinal_recreate_steps_total")
            .help(
                "Steps of recreates of StatefulSets for changes Kubernetes forbids (volume"
                    + " growth, serviceName, selector, ...): started, backup_requested,"
                    + " backup_ready, claim_patched, claims_grown, pod_relabelled, orphaned,"
                    + " created, pods_restarted, finished, failed, refused, waiting")
            .labelNames("step")
            .register(registry);
    // every step exists from the start, so increase() sees the first one
    for (RecreateEvent.Step step : RecreateEvent.Step.values()) {
      steps.labelValues(step.label());
    }
  }

  /** Counts a recreate step; ignores every other event. */
  public void decided(DomainEvent event) {
    if (event instanceof RecreateEvent recreate) {
      steps.labelValues(recreate.step().label()).inc();
    }
  }
}
