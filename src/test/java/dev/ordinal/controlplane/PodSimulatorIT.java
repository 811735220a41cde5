package dev.ordinal.controlplane;

import static dev.ordinal.testkit.StatefulSets.await;
import static dev.ordinal.testkit.StatefulSets.statefulSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.PodSimulator.Behaviour;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@ControlPlaneTest
class PodSimulatorIT {

  @Test
  void podsMisbehaveAsToldPerPod(KubernetesClient client, TestNamespace ns) {
    String namespace = ns.name();
    try (PodSimulator simulator =
        new PodSimulator(client, namespace, Duration.ofMillis(100))
            .behaveForPod("sim-1", Behaviour.NEVER_READY)
            .behaveForPod("sim-2", Behaviour.CRASH_LOOP)
            .behaveForPod("sim-3", Behaviour.READY_THEN_FAIL)
            .failAfter(Duration.ofMillis(500))) {
      for (int i = 0; i < 4; i++) {
        client.pods().inNamespace(namespace).resource(bare("sim-" + i)).create();
      }
      await(
          "sim-0 Ready",
          Duration.ofSeconds(20),
          () -> ready(pod(client, namespace, "sim-0")),
          () -> pod(client, namespace, "sim-0").getStatus());
      await(
          "sim-2 restarting",
          Duration.ofSeconds(20),
          () -> restarts(pod(client, namespace, "sim-2")) >= 3,
          () -> pod(client, namespace, "sim-2").getStatus());
      await(
          "sim-3 failed after being Ready",
          Duration.ofSeconds(20),
          () -> restarts(pod(client, namespace, "sim-3")) == 1,
          () -> pod(client, namespace, "sim-3").getStatus());

      assertEquals("Running", pod(client, namespace, "sim-1").getStatus().getPhase());
      assertTrue(!ready(pod(client, namespace, "sim-1")), "never-ready pod is not Ready");
      assertTrue(!ready(pod(client, namespace, "sim-2")), "crash-looping pod is not Ready");
      assertEquals(
          "CrashLoopBackOff",
          pod(client, namespace, "sim-2")
              .getStatus()
              .getContainerStatuses()
              .get(0)
              .getState()
              .getWaiting()
              .getReason());
      assertTrue(
          !ready(pod(client, namespace, "sim-3")), "pod that failed later is not Ready any more");
      assertTrue(
          simulator.readyOrder().stream().anyMatch(r -> r.name().equals("sim-3")),
          "sim-3 was Ready once");
    }
  }

  @Test
  void revisionBehaviourAppliesToStatefulSetPods(KubernetesClient client, TestNamespace ns) {
    String namespace = ns.name();
    try (PodSimulator simulator = new PodSimulator(client, namespace, Duration.ofMillis(100))) {
      client
          .apps()
          .statefulSets()
          .inNamespace(namespace)
          .resource(statefulSet("rev", 2, "registry.local/rev:1"))
          .create();
      await(
          "2 ready",
          Duration.ofSeconds(30),
          () ->
              Integer.valueOf(2)
                  .equals(
                      client
                          .apps()
                          .statefulSets()
                          .inNamespace(namespace)
                          .withName("rev")
                          .get()
                          .getStatus()
                          .getReadyReplicas()),
          () -> "");
      // As Ordinal does: hold the partition at the replica count, change the template, learn the
      // new revision from the controller, and only then let the first pod move.
      StatefulSets.edit(
          client,
          namespace,
          "rev",
          s -> {
            s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2);
            s.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .setImage("registry.local/rev:bad");
          });
      await(
          "update revision known",
          Duration.ofSeconds(10),
          () -> {
            var st =
                client
                    .apps()
                    .statefulSets()
                    .inNamespace(namespace)
                    .withName("rev")
                    .get()
                    .getStatus();
            return st.getUpdateRevision() != null
                && !st.getUpdateRevision().equals(st.getCurrentRevision());
          },
          () -> "");
      String bad =
          client
              .apps()
              .statefulSets()
              .inNamespace(namespace)
              .withName("rev")
              .get()
              .getStatus()
              .getUpdateRevision();
      simulator.behaveForRevision(bad, Behaviour.NEVER_READY);
      StatefulSets.edit(
          client,
          namespace,
          "rev",
          s -> {
            s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(0);
          });
      await(
          "rev-1 running on the bad revision",
          Duration.ofSeconds(20),
          () -> {
            Pod p = pod(client, namespace, "rev-1");
            return p != null
                && bad.equals(p.getMetadata().getLabels().get("controller-revision-hash"))
                && p.getStatus() != null
                && "Running".equals(p.getStatus().getPhase());
          },
          () -> pod(client, namespace, "rev-1"));
      // The controller has seen rev-1 Running but not Ready (its status counts one pod updated, one
      // short of ready): the pass in which it would have moved on to rev-0 is behind us.
      await(
          "the controller to count rev-1 updated and not Ready",
          Duration.ofSeconds(20),
          () -> {
            var sts = client.apps().statefulSets().inNamespace(namespace).withName("rev").get();
            var st = sts.getStatus();
            return st.getObservedGeneration() != null
                && st.getObservedGeneration().equals(sts.getMetadata().getGeneration())
                && Integer.valueOf(1).equals(st.getUpdatedReplicas())
                && st.getReadyReplicas() != null
                && st.getReadyReplicas() < sts.getSpec().getReplicas();
          },
          () ->
              client
                  .apps()
                  .statefulSets()
                  .inNamespace(namespace)
                  .withName("rev")
                  .get()
                  .getStatus());
      // The controller never moves on to rev-0 while rev-1 is not Ready.
      assertTrue(!ready(pod(client, namespace, "rev-1")));
      assertTrue(
          !bad.equals(
              pod(client, namespace, "rev-0")
                  .getMetadata()
                  .getLabels()
                  .get("controller-revision-hash")));
    }
  }

  @Test
  void unscheduledPodsAreDeletedAtOnceWithoutKubelet(KubernetesClient client, TestNamespace ns) {
    client.pods().inNamespace(ns.name()).resource(bare("gone")).create();
    long t0 = System.nanoTime();
    client.pods().inNamespace(ns.name()).withName("gone").delete();
    await(
        "pod gone",
        Duration.ofSeconds(5),
        () -> pod(client, ns.name(), "gone") == null,
        () -> pod(client, ns.name(), "gone"));
    assertNull(pod(client, ns.name(), "gone"));
    System.out.printf("unscheduled pod deleted in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
  }

  private static Pod bare(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage("registry.local/x:1")
        .endContainer()
        .endSpec()
        .build();
  }

  private static Pod pod(KubernetesClient client, String namespace, String name) {
    return client.pods().inNamespace(namespace).withName(name).get();
  }

  private static boolean ready(Pod pod) {
    return pod != null
        && pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private static int restarts(Pod pod) {
    if (pod == null
        || pod.getStatus() == null
        || pod.getStatus().getContainerStatuses() == null
        || pod.getStatus().getContainerStatuses().isEmpty()) {
      return 0;
    }
    return pod.getStatus().getContainerStatuses().get(0).getRestartCount();
  }
}
