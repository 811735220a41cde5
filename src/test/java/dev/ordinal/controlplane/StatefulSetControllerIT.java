package dev.ordinal.controlplane;

import static dev.ordinal.testkit.StatefulSets.await;
import static dev.ordinal.testkit.StatefulSets.awaitRolledOut;
import static dev.ordinal.testkit.StatefulSets.revisions;
import static dev.ordinal.testkit.StatefulSets.statefulSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.PodSimulator.PodRecord;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves the real StatefulSet controller runs in the test control plane: a partitioned rolling
 * update moves exactly the ordinals at or above the partition, highest first, one at a time, each
 * only after the previous one became Ready.
 */
@ControlPlaneTest
class StatefulSetControllerIT {

  @Test
  void partitionedUpdateMovesHighestOrdinalsFirstOneAtATime(
      KubernetesClient client, TestNamespace ns) {
    String namespace = ns.name();
    try (PodSimulator simulator = new PodSimulator(client, namespace, Duration.ofMillis(300))) {
      StatefulSet sts = statefulSet("web", 5, "registry.local/web:1");
      sts.getSpec()
          .setUpdateStrategy(
              new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder()
                  .withType("RollingUpdate")
                  .withNewRollingUpdate()
                  .withPartition(3)
                  .endRollingUpdate()
                  .build());
      client.apps().statefulSets().inNamespace(namespace).resource(sts).create();
      StatefulSet stable = awaitRolledOut(client, namespace, "web", Duration.ofSeconds(60));
      String oldRevision = stable.getStatus().getCurrentRevision();

      StatefulSets.edit(client, namespace, "web", StatefulSets.image("registry.local/web:2"));

      await(
          "pods 3 and 4 updated and all 5 ready",
          Duration.ofSeconds(60),
          () -> {
            var status =
                client
                    .apps()
                    .statefulSets()
                    .inNamespace(namespace)
                    .withName("web")
                    .get()
                    .getStatus();
            return Integer.valueOf(2).equals(status.getUpdatedReplicas())
                && Integer.valueOf(5).equals(status.getReadyReplicas());
          },
          () -> revisions(client, namespace, "web"));
      String newRevision =
          client
              .apps()
              .statefulSets()
              .inNamespace(namespace)
              .withName("web")
              .get()
              .getStatus()
              .getUpdateRevision();
      assertNotEquals(oldRevision, newRevision);

      Map<String, String> byPod = revisions(client, namespace, "web");
      assertEquals(
          Map.of(
              "web-0", oldRevision,
              "web-1", oldRevision,
              "web-2", oldRevision,
              "web-3", newRevision,
              "web-4", newRevision),
          byPod);

      List<PodRecord> moved =
          simulator.seen().stream()
              .filter(r -> r.revision().equals(newRevision))
              .sorted(Comparator.comparing(PodRecord::seenAt))
              .toList();
      assertEquals(
          List.of("web-4", "web-3"),
          moved.stream().map(PodRecord::name).toList(),
          "order of updated pods");
      PodRecord four = moved.get(0);
      PodRecord three = moved.get(1);
      assertTrue(
          four.readyAt() != null && three.readyAt() != null, "both updated pods became Ready");
      assertTrue(
          !three.seenAt().isBefore(four.readyAt()),
          "web-3 was recreated at "
              + three.seenAt()
              + ", before web-4 became Ready at "
              + four.readyAt());
    }
  }
}
