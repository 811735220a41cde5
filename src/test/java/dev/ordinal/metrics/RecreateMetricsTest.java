package dev.ordinal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.rollout.RecreateEvent;
import dev.ordinal.rollout.RolloutEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecreateMetricsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final RecreateMetrics metrics = new RecreateMetrics(registry);

  private static RecreateEvent step(RecreateEvent.Step step, String claim) {
    return new RecreateEvent("shop", "orders", "c0ffee", step, claim, "m");
  }

  @Test
  void eachStepIsCountedUnderItsLabelFromZeroAndOtherEventsAreNot() {
    assertEquals(0.0, count("finished"), "every step is there before the first recreate");
    metrics.decided(step(RecreateEvent.Step.STARTED, ""));
    metrics.decided(step(RecreateEvent.Step.CLAIM_PATCHED, "data-orders-0"));
    metrics.decided(step(RecreateEvent.Step.CLAIM_PATCHED, "data-orders-1"));
    metrics.decided(step(RecreateEvent.Step.PODS_RESTARTED, ""));
    metrics.decided(new RolloutEvent.BackupReady("db-1", 3, Duration.ofSeconds(4), false));

    assertEquals(1.0, count("started"));
    assertEquals(2.0, count("claim_patched"));
    assertEquals(1.0, count("pods_restarted"));
    assertEquals(0.0, count("finished"));
  }

  private double count(String step) {
    return registry.scrape().stream()
        .filter(m -> m.getMetadata().getName().equals("ordinal_recreate_steps"))
        .map(CounterSnapshot.class::cast)
        .flatMap(c -> c.getDataPoints().stream())
        .filter(d -> d.getLabels().equals(Labels.of("step", step)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("ordinal_recreate_steps_total{step=" + step + "}"))
        .getValue();
  }
}
