package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.testkit.ApiRequests;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle resync of unchanged objects costs the API server nothing: live state comes from the watch
 * caches, and an unchanged plan writes nothing. Counted by the API server itself.
 */
@ControlPlaneTest
class IdleResyncIT {
  @TempDir Path repo;

  @Test
  void anIdleResyncMakesNoPerObjectRequestAndNoWrite(KubernetesClient client, TestNamespace ns)
      throws Exception {
    for (int i = 0; i < 20; i++) {
      Files.writeString(
          repo.resolve("cm-" + i + ".yaml"),
          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-"
              + i
              + "}\ndata: {k: v"
              + i
              + "}\n");
      Files.writeString(
          repo.resolve("sts-" + i + ".yaml"),
          String.format(
              """
              apiVersion: apps/v1
              kind: StatefulSet
              metadata: {name: db-%d}
              spec:
                replicas: 0
                serviceName: db-%d
                selector: {matchLabels: {app: db-%d}}
                template:
                  metadata: {labels: {app: db-%d}}
                  spec:
                    containers: [{name: db, image: "registry.local/db:1"}]
              """,
              i, i, i, i));
    }
    try (KubeCluster kube = new KubeCluster(client)) {
      AppSync sync = new AppSync("idle", ns.name(), false, Loaders.forFixtures(), kube);
      SyncResult.Applied first =
          assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      assertEquals(40, first.created());
      // Idle means the cluster has stopped changing: the StatefulSet controller writes each new
      // StatefulSet's status once or twice after its creation, later still under load, and a
      // status write is a new resourceVersion to plan against.
      StatefulSets.await(
          "the controller to have observed every StatefulSet",
          Duration.ofSeconds(60),
          () ->
              client.apps().statefulSets().inNamespace(ns.name()).list().getItems().stream()
                  .allMatch(
                      s ->
                          s.getStatus() != null
                              && s.getMetadata()
                                  .getGeneration()
                                  .equals(s.getStatus().getObservedGeneration())
                              && s.getStatus().getUpdateRevision() != null
                              && s.getStatus().getCurrentRevision() != null),
          () -> "not yet");
      // The caches see what was applied; the next plan fetches each object once to remember its
      // plan under the live fingerprint.
      assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));

      Map<String, Long> before = ApiRequests.snapshot(client);
      for (int i = 0; i < 3; i++) {
        SyncResult.Applied resync =
            assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
        assertEquals(40, resync.unchanged(), resync.toString());
      }
      Map<String, Long> after = ApiRequests.snapshot(client);

      Map<String, Long> byOrdinal = new TreeMap<>();
      ApiRequests.delta(before, after)
          .forEach(
              (key, count) -> {
                if (key.endsWith(" configmaps") || key.endsWith(" statefulsets")) {
                  byOrdinal.put(key, count);
                }
              });
      System.out.println(
          "requests for configmaps and statefulsets in 3 idle resyncs: " + byOrdinal);
      assertEquals(Map.of(), byOrdinal, "no GET, LIST or write per resync");
    }
  }
}
