package dev.ordinal.controlplane;

import static dev.ordinal.testkit.StatefulSets.statefulSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/**
 * Server-side apply, defaulting and immutable-field validation come from the real API server — the
 * three behaviours fabric8's mock server lacks and Ordinal's planner and applier rely on.
 */
@ControlPlaneTest
class ApiServerBehaviourIT {

  @Test
  void serverSideApplyRecordsOrdinalAsFieldManager(KubernetesClient client, TestNamespace ns) {
    StatefulSet applied =
        client
            .apps()
            .statefulSets()
            .inNamespace(ns.name())
            .resource(statefulSet("ssa", 1, "registry.local/ssa:1"))
            .fieldManager("ordinal")
            .forceConflicts()
            .serverSideApply();

    ManagedFieldsEntry entry =
        applied.getMetadata().getManagedFields().stream()
            .filter(f -> f.getManager().equals("ordinal"))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no managedFields entry for ordinal: "
                            + applied.getMetadata().getManagedFields()));
    assertEquals("Apply", entry.getOperation());
    assertTrue(
        entry.getFieldsV1().getAdditionalProperties().toString().contains("f:replicas"),
        "ordinal owns spec.replicas: " + entry.getFieldsV1().getAdditionalProperties());

    // A second manager changing a field Ordinal owns is a conflict, as the real server reports it.
    StatefulSet other = statefulSet("ssa", 2, "registry.local/ssa:1");
    KubernetesClientException conflict =
        assertThrows(
            KubernetesClientException.class,
            () ->
                client
                    .apps()
                    .statefulSets()
                    .inNamespace(ns.name())
                    .resource(other)
                    .fieldManager("someone-else")
                    .serverSideApply());
    assertEquals(409, conflict.getCode());
  }

  @Test
  void apiServerDefaultsStatefulSetFields(KubernetesClient client, TestNamespace ns) {
    StatefulSet created =
        client
            .apps()
            .statefulSets()
            .inNamespace(ns.name())
            .resource(statefulSet("defaults", 1, "registry.local/d:1"))
            .create();

    var spec = created.getSpec();
    assertEquals("OrderedReady", spec.getPodManagementPolicy());
    assertEquals(10, spec.getRevisionHistoryLimit());
    assertEquals("RollingUpdate", spec.getUpdateStrategy().getType());
    assertEquals(0, spec.getUpdateStrategy().getRollingUpdate().getPartition());
    assertEquals("Retain", spec.getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
    var pod = spec.getTemplate().getSpec();
    assertEquals("Always", pod.getRestartPolicy());
    assertEquals(30L, pod.getTerminationGracePeriodSeconds());
    assertEquals("ClusterFirst", pod.getDnsPolicy());
    assertEquals("default-scheduler", pod.getSchedulerName());
    var container = pod.getContainers().get(0);
    assertEquals("/dev/termination-log", container.getTerminationMessagePath());
    assertEquals("IfNotPresent", container.getImagePullPolicy());
    assertEquals("TCP", container.getPorts().get(0).getProtocol());
    var claim = spec.getVolumeClaimTemplates().get(0);
    assertEquals("Filesystem", claim.getSpec().getVolumeMode());
    assertEquals("PersistentVolumeClaim", claim.getKind());
  }

  @Test
  void apiServerRefusesUpdatesToImmutableStatefulSetFields(
      KubernetesClient client, TestNamespace ns) {
    client
        .apps()
        .statefulSets()
        .inNamespace(ns.name())
        .resource(statefulSet("immutable", 1, "registry.local/i:1"))
        .create();

    KubernetesClientException refused =
        assertThrows(
            KubernetesClientException.class,
            () ->
                StatefulSets.edit(
                    client,
                    ns.name(),
                    "immutable",
                    s -> {
                      s.getSpec()
                          .getVolumeClaimTemplates()
                          .get(0)
                          .getSpec()
                          .getResources()
                          .getRequests()
                          .put("storage", new Quantity("2Gi"));
                    }));
    assertEquals(422, refused.getCode());
    assertTrue(
        refused
            .getMessage()
            .contains("Forbidden: updates to statefulset spec for fields other than"),
        refused.getMessage());
  }
}
