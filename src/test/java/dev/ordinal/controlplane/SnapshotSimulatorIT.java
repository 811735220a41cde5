package dev.ordinal.controlplane;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.SnapshotSimulator;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@ControlPlaneTest
class SnapshotSimulatorIT {

  @Test
  void snapshotOfAClaimBecomesReadyWithABoundContent(KubernetesClient client, TestNamespace ns) {
    try (SnapshotSimulator snapshots =
        new SnapshotSimulator(client, ns.name(), Duration.ofMillis(200))) {
      client.persistentVolumeClaims().inNamespace(ns.name()).resource(claim("data-db-0")).create();
      snapshots
          .snapshots()
          .inNamespace(ns.name())
          .resource(snapshot("before-rollout", Map.of("persistentVolumeClaimName", "data-db-0")))
          .create();

      await(
          "snapshot ready",
          Duration.ofSeconds(10),
          () -> Boolean.TRUE.equals(status(snapshots, ns, "before-rollout").get("readyToUse")),
          () -> status(snapshots, ns, "before-rollout"));
      Map<String, Object> status = status(snapshots, ns, "before-rollout");
      assertEquals("2Gi", status.get("restoreSize"));
      String contentName = (String) status.get("boundVolumeSnapshotContentName");
      GenericKubernetesResource content = snapshots.contents().withName(contentName).get();
      assertTrue(content != null, "bound content exists");
      assertEquals(
          SnapshotSimulator.DRIVER,
          ((Map<?, ?>) content.getAdditionalProperties().get("spec")).get("driver"));
    }
  }

  @Test
  void snapshotFailsWhenTheTestAsksOrTheClaimIsMissing(KubernetesClient client, TestNamespace ns) {
    try (SnapshotSimulator snapshots =
        new SnapshotSimulator(client, ns.name(), Duration.ofMillis(100)).failSnapshot("doomed")) {
      client.persistentVolumeClaims().inNamespace(ns.name()).resource(claim("data-db-1")).create();
      snapshots
          .snapshots()
          .inNamespace(ns.name())
          .resource(snapshot("doomed", Map.of("persistentVolumeClaimName", "data-db-1")))
          .create();
      snapshots
          .snapshots()
          .inNamespace(ns.name())
          .resource(snapshot("orphan", Map.of("persistentVolumeClaimName", "no-such-claim")))
          .create();

      for (String name : new String[] {"doomed", "orphan"}) {
        await(
            name + " failed",
            Duration.ofSeconds(10),
            () -> status(snapshots, ns, name).get("error") != null,
            () -> status(snapshots, ns, name));
        assertEquals(false, status(snapshots, ns, name).get("readyToUse"));
      }
      assertTrue(
          ((Map<?, ?>) status(snapshots, ns, "orphan").get("error"))
              .get("message")
              .toString()
              .contains("no-such-claim"));
    }
  }

  @Test
  void theApiServerValidatesSnapshotsAgainstTheCrdSchema(
      KubernetesClient client, TestNamespace ns) {
    SnapshotSimulator.installCrds(client);
    KubernetesClientException invalid =
        assertThrows(
            KubernetesClientException.class,
            () ->
                client
                    .genericKubernetesResources(SnapshotSimulator.API_VERSION, "VolumeSnapshot")
                    .inNamespace(ns.name())
                    .resource(
                        snapshot(
                            "both",
                            Map.of(
                                "persistentVolumeClaimName",
                                "a",
                                "volumeSnapshotContentName",
                                "b")))
                    .create());
    assertEquals(422, invalid.getCode());
  }

  private static io.fabric8.kubernetes.api.model.PersistentVolumeClaim claim(String name) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withNewResources()
        .addToRequests("storage", new Quantity("2Gi"))
        .endResources()
        .endSpec()
        .build();
  }

  private static GenericKubernetesResource snapshot(String name, Map<String, Object> source) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(SnapshotSimulator.API_VERSION)
        .withKind("VolumeSnapshot")
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .addToAdditionalProperties("spec", Map.of("source", source))
        .build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(
      SnapshotSimulator snapshots, TestNamespace ns, String name) {
    GenericKubernetesResource s = snapshots.snapshots().inNamespace(ns.name()).withName(name).get();
    Object status = s == null ? null : s.getAdditionalProperties().get("status");
    return status == null ? Map.of() : (Map<String, Object>) status;
  }
}
