package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.RolloutState.BackupStage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The engine's backup, restore and retention decisions, driven through the rollout simulator. */
class BackupEngineTest {
  static final String S = "db-stable";
  static final String T = "db-new";
  static final RolloutSpec STEPS = RolloutSpec.of(Step.Canary.pods(2), Step.Pause.untilPromoted());

  static RolloutSpec spec(BackupSpec.RestoreOnRollback restore) {
    return STEPS.withBackup(BackupSpec.of(restore));
  }

  /** Five pods on S with one claim each, healthy, the partition at rest. */
  static Sim healthy(RolloutSpec spec) {
    Sim sim = new Sim(spec, 5, S).withClaims("data");
    sim.partition = 5; // between rollouts the partition rests at the replica count
    sim.store(RolloutState.healthy(S, Sim.T0));
    return sim;
  }

  static List<String> claims(int from, int to) {
    List<String> names = new ArrayList<>();
    for (int o = from; o <= to; o++) {
      names.add("data-db-" + o);
    }
    return names;
  }

  @Nested
  class BeforeTheFirstPodMoves {
    @Test
    void theRolloutStartRecordsTheBackupIdInTheHoldItself() {
      Sim sim = healthy(spec(BackupSpec.RestoreOnRollback.MANUAL)).gitChange(T);
      sim.partition = 3; // a hold that Git did not write: the engine's own write records both
      sim.observedGeneration = sim.generation;
      Action a = sim.decide();
      Action.SetPartition hold = assertInstanceOf(Action.SetPartition.class, a);
      assertEquals(5, hold.partition());
      RolloutState.Backup b = a.state().backup();
      assertEquals("db-20260101-000000", b.id());
      assertEquals(BackupStage.SNAPSHOT, b.stage());
      assertEquals(PhaseReason.BACKING_UP, a.state().reasonCode());
      assertEquals("RolloutStarted", a.event().reason());
    }

    @Test
    void snapshotsEveryClaimThenStartsTheStepsOnlyOnceAllAreReady() {
      Sim sim = healthy(spec(BackupSpec.RestoreOnRollback.MANUAL)).gitChange(T);
      sim.runUntilPhase(Phase.PAUSED, 80);

      List<String> events = sim.events();
      int ready = events.indexOf("BackupReady");
      assertTrue(ready > 0 && ready < events.indexOf("CanaryStep"), events.toString());
      VolumeOp.TakeSnapshots take =
          (VolumeOp.TakeSnapshots)
              sim.actions.stream()
                  .filter(
                      a -> a instanceof Action.Volume v && v.op() instanceof VolumeOp.TakeSnapshots)
                  .map(a -> ((Action.Volume) a).op())
                  .findFirst()
                  .orElseThrow();
      assertEquals(claims(0, 4), take.claims());
      assertEquals(S, take.revision());
      assertEquals(1, sim.sets.size(), "exactly one set");
      assertEquals(1, sim.count("SnapshotsRequested"), "requested once: " + events);
      for (Action a : sim.actions) {
        if (a instanceof Action.SetPartition p
            && sim.actions.indexOf(a) < events.indexOf("BackupReady")) {
          assertEquals(5, p.partition(), "no pod moves before the backup is ready");
        }
      }
    }

    @Test
    void theProgressDeadlineCountsFromTheBackupBeingReadyNotFromTheRolloutStart() {
      Sim sim = healthy(spec(BackupSpec.RestoreOnRollback.MANUAL)).gitChange(T);
      sim.runUntil(s -> s.backup() != null && s.backup().stage() == BackupStage.READY, 40);
      RolloutState s = sim.state().orElseThrow();
      assertEquals(sim.now, s.stepStartedAt());
      assertTrue(s.rolloutStartedAt().isBefore(s.stepStartedAt()));
    }

    @Test
    void aFailedSnapshotBlocksTheRolloutNamesTheClaimAndTheSetIsDeleted() {
      Sim sim = healthy(spec(BackupSpec.RestoreOnRollback.MANUAL)).gitChange(T);
      sim.snapshotFailure = c -> c.equals("data-db-3") ? "driver: disk quota exceeded" : "";
      sim.runUntilPhase(Phase.ROLLED_BACK, 60);

      RolloutState s = sim.state().orElseThrow();
      assertEquals(PhaseReason.BACKUP_FAILED, s.reasonCode());
      assertTrue(s.reason().contains("data-db-3: driver: disk quota exceeded"), s.reason());
      assertTrue(s.failedRevisions().contains(T));
      RolloutEvent.BackupFailed failed =
          sim.actions.stream()
              .map(Action::event)
              .filter(e -> e instanceof RolloutEvent.BackupFailed)
              .map(e -> (RolloutEvent.BackupFailed) e)
              .findFirst()
              .orElseThrow();
      assertEquals("data-db-3", failed.what());
      assertTrue(failed.rolloutBlocked());
      assertTrue(sim.pods.values().stream().allMatch(p -> p.revision().equals(S)));
      // the partial set goes at the next quiet moment
      sim.runUntil(x -> sim.sets.isEmpty(), 10);
      assertTrue(sim.events().contains("BackupDeleted"), sim.events().toString());
    }

    @Test
    void aSnapshotThatNeverBecomesReadyTimesOutAndBlocksTheRollout() {
      Sim sim =
          healthy(
                  STEPS.withBackup(
                      BackupSpec.of(BackupSpec.RestoreOnRollback.MANUAL)
                          .withTimeout(Duration.ofMinutes(2))))
              .gitChange(T);
      sim.stuckSnapshots.add("data-db-1");
      sim.runUntilPhase(Phase.ROLLED_BACK, 80);
      RolloutState s = sim.state().orElseThrow();
      assertEquals(PhaseReason.BACKUP_FAILED, s.reasonCode());
      assertTrue(s.reason().contains("data-db-1: timed out after 2m"), s.reason());
      assertTrue(!sim.now.isBefore(Sim.T0.plus(Duration.ofMinutes(2))), "not before the timeout");
      assertTrue(sim.pods.values().stream().allMatch(p -> p.revision().equals(S)));
    }

    @Test
    void aFailedQuiesceHookTakesNoSnapshotButTheResumeHookStillRuns() {
      BackupSpec.Hook hook = new BackupSpec.Exec(List.of("true"), Optional.empty(), null);
      Sim sim =
          healthy(
                  STEPS.withBackup(
                      BackupSpec.of(BackupSpec.RestoreOnRollback.MANUAL)
                          .withHooks(Optional.of(hook), Optional.of(hook))))
              .gitChange(T);
      sim.hookOutcome =
          id ->
              id.endsWith("/quiesce")
                  ? BackupView.HookPhase.FAILED
                  : BackupView.HookPhase.SUCCEEDED;
      sim.runUntilPhase(Phase.ROLLED_BACK, 60);

      List<String> phases =
          sim.actions.stream()
              .filter(a -> a instanceof Action.Volume v && v.op() instanceof VolumeOp.RunHook)
              .map(a -> ((VolumeOp.RunHook) ((Action.Volume) a).op()).phase())
              .toList();
      assertEquals(List.of("quiesce", "resume"), phases);
      assertEquals(0, sim.count("SnapshotsRequested"));
      assertTrue(sim.state().orElseThrow().reason().contains("quiesce hook: exit 1"));
    }

    @Test
    void aUsersBackupCommandTakesASetOutsideARollout() {
      Sim sim = healthy(spec(BackupSpec.RestoreOnRollback.MANUAL));
      sim.commands.add(Command.BACKUP);
      sim.runUntil(s -> s.backup() != null && s.backup().stage() == BackupStage.READY, 30);
      assertEquals(Phase.HEALTHY, sim.state().orElseThrow().phase());
      assertTrue(sim.state().orElseThrow().backup().manual());
      assertEquals(
          List.of("BackupStarted", "SnapshotsRequested", "SnapshotsTaken", "BackupReady"),
          sim.events());
    }
  }

  @Nested
  class Restore {
    /** A rollout to T paused at its gate with 2 canary pods (3 and 4) on T. */
    Sim atTheGate(BackupSpec.RestoreOnRollback restore) {
      Sim sim = healthy(spec(restore)).gitChange(T);
      sim.runUntilPhase(Phase.PAUSED, 80);
      return sim;
    }

    @Test
    void theCanaryPodsAreRecordedBeforeAnythingElseIsDecidedAboutThem() {
      Sim sim = atTheGate(BackupSpec.RestoreOnRollback.MANUAL);
      assertEquals(List.of(3, 4), sim.state().orElseThrow().backup().ranTarget());
      assertTrue(sim.events().indexOf("RestoreScope") > sim.events().indexOf("CanaryStep"));
    }

    @Test
    void anAutoRestoreReplacesExactlyTheCanaryClaimsAndNoRestoredOrdinalGetsAnEmptyClaim() {
      Sim sim = atTheGate(BackupSpec.RestoreOnRollback.AUTO);
      String setId = sim.state().orElseThrow().backup().id();
      Map<String, BackupView.Claim> before = Map.copyOf(sim.claims);
      sim.commands.add(Command.ABORT);
      sim.runUntil(s -> s.phase() == Phase.ROLLED_BACK && s.restore() == null, 120);

      List<String> steps = new ArrayList<>();
      for (Action a : sim.actions) {
        if (a instanceof Action.SetReplicas r) {
          steps.add("replicas " + r.replicas());
        } else if (a instanceof Action.Volume v && v.op() instanceof VolumeOp.DeleteClaim d) {
          steps.add("delete " + d.claim());
        } else if (a instanceof Action.Volume v && v.op() instanceof VolumeOp.RestoreClaim r) {
          steps.add("restore " + r.claim() + " from " + r.backupId());
          assertEquals(setId, r.backupId());
        }
      }
      assertEquals(
          List.of(
              "replicas 3",
              "delete data-db-3",
              "delete data-db-4",
              "restore data-db-3 from " + setId,
              "restore data-db-4 from " + setId,
              "replicas 5"),
          steps);
      assertEquals(List.of(), sim.emptyClaimsMade, "no claim of a restored ordinal made empty");
      assertEquals(before.get("data-db-2"), sim.claims.get("data-db-2"), "ordinal 2 untouched");
      assertTrue(sim.pods.values().stream().allMatch(p -> p.revision().equals(S) && p.ready()));
      assertTrue(sim.events().contains("RestoreCompleted"));
      assertEquals(0, sim.count("PodSentBack") + sim.count("RollingBack"), sim.events().toString());
    }

    @Test
    void aManualRestoreRunsOnTheCommandWithTheBackupIdAsItsValue() {
      Sim sim = atTheGate(BackupSpec.RestoreOnRollback.MANUAL);
      String setId = sim.state().orElseThrow().backup().id();
      sim.commands.add(Command.ABORT);
      sim.runUntilPhase(Phase.ROLLED_BACK, 80);
      assertEquals(0, sim.count("RestoreStarted"), "manual: a rollback alone does not restore");
      sim.commands.add(Command.RESTORE);
      sim.commandArgs.put(Command.RESTORE, setId);
      sim.runUntil(s -> s.restore() == null && s.backup().restored().startsWith(setId), 120);
      assertTrue(sim.events().contains("RestoreCompleted"), sim.events().toString());
      assertEquals(List.of(), sim.emptyClaimsMade);
      assertTrue(sim.claims.get("data-db-4").restoreId().startsWith(setId + "@"));
    }

    @Test
    void restoreIsRefusedUnderNeverAndWhileHealthy() {
      Sim sim = healthy(spec(BackupSpec.RestoreOnRollback.NEVER));
      sim.commands.add(Command.RESTORE);
      Action a = sim.decide();
      assertEquals("CommandIgnored", a.event().reason());
      assertTrue(a.event().message().contains("restoreOnRollback: never"), a.event().message());

      Sim manual = healthy(spec(BackupSpec.RestoreOnRollback.MANUAL));
      manual.commands.add(Command.RESTORE);
      assertTrue(manual.decide().event().message().contains("is Healthy"));
    }

    @Test
    void ordinalZeroIsNeverRestoredTheControllerWouldAdoptTheFailedRevisionAtZeroReplicas() {
      Sim sim = atTheGate(BackupSpec.RestoreOnRollback.AUTO);
      // as if every pod had run T before a rollback (full promotion that failed on its last pod)
      RolloutState s = sim.state().orElseThrow();
      sim.store(s.withBackup(s.backup().withRanTarget(List.of(0, 1, 2, 3, 4))));
      sim.commands.add(Command.ABORT);
      sim.runUntilPhase(Phase.ROLLED_BACK, 120);
      RolloutEvent.RestoreFailed failed =
          sim.actions.stream()
              .map(Action::event)
              .filter(e -> e instanceof RolloutEvent.RestoreFailed)
              .map(e -> (RolloutEvent.RestoreFailed) e)
              .findFirst()
              .orElseThrow();
      assertTrue(failed.why().contains("db-0 ran " + T), failed.why());
      assertEquals(0, sim.count("RestoreStarted"));
      assertEquals(List.of(), sim.emptyClaimsMade);
      assertTrue(
          sim.pods.values().stream().allMatch(p -> p.revision().equals(S)),
          "rolled back pod by pod instead");
    }

    @Test
    void aClaimIsNeverDeletedWithoutAReadySnapshotOfIt() {
      Sim sim = atTheGate(BackupSpec.RestoreOnRollback.MANUAL);
      String setId = sim.state().orElseThrow().backup().id();
      sim.commands.add(Command.ABORT);
      sim.runUntilPhase(Phase.ROLLED_BACK, 80);
      // the snapshot of data-db-4 is being deleted: that claim must stay
      BackupView.SnapshotSet set = sim.sets.get(setId);
      Map<String, BackupView.Snapshot> byClaim = new TreeMap<>(set.byClaim());
      BackupView.Snapshot s4 = byClaim.get("data-db-4");
      byClaim.put("data-db-4", new BackupView.Snapshot(s4.name(), true, true, "", true));
      sim.sets.put(
          setId,
          new BackupView.SnapshotSet(
              setId, set.createdAt(), set.size(), set.revision(), set.commit(), byClaim));
      sim.commands.add(Command.RESTORE);
      sim.commandArgs.put(Command.RESTORE, setId);
      Action a = sim.decide();
      assertEquals("CommandIgnored", a.event().reason());
      assertTrue(
          a.event().message().contains("no readyToUse snapshot of data-db-4"), a.event().message());
    }
  }

  @Nested
  class Retention {
    static BackupView.SnapshotSet set(String id, Instant at, boolean ready) {
      return new BackupView.SnapshotSet(
          id,
          at,
          1,
          S,
          "",
          Map.of("data-db-0", new BackupView.Snapshot(id + "-0", ready, ready, "", false)));
    }

    @Test
    void setsBeyondKeepGoOldestFirstButNeverTheOneTheStateReferences() {
      Sim sim =
          healthy(STEPS.withBackup(BackupSpec.of(BackupSpec.RestoreOnRollback.MANUAL).withKeep(2)));
      for (int i = 1; i <= 4; i++) {
        sim.sets.put("db-" + i, set("db-" + i, Sim.T0.plusSeconds(i), true));
      }
      RolloutState s = sim.state().orElseThrow();
      sim.store(
          s.withBackup(
              new RolloutState.Backup(
                  "db-1", BackupStage.READY, Sim.T0, false, "", List.of(), "")));
      List<String> deleted = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Action a = sim.decide();
        if (a instanceof Action.Volume v && v.op() instanceof VolumeOp.DeleteSet d) {
          deleted.add(d.backupId());
          sim.sets.remove(d.backupId());
        }
      }
      assertEquals(
          List.of("db-2"), deleted, "db-4 and db-3 are the newest two; db-1 is referenced");
    }

    @Test
    void anIncompleteSetThatNoStateReferencesIsDeletedOnceOlderThanABackupMayTake() {
      Sim sim = healthy(spec(BackupSpec.RestoreOnRollback.MANUAL));
      sim.sets.put("db-9", set("db-9", Sim.T0, false));
      assertInstanceOf(Action.Wait.class, sim.decide(), "it may still be on its way");
      sim.now = Sim.T0.plus(BackupSpec.DEFAULT_TIMEOUT).plusSeconds(1);
      Action a = sim.decide();
      VolumeOp.DeleteSet d = (VolumeOp.DeleteSet) assertInstanceOf(Action.Volume.class, a).op();
      assertEquals("db-9", d.backupId());
    }
  }
}
