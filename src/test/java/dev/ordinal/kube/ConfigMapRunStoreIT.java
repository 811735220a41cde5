package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.RunRecord;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Analysis runs survive a restart: a second store on the same ConfigMap sees what the first saved.
 */
@ControlPlaneTest
class ConfigMapRunStoreIT {
  @Test
  void recordsRoundTripThroughTheConfigMapAndCanBeRemoved(
      KubernetesClient client, TestNamespace ns) {
    RunRecord record =
        new RunRecord(
            "db-7c9f/r2/step-3",
            List.of(new AnalysisRef("error-rate", Map.of("service", "db"))),
            new RolloutContext(ns.name(), "db", "db-7c9f", "db-5b8d", List.of("db-2")),
            Instant.parse("2026-11-25T13:00:00Z"),
            false,
            null,
            List.of());
    new ConfigMapRunStore(client, ns.name(), "ordinal-analysis-runs").save(record);

    ConfigMapRunStore restarted = new ConfigMapRunStore(client, ns.name(), "ordinal-analysis-runs");
    List<RunRecord> loaded = restarted.loadAll();
    assertEquals(1, loaded.size());
    assertEquals(record.runId(), loaded.get(0).runId());
    assertEquals(record.context(), loaded.get(0).context());
    assertEquals(record.templates(), loaded.get(0).templates());
    assertTrue(
        client
            .configMaps()
            .inNamespace(ns.name())
            .withName("ordinal-analysis-runs")
            .get()
            .getData()
            .containsKey("db-7c9f_r2_step-3"));

    restarted.remove(record.runId());
    assertTrue(
        new ConfigMapRunStore(client, ns.name(), "ordinal-analysis-runs").loadAll().isEmpty());
  }
}
