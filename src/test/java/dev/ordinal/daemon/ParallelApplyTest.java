package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link AppSync} applies a plan: waves by kind, each wave at once on a bounded pool. */
class ParallelApplyTest {
  private static final int POOL = 4;

  @TempDir Path repo;
  private SimCluster sim;
  private ExecutorService pool;

  @BeforeEach
  void start() {
    sim = new SimCluster(new SimClock(Instant.now(), 1), Duration.ofMillis(100));
    pool = Executors.newFixedThreadPool(POOL);
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    sim.close();
  }

  @Test
  void objectsOfOneKindAreAppliedAtOnceAndAKindOthersNeedGoesFirst() throws Exception {
    write(12, 2, false);
    Gate gate = new Gate(sim, POOL);
    SyncResult result = sync(gate).sync(LocalDirectory.read(repo));

    SyncResult.Applied applied = assertInstanceOf(SyncResult.Applied.class, result);
    assertEquals(14, applied.created());
    // Every ConfigMap waited at a barrier of the pool's size: they can only have passed it if
    // that many were in flight together.
    assertEquals(12 / POOL, gate.barrierTrips, "ConfigMaps passed the barrier in groups of 4");
    int lastServiceAccount = gate.order.lastIndexOf("ServiceAccount done");
    int firstConfigMap = gate.order.indexOf("ConfigMap");
    assertTrue(
        lastServiceAccount < firstConfigMap,
        "ServiceAccounts end before any ConfigMap starts: " + gate.order);
  }

  @Test
  void aFailedObjectFailsTheSyncStopsLaterWavesAndTheNextSyncRepairsIt() throws Exception {
    write(8, 2, true);
    Gate gate = new Gate(sim, 1);
    gate.failing = "cm-5";
    AppSync sync = sync(gate);

    SyncResult.Failed failed =
        assertInstanceOf(SyncResult.Failed.class, sync.sync(LocalDirectory.read(repo)));
    assertTrue(failed.error().contains("ConfigMap/shop/cm-5"), failed.error());
    assertTrue(failed.error().contains("exceeded quota"), failed.error());
    assertFalse(failed.conflict(), "a refusal is not a conflict: it is retried on the next poll");
    assertFalse(
        gate.order.contains("StatefulSet"), "no later wave starts after a failure: " + gate.order);
    assertTrue(sim.lookup(List.of(configMap("cm-5")), "shop").isEmpty());

    gate.failing = null;
    SyncResult.Applied repaired =
        assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
    // cm-5, the StatefulSet, and any ConfigMap the failure kept from starting
    assertTrue(repaired.created() >= 2, repaired.toString());
    assertEquals(2 + 8 + 1, repaired.created() + repaired.unchanged(), repaired.toString());
    assertEquals(1, sim.lookup(List.of(configMap("cm-5")), "shop").size());
  }

  private AppSync sync(LiveObjects cluster) {
    return new AppSync(
        "shop",
        "shop",
        AppBoundary.defaults("shop", "shop"),
        false,
        Loaders.forFixtures(),
        cluster,
        sim.clock(),
        () -> true,
        pool);
  }

  private void write(int configMaps, int serviceAccounts, boolean statefulSet) throws Exception {
    for (int i = 0; i < configMaps; i++) {
      Files.writeString(
          repo.resolve("cm-" + i + ".yaml"),
          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-" + i + "}\ndata: {a: b}\n");
    }
    for (int i = 0; i < serviceAccounts; i++) {
      Files.writeString(
          repo.resolve("sa-" + i + ".yaml"),
          "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa-" + i + "}\n");
    }
    if (statefulSet) {
      Files.writeString(repo.resolve("sts.yaml"), Manifests.withoutReplicas("db", "{}"));
    }
  }

  private static HasMetadata configMap(String name) {
    return new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .endMetadata()
        .build();
  }

  /**
   * The in-memory cluster behind a gate: ConfigMaps wait at a barrier of {@code parties}, and one
   * named object is refused as a quota would refuse it.
   */
  private static final class Gate extends LiveObjectsWrapper {
    private final CyclicBarrier barrier;
    final List<String> order = new CopyOnWriteArrayList<>();
    volatile int barrierTrips;
    volatile String failing;

    Gate(LiveObjects cluster, int parties) {
      super(cluster);
      this.barrier = new CyclicBarrier(parties, () -> barrierTrips++);
    }

    @Override
    public HasMetadata apply(HasMetadata desired) {
      String kind = desired.getKind();
      order.add(kind);
      if (desired.getMetadata().getName().equals(failing)) {
        throw new ClusterRequestException(
            "configmaps \"" + failing + "\" is forbidden: exceeded quota: objects", 403, null);
      }
      if (kind.equals("ConfigMap") && barrier.getParties() > 1) {
        try {
          barrier.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
          throw new IllegalStateException("fewer ConfigMaps in flight than the pool allows", e);
        }
      }
      HasMetadata applied = super.apply(desired);
      order.add(kind + " done");
      return applied;
    }
  }
}
