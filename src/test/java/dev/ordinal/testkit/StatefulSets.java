package dev.ordinal.testkit;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Builders and waits for StatefulSets in control-plane tests. */
public final class StatefulSets {
  private StatefulSets() {}

  /** A small StatefulSet with one container, a headless service name and one volume claim. */
  public static StatefulSet statefulSet(String name, int replicas, String image) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName(name)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage(image)
        .addNewPort()
        .withContainerPort(8080)
        .withName("http")
        .endPort()
        .addNewVolumeMount()
        .withName("data")
        .withMountPath("/data")
        .endVolumeMount()
        .endContainer()
        .endSpec()
        .endTemplate()
        .addNewVolumeClaimTemplate()
        .withNewMetadata()
        .withName("data")
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withNewResources()
        .addToRequests("storage", new Quantity("1Gi"))
        .endResources()
        .endSpec()
        .endVolumeClaimTemplate()
        .endSpec()
        .build();
  }

  /** Pod name → controller revision of the pods of a StatefulSet, sorted by name. */
  public static Map<String, String> revisions(
      KubernetesClient client, String namespace, String name) {
    Map<String, String> result = new TreeMap<>();
    for (Pod pod : client.pods().inNamespace(namespace).withLabel("app", name).list().getItems()) {
      if (pod.getMetadata().getDeletionTimestamp() == null) {
        result.put(
            pod.getMetadata().getName(),
            pod.getMetadata().getLabels().get("controller-revision-hash"));
      }
    }
    return result;
  }

  /** A change for {@link #edit}: the first container's image. */
  public static Consumer<StatefulSet> image(String image) {
    return s -> s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
  }

  /**
   * Read-modify-write of a StatefulSet, retried on 409: the controller updates the object's status
   * all the time, so a single optimistic update often loses the race.
   */
  public static StatefulSet edit(
      KubernetesClient client, String namespace, String name, Consumer<StatefulSet> change) {
    for (int attempt = 0; ; attempt++) {
      StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
      change.accept(sts);
      try {
        return client.apps().statefulSets().inNamespace(namespace).resource(sts).update();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
      }
    }
  }

  /** Polls until the condition holds; fails with the description and last state otherwise. */
  public static void await(
      String what, Duration timeout, BooleanSupplier condition, Supplier<Object> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      ControlPlane.sleep(50);
    }
    throw new AssertionError(
        "timed out after " + timeout + " waiting for " + what + "; last state: " + state.get());
  }

  /**
   * Waits until the StatefulSet controller has observed the object's latest spec (its status
   * carries the current generation). The controller writes status at the end of the pass in which
   * it creates or deletes pods, so what it was going to do about that spec has been done.
   */
  public static StatefulSet awaitObserved(
      KubernetesClient client, String namespace, String name, Duration timeout) {
    await(
        "the controller to observe the spec of StatefulSet " + namespace + "/" + name,
        timeout,
        () -> {
          StatefulSet sts =
              client.apps().statefulSets().inNamespace(namespace).withName(name).get();
          var s = sts.getStatus();
          return s != null
              && s.getObservedGeneration() != null
              && s.getObservedGeneration().equals(sts.getMetadata().getGeneration());
        },
        () -> client.apps().statefulSets().inNamespace(namespace).withName(name).get().getStatus());
    return client.apps().statefulSets().inNamespace(namespace).withName(name).get();
  }

  /** Waits until every replica is ready and on the update revision. */
  public static StatefulSet awaitRolledOut(
      KubernetesClient client, String namespace, String name, Duration timeout) {
    await(
        "StatefulSet " + namespace + "/" + name + " to have all replicas ready",
        timeout,
        () -> {
          StatefulSet sts =
              client.apps().statefulSets().inNamespace(namespace).withName(name).get();
          var s = sts.getStatus();
          return s != null
              && s.getObservedGeneration() != null
              && s.getObservedGeneration().equals(sts.getMetadata().getGeneration())
              && s.getReadyReplicas() != null
              && s.getReadyReplicas().equals(sts.getSpec().getReplicas())
              && s.getCurrentReplicas() != null
              && s.getCurrentReplicas().equals(sts.getSpec().getReplicas());
        },
        () -> client.apps().statefulSets().inNamespace(namespace).withName(name).get().getStatus());
    return client.apps().statefulSets().inNamespace(namespace).withName(name).get();
  }

  /** The storage its first volume claim template requests, as written ({@code 2Gi}). */
  public static String claimTemplateStorage(StatefulSet sts) {
    return sts.getSpec()
        .getVolumeClaimTemplates()
        .get(0)
        .getSpec()
        .getResources()
        .getRequests()
        .get("storage")
        .toString();
  }
}
