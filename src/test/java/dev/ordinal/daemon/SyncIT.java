package dev.ordinal.daemon;

import static dev.ordinal.testkit.Manifests.CONFIG;
import static dev.ordinal.testkit.Manifests.POLICY;
import static dev.ordinal.testkit.Manifests.SERVICE;
import static dev.ordinal.testkit.Manifests.STS;
import static dev.ordinal.testkit.StatefulSets.await;
import static dev.ordinal.testkit.StatefulSets.awaitRolledOut;
import static dev.ordinal.testkit.StatefulSets.revisions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.plan.ObjectPlan;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load, plan and apply against the real API server and StatefulSet controller. */
@ControlPlaneTest
class SyncIT {
  @TempDir Path repo;

  private AppSync sync(KubernetesClient client, TestNamespace ns, boolean prune) {
    return new AppSync("shop", ns.name(), prune, Loaders.forFixtures(), new KubeCluster(client));
  }

  /** An app with something to prune: a ConfigMap and a Service, applied with prune on. */
  private void applyAConfigMapAndAServiceWithPrune(KubernetesClient client, TestNamespace ns)
      throws IOException {
    write(Map.of("cm.yaml", CONFIG, "svc.yaml", SERVICE));
    assertInstanceOf(
        SyncResult.Applied.class, sync(client, ns, true).sync(LocalDirectory.read(repo)));
  }

  private void write(Map<String, String> files) throws IOException {
    try (var old = Files.list(repo)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    for (var e : files.entrySet()) {
      Files.writeString(repo.resolve(e.getKey()), e.getValue());
    }
  }

  @Test
  void appliedStatefulSetPlansAsUnchangedAfterServerDefaulting(
      KubernetesClient client, TestNamespace ns) throws IOException {
    write(Map.of("sts.yaml", STS, "svc.yaml", SERVICE, "cm.yaml", CONFIG, "policy.yaml", POLICY));
    AppSync sync = sync(client, ns, false);

    SyncResult first = sync.sync(LocalDirectory.read(repo));
    SyncResult.Applied applied = assertInstanceOf(SyncResult.Applied.class, first);
    assertEquals(3, applied.created());

    StatefulSet live = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
    assertEquals(
        "OrderedReady", live.getSpec().getPodManagementPolicy(), "the server defaulted the object");
    assertEquals("shop", live.getMetadata().getLabels().get(KubeCluster.INVENTORY_LABEL));
    assertTrue(
        live.getMetadata().getManagedFields().stream()
            .anyMatch(f -> f.getManager().equals("ordinal")));

    // The plan reads the live objects from watch caches, which see the creates a moment after the
    // apply answered; until then it would plan them as creates again (CI saw it once).
    var tree = LocalDirectory.read(repo);
    await(
        "the watch caches to hold the three objects created",
        Duration.ofSeconds(30),
        () -> sync.plan(tree).plan().counts().create() == 0,
        () -> sync.plan(tree).plan().unifiedDiff());
    AppSync.Planned again = sync.plan(tree);
    assertEquals(
        3, again.plan().ofType(ObjectPlan.Unchanged.class).size(), again.plan().unifiedDiff());
    assertTrue(!again.plan().hasChanges(), again.plan().unifiedDiff());
  }

  @Test
  void podTemplateChangeUnderPolicyIsHeldAtThePartition(KubernetesClient client, TestNamespace ns)
      throws IOException {
    try (PodSimulator pods = new PodSimulator(client, ns.name(), Duration.ofMillis(100))) {
      write(Map.of("sts.yaml", STS, "svc.yaml", SERVICE, "policy.yaml", POLICY));
      AppSync sync = sync(client, ns, false);
      assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      StatefulSet stable = awaitRolledOut(client, ns.name(), "db", Duration.ofSeconds(60));
      String stableRevision = stable.getStatus().getCurrentRevision();

      write(
          Map.of(
              "sts.yaml", STS.replace("db:1", "db:2"), "svc.yaml", SERVICE, "policy.yaml", POLICY));
      SyncResult.Applied held =
          assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      assertEquals(1, held.held());

      StatefulSet live = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
      assertEquals(3, live.getSpec().getUpdateStrategy().getRollingUpdate().getPartition());
      assertEquals(
          "registry.local/db:2",
          live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
      await(
          "the controller to see the new revision",
          Duration.ofSeconds(10),
          () -> {
            var s =
                client
                    .apps()
                    .statefulSets()
                    .inNamespace(ns.name())
                    .withName("db")
                    .get()
                    .getStatus();
            return s.getUpdateRevision() != null && !s.getUpdateRevision().equals(stableRevision);
          },
          () -> "");
      StatefulSets.awaitObserved(client, ns.name(), "db", Duration.ofSeconds(10));
      // Held: the controller has processed the new template (its status write ends the pass in
      // which it would have deleted pods to update) and moved no pod.
      assertEquals(
          Map.of("db-0", stableRevision, "db-1", stableRevision, "db-2", stableRevision),
          revisions(client, ns.name(), "db"));

      // The rollout engine's partition survives the next sync of the same commit: Git does not
      // reset it.
      client
          .apps()
          .statefulSets()
          .inNamespace(ns.name())
          .withName("db")
          .edit(
              s -> {
                s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2);
                return s;
              });
      SyncResult.Applied resync =
          assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      assertEquals(0, resync.held() + resync.updated(), "nothing to apply");
      assertEquals(
          2,
          client
              .apps()
              .statefulSets()
              .inNamespace(ns.name())
              .withName("db")
              .get()
              .getSpec()
              .getUpdateStrategy()
              .getRollingUpdate()
              .getPartition());
    }
  }

  @Test
  void aPartitionChangedAfterThePlanIsNeverWrittenBack(KubernetesClient client, TestNamespace ns)
      throws IOException {
    write(Map.of("sts.yaml", STS, "policy.yaml", POLICY));
    AppSync sync = sync(client, ns, false);
    assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
    StatefulSets.edit(
        client,
        ns.name(),
        "db",
        s -> s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(3));

    // Git changes a label; the plan saw partition 3.
    write(
        Map.of(
            "sts.yaml",
            STS.replaceFirst("labels: \\{app: db\\}", "labels: {app: db, tier: data}"),
            "policy.yaml",
            POLICY));
    AppSync.Planned planned = sync.plan(LocalDirectory.read(repo));
    // Meanwhile the rollout controller lowers the partition.
    StatefulSets.edit(
        client,
        ns.name(),
        "db",
        s -> s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(1));

    // The applier never sends the partition of a StatefulSet under a policy: the label lands and
    // the controller's partition stands.
    assertInstanceOf(SyncResult.Applied.class, sync.carryOut(planned));
    StatefulSet live = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
    assertEquals("data", live.getMetadata().getLabels().get("tier"));
    assertEquals(1, live.getSpec().getUpdateStrategy().getRollingUpdate().getPartition());
    assertTrue(
        live.getMetadata().getManagedFields().stream()
            .filter(f -> f.getManager().equals("ordinal"))
            .noneMatch(f -> f.getFieldsV1().toString().contains("f:partition")),
        "the Git applier owns no partition: " + live.getMetadata().getManagedFields());
  }

  @Test
  void aHoldWhosePartitionMovedSinceThePlanIsPlannedAgain(KubernetesClient client, TestNamespace ns)
      throws IOException {
    write(Map.of("sts.yaml", STS, "policy.yaml", POLICY));
    // Direct reads: the plan must see the partition this test just wrote, which a watch cache may
    // not hold yet (then the plan sees no rollout in flight, needs no hold, and the race under test
    // never happens).
    AppSync sync =
        new AppSync("shop", ns.name(), false, Loaders.forFixtures(), KubeCluster.direct(client));
    assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
    // A rollout in flight has lowered the partition to 1.
    StatefulSets.edit(
        client,
        ns.name(),
        "db",
        s -> s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(1));

    // Git changes the template; the plan saw partition 1, so the apply needs a hold first.
    write(Map.of("sts.yaml", STS.replace("db:1", "db:2"), "policy.yaml", POLICY));
    AppSync.Planned planned = sync.plan(LocalDirectory.read(repo));
    StatefulSets.edit(
        client,
        ns.name(),
        "db",
        s -> s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2));

    SyncResult.Failed moved = assertInstanceOf(SyncResult.Failed.class, sync.carryOut(planned));
    assertTrue(moved.conflict(), moved.error());
    StatefulSet live = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
    assertEquals(2, live.getSpec().getUpdateStrategy().getRollingUpdate().getPartition());
    assertEquals(
        "registry.local/db:1",
        live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(),
        "no template without its hold");

    // A sync plans again from fresh state: the hold from 2, then the template.
    SyncResult.Applied applied =
        assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
    assertEquals(1, applied.held());
    live = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
    assertEquals(3, live.getSpec().getUpdateStrategy().getRollingUpdate().getPartition());
    assertEquals(
        "registry.local/db:2",
        live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertNotNull(live.getMetadata().getAnnotations().get(Annotations.SYNC_HOLD));
    assertEquals(
        LocalDirectory.read(repo).revision(),
        live.getMetadata().getAnnotations().get(Annotations.TEMPLATE_COMMIT));
  }

  @Test
  void aStatefulSetARestoreHoldsIsLeftAloneUntilTheRestoreEnds(
      KubernetesClient client, TestNamespace ns) throws IOException {
    try (PodSimulator pods = new PodSimulator(client, ns.name(), Duration.ofMillis(100))) {
      String policy = POLICY + "  backup: {}\n"; // a policy that can restore
      write(Map.of("sts.yaml", STS, "policy.yaml", policy, "cm.yaml", CONFIG));
      AppSync sync =
          new AppSync(
              "shop",
              ns.name(),
              new AppBoundary(
                  "shop",
                  Set.of(ns.name()),
                  Set.of(),
                  false,
                  new AppBoundary.Backups(true, Set.of())),
              false,
              Loaders.forFixtures(),
              new KubeCluster(client),
              Clock.systemUTC(),
              () -> true);
      assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      awaitRolledOut(client, ns.name(), "db", Duration.ofSeconds(60));
      var inForce = sync.lastApplied().orElseThrow();
      // a restore lowered the replicas below the ordinals whose claims it replaces
      StatefulSets.edit(
          client,
          ns.name(),
          "db",
          s -> {
            s.getSpec().setReplicas(2);
            s.getMetadata().getAnnotations().put(Annotations.RESTORE, "db-1@1 replace");
          });
      write(
          Map.of(
              "sts.yaml", STS.replace("db:1", "db:2"),
              "policy.yaml", policy,
              "cm.yaml", CONFIG.replace("100", "200")));

      SyncResult.Applied held =
          assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      assertTrue(held.partial());
      StatefulSet live = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
      assertEquals(2, live.getSpec().getReplicas(), "Git's replicas would bring back a pod");
      assertEquals(
          "registry.local/db:1",
          live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
      assertEquals(
          "200",
          client
              .configMaps()
              .inNamespace(ns.name())
              .withName("db-config")
              .get()
              .getData()
              .get("max_connections"),
          "the rest of the commit is applied");
      assertTrue(sync.lastApplied().orElseThrow() == inForce, "the policies in force stay");

      StatefulSets.edit(
          client,
          ns.name(),
          "db",
          s -> s.getMetadata().getAnnotations().remove(Annotations.RESTORE));
      SyncResult.Applied after =
          assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      assertTrue(!after.partial());
      live = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
      assertEquals(3, live.getSpec().getReplicas());
      assertEquals(
          "registry.local/db:2",
          live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }
  }

  @Test
  void forbiddenChangeRefusesTheWholeCommit(KubernetesClient client, TestNamespace ns)
      throws IOException {
    write(Map.of("sts.yaml", STS, "svc.yaml", SERVICE, "policy.yaml", POLICY));
    AppSync sync = sync(client, ns, false);
    assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));

    write(
        Map.of(
            "sts.yaml", STS.replace("storage: 1Gi", "storage: 5Gi"),
            "svc.yaml", SERVICE,
            "policy.yaml", POLICY,
            "cm.yaml", CONFIG));
    SyncResult.Refused refused =
        assertInstanceOf(SyncResult.Refused.class, sync.sync(LocalDirectory.read(repo)));
    assertTrue(
        refused.reasons().get(0).contains("spec.volumeClaimTemplates"),
        refused.reasons().toString());
    assertNull(
        client.configMaps().inNamespace(ns.name()).withName("db-config").get(),
        "nothing from the refused commit was applied");
  }

  @Test
  void invalidCommitAppliesNothing(KubernetesClient client, TestNamespace ns) throws IOException {
    write(Map.of("cm.yaml", CONFIG, "sts.yaml", STS.replace("replicas: 3", "replicas: many")));
    SyncResult.Invalid invalid =
        assertInstanceOf(
            SyncResult.Invalid.class, sync(client, ns, false).sync(LocalDirectory.read(repo)));
    assertEquals("sts.yaml", invalid.errors().get(0).file());
    assertNull(client.configMaps().inNamespace(ns.name()).withName("db-config").get());
  }

  @Test
  void pruneDeletesWhatLeftGitOnlyWhenEnabledAndNeverClaims(
      KubernetesClient client, TestNamespace ns) throws IOException {
    applyAConfigMapAndAServiceWithPrune(client, ns);
    // A claim carrying the inventory label (as if it had once been in Git) must survive pruning.
    client
        .persistentVolumeClaims()
        .inNamespace(ns.name())
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("data-db-0")
                .addToLabels(KubeCluster.INVENTORY_LABEL, "shop")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();

    write(Map.of("svc.yaml", SERVICE));
    SyncResult.Applied withoutPrune =
        assertInstanceOf(
            SyncResult.Applied.class, sync(client, ns, false).sync(LocalDirectory.read(repo)));
    assertEquals(0, withoutPrune.pruned());
    assertNotNull(client.configMaps().inNamespace(ns.name()).withName("db-config").get());

    SyncResult.Applied pruned =
        assertInstanceOf(
            SyncResult.Applied.class, sync(client, ns, true).sync(LocalDirectory.read(repo)));
    assertEquals(1, pruned.pruned());
    assertNull(client.configMaps().inNamespace(ns.name()).withName("db-config").get());
    assertNotNull(
        client.persistentVolumeClaims().inNamespace(ns.name()).withName("data-db-0").get());
  }

  @Test
  void anEmptyRevisionPrunesNothingUnlessTheAppAllowsEmpty(
      KubernetesClient client, TestNamespace ns) throws IOException {
    applyAConfigMapAndAServiceWithPrune(client, ns);

    // A folder emptied (or a path gone wrong) would delete the whole app: refused by name.
    write(Map.of("README.md", "moved to envs/prod\n"));
    SyncResult.Refused refused =
        assertInstanceOf(
            SyncResult.Refused.class, sync(client, ns, true).sync(LocalDirectory.read(repo)));
    assertEquals(1, refused.refusals().size(), refused.reasons().toString());
    assertTrue(
        refused
            .reasons()
            .get(0)
            .startsWith(
                "the revision declares no objects, so applying it would prune all 2 of the app's"
                    + " objects; nothing was applied. If that is meant, set allowEmpty: true"),
        refused.reasons().toString());
    assertNotNull(client.configMaps().inNamespace(ns.name()).withName("db-config").get());

    SyncResult.Applied emptied =
        assertInstanceOf(
            SyncResult.Applied.class,
            sync(client, ns, true).allowingEmpty(true).sync(LocalDirectory.read(repo)));
    assertEquals(2, emptied.pruned());
    assertNull(client.configMaps().inNamespace(ns.name()).withName("db-config").get());
  }
}
