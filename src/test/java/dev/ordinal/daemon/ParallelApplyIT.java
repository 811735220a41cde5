package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit of 200 objects applied at once on a bounded pool against the real API server; an object
 * the server refuses fails the sync cleanly, and the next sync repairs it.
 */
@ControlPlaneTest
class ParallelApplyIT {
  private static final int CONFIG_MAPS = 100;
  private static final int STATEFUL_SETS = 100;

  @TempDir Path repo;

  @Test
  void twoHundredObjectsApplyTogetherAndARefusedOneIsRepairedByTheNextSync(
      KubernetesClient client, TestNamespace ns) throws Exception {
    write("v1", false);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (KubeCluster kube = new KubeCluster(client)) {
      AppSync sync =
          new AppSync(
              "bulk",
              ns.name(),
              AppBoundary.defaults("bulk", ns.name()),
              false,
              Loaders.forFixtures(),
              kube,
              Clock.systemUTC(),
              () -> true,
              pool);

      SyncResult.Applied first =
          assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      assertEquals(CONFIG_MAPS + STATEFUL_SETS, first.created(), first.toString());
      assertEquals(CONFIG_MAPS, labelled(client, ns, "v1"));
      assertEquals(
          STATEFUL_SETS,
          client
              .apps()
              .statefulSets()
              .inNamespace(ns.name())
              .withLabel(KubeCluster.INVENTORY_LABEL, "bulk")
              .list()
              .getItems()
              .size());

      // A quota that admits no more ConfigMaps than there are: the commit's new one is refused.
      int present = client.configMaps().inNamespace(ns.name()).list().getItems().size();
      ResourceQuota quota = quota(client, ns, present);
      write("v2", true);
      SyncResult.Failed failed =
          assertInstanceOf(SyncResult.Failed.class, sync.sync(LocalDirectory.read(repo)));
      assertTrue(failed.error().contains("ConfigMap/" + ns.name() + "/cm-extra"), failed.error());
      assertTrue(failed.error().contains("exceeded quota"), failed.error());
      assertEquals(
          null,
          client.configMaps().inNamespace(ns.name()).withName("cm-extra").get(),
          "the refused object was not applied");
      assertEquals(
          0,
          client.apps().statefulSets().inNamespace(ns.name()).list().getItems().stream()
              .filter(s -> "v2".equals(s.getMetadata().getLabels().get("release")))
              .count(),
          "no StatefulSet (a later wave) was applied after the failure");

      // The quota is lifted: the next sync of the same commit applies everything.
      client.resource(quota).delete();
      awaitGone(client, ns);
      SyncResult.Applied repaired =
          assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      assertEquals(
          CONFIG_MAPS + 1 + STATEFUL_SETS,
          repaired.created() + repaired.updated() + repaired.unchanged(),
          repaired.toString());
      assertEquals(1, repaired.created(), "cm-extra: " + repaired);
      assertEquals(CONFIG_MAPS + 1, labelled(client, ns, "v2"));
      assertEquals(
          STATEFUL_SETS,
          client.apps().statefulSets().inNamespace(ns.name()).list().getItems().stream()
              .filter(s -> "v2".equals(s.getMetadata().getLabels().get("release")))
              .count());
    } finally {
      pool.shutdownNow();
    }
  }

  /** ConfigMaps of the app at {@code release}. */
  private static long labelled(KubernetesClient client, TestNamespace ns, String release) {
    return client
        .configMaps()
        .inNamespace(ns.name())
        .withLabel(KubeCluster.INVENTORY_LABEL, "bulk")
        .list()
        .getItems()
        .stream()
        .map(ConfigMap::getData)
        .filter(d -> release.equals(d.get("release")))
        .count();
  }

  /**
   * A quota of {@code configMaps} ConfigMaps. The test control plane runs no quota controller, so
   * the test writes the usage the controller would have counted; admission counts from there.
   */
  private static ResourceQuota quota(KubernetesClient client, TestNamespace ns, int configMaps) {
    Map<String, Quantity> hard = Map.of("count/configmaps", new Quantity("" + configMaps));
    ResourceQuota created =
        client
            .resourceQuotas()
            .inNamespace(ns.name())
            .resource(
                new ResourceQuotaBuilder()
                    .withNewMetadata()
                    .withName("configmaps")
                    .endMetadata()
                    .withNewSpec()
                    .withHard(hard)
                    .endSpec()
                    .build())
            .create();
    created.setStatus(
        new io.fabric8.kubernetes.api.model.ResourceQuotaStatusBuilder()
            .withHard(hard)
            .withUsed(Map.of("count/configmaps", new Quantity("" + configMaps)))
            .build());
    return client.resourceQuotas().inNamespace(ns.name()).resource(created).updateStatus();
  }

  private static void awaitGone(KubernetesClient client, TestNamespace ns) {
    dev.ordinal.testkit.StatefulSets.await(
        "the quota deleted",
        Duration.ofSeconds(30),
        () -> client.resourceQuotas().inNamespace(ns.name()).list().getItems().isEmpty(),
        () -> "");
  }

  /** 100 ConfigMaps and 100 StatefulSets (no replicas) at {@code release}; maybe one more. */
  private void write(String release, boolean extra) throws Exception {
    for (int i = 0; i < CONFIG_MAPS; i++) {
      Files.writeString(repo.resolve("cm-" + i + ".yaml"), configMap("cm-" + i, release));
    }
    if (extra) {
      Files.writeString(repo.resolve("cm-extra.yaml"), configMap("cm-extra", release));
    }
    for (int i = 0; i < STATEFUL_SETS; i++) {
      Files.writeString(
          repo.resolve("sts-" + i + ".yaml"),
          Manifests.withoutReplicas("db-" + i, "{release: " + release + "}"));
    }
  }

  private static String configMap(String name, String release) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "
        + name
        + "}\ndata: {release: "
        + release
        + "}\n";
  }
}
