package dev.ordinal.backup;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.cli.Main;
import dev.ordinal.daemon.RolloutLoop;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.BackupSpec;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import dev.ordinal.rollout.VolumeOp;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backups and restores on the real control plane: kube-apiserver with the snapshot CRDs, the
 * StatefulSet, garbage-collector and pvc-protection controllers, and simulators for the kubelet,
 * the CSI snapshotter and the Job controller.
 */
@ControlPlaneTest
class BackupIT {
  static final RolloutSpec STEPS = RolloutSpec.of(Step.Canary.pods(2), Step.Pause.untilPromoted());
  static final Duration SNAPSHOT_DELAY = Duration.ofMillis(300);

  static RolloutSpec spec(BackupSpec backup) {
    return STEPS.withBackup(backup);
  }

  static RolloutSpec spec(BackupSpec.RestoreOnRollback restore) {
    return spec(BackupSpec.of(restore));
  }

  @Test
  void theSetIsTakenBeforeAnyPodMovesLabelledAndReferencedFromTheState(
      KubernetesClient client, TestNamespace ns) throws Exception {
    try (BackupHarness h =
        new BackupHarness(
            client, ns.name(), "db", spec(BackupSpec.RestoreOnRollback.MANUAL), SNAPSHOT_DELAY)) {
      String v1 = running(h, 3);
      h.release("registry.local/db:2", "4f2a9c1e5b7d");
      RolloutState paused = h.awaitState("at the gate", s -> s.phase() == Phase.PAUSED);

      String id = paused.backup().id();
      assertEquals(RolloutState.BackupStage.READY, paused.backup().stage());
      List<VolumeSnapshot> set = h.volumeSnapshots();
      assertEquals(
          Set.of("data-db-0", "data-db-1", "data-db-2"),
          set.stream().map(VolumeSnapshot::claim).collect(Collectors.toSet()));
      for (VolumeSnapshot s : set) {
        assertEquals(id, s.label(BackupNames.BACKUP_ID));
        assertEquals("db", s.label(BackupNames.STATEFULSET));
        assertEquals(v1, s.label(BackupNames.REVISION), "the revision whose data it holds");
        assertEquals("4f2a9c1e5b7d", s.label(BackupNames.COMMIT));
        assertTrue(s.ready());
      }
      List<String> log = h.describeLog();
      int ready = log.indexOf("UpdateState(BackupReady)");
      int firstMove = log.indexOf("SetPartition(1)");
      assertTrue(ready >= 0 && ready < firstMove, "ready before the first pod moves: " + log);
      assertEquals(1, h.count("TakeSnapshots"), log.toString());
    }
  }

  @Test
  void aFailedSnapshotBlocksTheRolloutAndSaysWhichClaimAndWhy(
      KubernetesClient client, TestNamespace ns) throws Exception {
    try (BackupHarness h =
        new BackupHarness(
            client, ns.name(), "db", spec(BackupSpec.RestoreOnRollback.MANUAL), SNAPSHOT_DELAY)) {
      h.snapshots.failSnapshot("data-db-1");
      String v1 = running(h, 3);
      h.release("registry.local/db:2", "c0ffee");
      RolloutState failed = h.awaitState("blocked", s -> s.phase() == Phase.ROLLED_BACK);

      assertEquals(PhaseReason.BACKUP_FAILED, failed.reasonCode());
      assertTrue(
          failed.reason().contains("data-db-1: simulated CSI driver failure"), failed.reason());
      await(
          "a Warning event naming the claim",
          BackupHarness.TIMEOUT,
          () ->
              h.events().stream()
                  .anyMatch(e -> e.startsWith("Warning BackupFailed") && e.contains("data-db-1")),
          h::events);
      await(
          "the failed set deleted",
          BackupHarness.TIMEOUT,
          () -> h.volumeSnapshots().isEmpty(),
          h::volumeSnapshots);
      assertTrue(h.allOn(v1, 3), "no pod moved: " + h.pods());
      assertEquals(3, h.sts().getSpec().getUpdateStrategy().getRollingUpdate().getPartition());
    }
  }

  @Test
  void aSnapshotThatTimesOutBlocksTheRolloutToo(KubernetesClient client, TestNamespace ns)
      throws Exception {
    RolloutSpec spec =
        spec(BackupSpec.of(BackupSpec.RestoreOnRollback.MANUAL).withTimeout(Duration.ofSeconds(3)));
    try (BackupHarness h = new BackupHarness(client, ns.name(), "db", spec, SNAPSHOT_DELAY)) {
      h.snapshots.neverReady("data-db-2");
      String v1 = running(h, 3);
      h.release("registry.local/db:2", "c0ffee");
      RolloutState failed = h.awaitState("blocked", s -> s.phase() == Phase.ROLLED_BACK);

      assertEquals(PhaseReason.BACKUP_FAILED, failed.reasonCode());
      assertTrue(failed.reason().contains("data-db-2: timed out after 3s"), failed.reason());
      assertTrue(h.allOn(v1, 3), "no pod moved: " + h.pods());
    }
  }

  @Test
  void aCrashBetweenCreatingTheSnapshotsAndTheirBeingReadyLeavesExactlyOneSet(
      KubernetesClient client, TestNamespace ns) throws Exception {
    try (BackupHarness h =
        new BackupHarness(
            client,
            ns.name(),
            "db",
            spec(BackupSpec.RestoreOnRollback.MANUAL),
            Duration.ofSeconds(2))) {
      h.create(3, "registry.local/db:1");
      RolloutLoop first =
          h.controller(
              "first",
              a -> a instanceof Action.Volume v && v.op() instanceof VolumeOp.TakeSnapshots);
      first.start();
      h.awaitState("initialised", s -> s.phase() == Phase.HEALTHY);
      h.release("registry.local/db:2", "c0ffee");
      await("first instance killed", BackupHarness.TIMEOUT, first::isClosed, h::describeLog);
      assertTrue(
          h.volumeSnapshots().stream().noneMatch(VolumeSnapshot::ready),
          "killed before the snapshots were ready");
      h.controller("second").start();
      RolloutState paused = h.awaitState("at the gate", s -> s.phase() == Phase.PAUSED);

      List<VolumeSnapshot> snapshots = h.volumeSnapshots();
      assertEquals(3, snapshots.size(), "one snapshot per claim: " + snapshots);
      assertEquals(
          Set.of(paused.backup().id()),
          snapshots.stream().map(s -> s.label(BackupNames.BACKUP_ID)).collect(Collectors.toSet()));
      assertEquals(1, h.count("TakeSnapshots"), "requested once: " + h.describeLog());
    }
  }

  @Test
  void aFailingQuiesceJobTakesNoSnapshotTheResumeJobStillRunsAndTheRolloutDoesNotStart(
      KubernetesClient client, TestNamespace ns) throws Exception {
    String template =
        "{\"spec\":{\"containers\":[{\"name\":\"hook\",\"image\":\"registry.local/hook:1\"}]}}";
    BackupSpec hooks =
        BackupSpec.of(BackupSpec.RestoreOnRollback.MANUAL)
            .withHooks(
                Optional.of(new BackupSpec.Job(template, Duration.ofSeconds(30))),
                Optional.of(new BackupSpec.Job(template, Duration.ofSeconds(30))));
    try (BackupHarness h =
        new BackupHarness(client, ns.name(), "db", spec(hooks), SNAPSHOT_DELAY)) {
      h.jobs.failLabelled(BackupNames.HOOK, "quiesce");
      String v1 = running(h, 3);
      h.release("registry.local/db:2", "c0ffee");
      RolloutState failed = h.awaitState("blocked", s -> s.phase() == Phase.ROLLED_BACK);

      assertEquals(PhaseReason.BACKUP_FAILED, failed.reasonCode());
      assertTrue(failed.reason().contains("quiesce hook: job"), failed.reason());
      List<String> finished = h.jobs.finished();
      assertEquals(2, finished.size(), finished.toString());
      assertTrue(finished.get(0).contains("-quiesce-") && finished.get(0).endsWith("Failed"));
      assertTrue(finished.get(1).contains("-resume-") && finished.get(1).endsWith("Complete"));
      assertEquals(0, h.count("TakeSnapshots"), h.describeLog().toString());
      assertTrue(h.volumeSnapshots().isEmpty());
      assertTrue(h.allOn(v1, 3));
      var job = client.batch().v1().jobs().inNamespace(ns.name()).list().getItems().get(0);
      assertTrue(
          job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
              .anyMatch(
                  e ->
                      e.getName().equals("ORDINAL_PODS") && e.getValue().equals("db-0 db-1 db-2")));
    }
  }

  /** The StatefulSet created at v1 under a started controller that has taken it on. */
  static String running(BackupHarness h, int replicas) {
    String v1 = h.create(replicas, "registry.local/db:1");
    h.controller("one").start();
    h.awaitState("initialised", s -> s.phase() == Phase.HEALTHY);
    return v1;
  }

  /** Data v1 on every claim, then v2 writes on the canary's; returns the backup id. */
  static String atTheGateWithCanaryWrites(BackupHarness h, int replicas) {
    for (int o = 0; o < replicas; o++) {
      h.writeData("data-db-" + o, "v1-" + o);
    }
    h.release("registry.local/db:2", "c0ffee");
    RolloutState paused = h.awaitState("at the gate", s -> s.phase() == Phase.PAUSED);
    h.writeData("data-db-" + (replicas - 1), "written-by-v2");
    h.writeData("data-db-" + (replicas - 2), "written-by-v2");
    return paused.backup().id();
  }

  /**
   * Asserts on every claim creation seen since {@code from}: exactly the canary claims, each once,
   * each from the set's snapshot of itself; none empty.
   */
  static void restoredExactly(BackupHarness h, int from, String backupId, List<String> claims) {
    List<BackupHarness.ClaimCreated> made = h.claimsCreated.subList(from, h.claimsCreated.size());
    assertEquals(claims, made.stream().map(BackupHarness.ClaimCreated::name).sorted().toList());
    for (BackupHarness.ClaimCreated c : made) {
      assertEquals(BackupNames.snapshot(c.name(), "db", backupId), c.dataSource(), "from " + c);
    }
  }

  @Test
  void aRollbackWithAutoRestoreRecreatesExactlyTheCanaryClaimsFromTheirSnapshots(
      KubernetesClient client, TestNamespace ns) throws Exception {
    try (BackupHarness h =
        new BackupHarness(
            client, ns.name(), "db", spec(BackupSpec.RestoreOnRollback.AUTO), SNAPSHOT_DELAY)) {
      String v1 = running(h, 4);
      String id = atTheGateWithCanaryWrites(h, 4);
      int before = h.claimsCreated.size();
      h.annotate(Annotations.commandKey(Command.ABORT), "now");

      h.awaitState(
          "rolled back and restored", s -> s.phase() == Phase.ROLLED_BACK && s.restore() == null);
      await("all on v1", BackupHarness.TIMEOUT, () -> h.allOn(v1, 4), h::pods);
      restoredExactly(h, before, id, List.of("data-db-2", "data-db-3"));
      // the drill: what the canary wrote is gone, the rest untouched
      assertEquals(
          Map.of(
              "data-db-0", "v1-0", "data-db-1", "v1-1", "data-db-2", "v1-2", "data-db-3", "v1-3"),
          h.data());
      assertEquals(
          List.of("SetReplicas(2)", "SetReplicas(4)"),
          h.describeLog().stream().filter(d -> d.startsWith("SetReplicas")).toList());
      assertTrue(
          h.events().stream().anyMatch(e -> e.startsWith("Normal RestoreCompleted")),
          h.events().toString());
      assertTrue(!h.sts().getMetadata().getAnnotations().containsKey(Annotations.RESTORE));
    }
  }

  @Test
  void whenScaledDeleteIsHonouredTheControllerDeletesTheClaimsOrdinalRecreatesThemFromSnapshots(
      KubernetesClient client, TestNamespace ns) throws Exception {
    try (BackupHarness h =
        new BackupHarness(
            client, ns.name(), "db", spec(BackupSpec.RestoreOnRollback.AUTO), SNAPSHOT_DELAY)) {
      String v1 =
          h.create(
              4,
              "registry.local/db:1",
              s ->
                  s.getSpec()
                      .setPersistentVolumeClaimRetentionPolicy(
                          new StatefulSetPersistentVolumeClaimRetentionPolicy("Retain", "Delete")));
      h.controller("one").start();
      h.awaitState("initialised", s -> s.phase() == Phase.HEALTHY);
      String id = atTheGateWithCanaryWrites(h, 4);
      int before = h.claimsCreated.size();
      h.annotate(Annotations.commandKey(Command.ABORT), "now");
      h.awaitState(
          "rolled back and restored", s -> s.phase() == Phase.ROLLED_BACK && s.restore() == null);
      await("all on v1", BackupHarness.TIMEOUT, () -> h.allOn(v1, 4), h::pods);
      restoredExactly(h, before, id, List.of("data-db-2", "data-db-3"));
      assertEquals("v1-3", h.data().get("data-db-3"));
    }
  }

  @Test
  void aManualRestoreByTheCli(ControlPlane plane, KubernetesClient client, TestNamespace ns)
      throws Exception {
    try (BackupHarness h =
        new BackupHarness(
            client, ns.name(), "db", spec(BackupSpec.RestoreOnRollback.MANUAL), SNAPSHOT_DELAY)) {
      String v1 = running(h, 4);
      String id = atTheGateWithCanaryWrites(h, 4);
      h.annotate(Annotations.commandKey(Command.ABORT), "now");
      h.awaitState("rolled back pod by pod", s -> s.phase() == Phase.ROLLED_BACK);
      await("all on v1", BackupHarness.TIMEOUT, () -> h.allOn(v1, 4), h::pods);
      assertEquals(
          "written-by-v2", h.data().get("data-db-3"), "manual: the rollback kept the data");
      int before = h.claimsCreated.size();

      int exit =
          Main.execute(
              "backup",
              "restore",
              id,
              "--kubeconfig",
              plane.kubeconfig().toString(),
              "-n",
              ns.name());
      assertEquals(0, exit);
      h.awaitState("restored", s -> s.restore() == null && s.backup().restored().startsWith(id));
      await("all on v1", BackupHarness.TIMEOUT, () -> h.allOn(v1, 4), h::pods);
      restoredExactly(h, before, id, List.of("data-db-2", "data-db-3"));
      assertEquals("v1-3", h.data().get("data-db-3"));
    }
  }

  @Test
  void aManualRestoreByTheAnnotation(KubernetesClient client, TestNamespace ns) throws Exception {
    try (BackupHarness h =
        new BackupHarness(
            client, ns.name(), "db", spec(BackupSpec.RestoreOnRollback.MANUAL), SNAPSHOT_DELAY)) {
      String v1 = running(h, 4);
      String id = atTheGateWithCanaryWrites(h, 4);
      h.annotate(Annotations.commandKey(Command.ABORT), "now");
      h.awaitState("rolled back", s -> s.phase() == Phase.ROLLED_BACK);
      int before = h.claimsCreated.size();
      h.annotate(Annotations.commandKey(Command.RESTORE), id);
      h.awaitState("restored", s -> s.restore() == null && s.backup().restored().startsWith(id));
      await("all on v1", BackupHarness.TIMEOUT, () -> h.allOn(v1, 4), h::pods);
      restoredExactly(h, before, id, List.of("data-db-2", "data-db-3"));
      assertTrue(
          !h.sts()
              .getMetadata()
              .getAnnotations()
              .containsKey(Annotations.commandKey(Command.RESTORE)),
          "the command is consumed");
    }
  }

  @Test
  void retentionDeletesOldSetsButNeverOneARolloutStillReferences(
      KubernetesClient client, TestNamespace ns) throws Exception {
    RolloutSpec spec = spec(BackupSpec.of(BackupSpec.RestoreOnRollback.MANUAL).withKeep(1));
    try (BackupHarness h = new BackupHarness(client, ns.name(), "db", spec, SNAPSHOT_DELAY)) {
      running(h, 3);
      h.release("registry.local/db:2", "c0ffee1");
      String first = h.awaitState("gate 1", s -> s.phase() == Phase.PAUSED).backup().id();
      h.annotate(Annotations.commandKey(Command.PROMOTE), "now");
      h.awaitState("healthy on v2", s -> s.phase() == Phase.HEALTHY);
      h.release("registry.local/db:3", "c0ffee2");
      String second =
          h.awaitState("gate 2", s -> s.phase() == Phase.PAUSED && !s.backup().id().equals(first))
              .backup()
              .id();
      await(
          "the first set, beyond keep 1, deleted",
          BackupHarness.TIMEOUT,
          () -> ids(h).equals(Set.of(second)),
          () -> ids(h));
      h.annotate(Annotations.commandKey(Command.ABORT), "now");
      h.awaitState("rolled back", s -> s.phase() == Phase.ROLLED_BACK);
      // a newer complete set appears (taken by someone else with Ordinal's labels)
      newerSet(h, "db-99991231-235959");
      await(
          "the newer set ready",
          BackupHarness.TIMEOUT,
          () -> h.volumeSnapshots().stream().filter(VolumeSnapshot::ready).count() == 4,
          h::volumeSnapshots);
      h.poke();
      h.poke(); // twice: the second decision sees what the watch caches had by the first
      // keep 1 keeps the newest; the older one stays because the rolled-back rollout references it
      assertEquals(Set.of(second, "db-99991231-235959"), ids(h));
      assertEquals(1, h.count("DeleteSet"), h.describeLog().toString());
    }
  }

  static Set<String> ids(BackupHarness h) {
    return h.volumeSnapshots().stream()
        .map(s -> s.label(BackupNames.BACKUP_ID))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static void newerSet(BackupHarness h, String id) {
    GenericKubernetesResource s =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("snapshot.storage.k8s.io/v1")
            .withKind("VolumeSnapshot")
            .withNewMetadata()
            .withName("data-db-0-" + id)
            .withLabels(Map.of(BackupNames.BACKUP_ID, id, BackupNames.STATEFULSET, "db"))
            .withAnnotations(Map.of(BackupNames.SET_SIZE, "1"))
            .endMetadata()
            .addToAdditionalProperties(
                "spec", Map.of("source", Map.of("persistentVolumeClaimName", "data-db-0")))
            .build();
    h.snapshots.snapshots().inNamespace(h.ns).resource(s).create();
  }

  /**
   * Ordinal killed right after each step of a restore, then a new instance resumes: no step is done
   * twice, no claim is lost, no restored ordinal gets an empty claim.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "SetReplicas(2)",
        "UpdateState(Restoring)",
        "DeleteClaim(data-db-2)",
        "DeleteClaim(data-db-3)",
        "RestoreClaim(data-db-2)",
        "RestoreClaim(data-db-3)",
        "SetReplicas(4)"
      })
  void killedAtEachRestoreStepTheNextOrdinalResumesWithNothingDoneTwice(
      String step, KubernetesClient client, TestNamespace ns) throws Exception {
    try (BackupHarness h =
        new BackupHarness(
            client, ns.name(), "db", spec(BackupSpec.RestoreOnRollback.AUTO), SNAPSHOT_DELAY)) {
      String v1 = h.create(4, "registry.local/db:1");
      Predicate<Action> at = a -> new BackupHarness.Executed("", a).describe().equals(step);
      RolloutLoop first = h.controller("first", at);
      first.start();
      h.awaitState("initialised", s -> s.phase() == Phase.HEALTHY);
      String id = atTheGateWithCanaryWrites(h, 4);
      int before = h.claimsCreated.size();
      h.annotate(Annotations.commandKey(Command.ABORT), "now");
      await(
          "first instance killed after " + step,
          BackupHarness.TIMEOUT,
          first::isClosed,
          h::describeLog);
      if (!step.equals("SetReplicas(4)")) {
        assertTrue(
            h.sts().getMetadata().getAnnotations().containsKey(Annotations.RESTORE),
            "the restore mark is on the StatefulSet while the restore runs");
      }
      h.controller("second").start();
      h.awaitState("restored", s -> s.phase() == Phase.ROLLED_BACK && s.restore() == null);
      await("all on v1", BackupHarness.TIMEOUT, () -> h.allOn(v1, 4), h::pods);

      for (String once :
          List.of(
              "SetReplicas(2)",
              "DeleteClaim(data-db-2)",
              "DeleteClaim(data-db-3)",
              "RestoreClaim(data-db-2)",
              "RestoreClaim(data-db-3)",
              "SetReplicas(4)")) {
        assertEquals(1, h.count(once), once + " exactly once: " + h.describeLog());
      }
      restoredExactly(h, before, id, List.of("data-db-2", "data-db-3"));
      assertEquals("v1-2", h.data().get("data-db-2"));
      assertEquals("v1-3", h.data().get("data-db-3"));
      assertEquals(4, h.data().size(), "no claim lost: " + h.data());
    }
  }
}
