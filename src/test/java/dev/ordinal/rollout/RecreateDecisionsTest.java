package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.RecreateObservation.BackupStatus;
import dev.ordinal.rollout.RecreateObservation.Claim;
import dev.ordinal.rollout.RecreateObservation.Live;
import dev.ordinal.rollout.RecreateState.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RecreateDecisionsTest {
  static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  static final long GI = 1L << 30;
  static final RecreateSpec SPEC =
      new RecreateSpec(
          "prod",
          "db",
          "c2",
          Map.of("data", new RecreateSpec.Size("2Gi", 2 * GI)),
          Optional.empty(),
          Duration.ofMinutes(10));
  static final Live OLD = new Live("uid-old", 3, 0, false, Map.of(Annotations.STATE, "{}"));

  static List<Claim> claims(long requested, long capacity, boolean pending) {
    List<Claim> claims = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      claims.add(
          new Claim("data-db-" + i, "u" + i, "data", "fast", true, requested, capacity, pending));
    }
    return claims;
  }

  static RecreateObservation obs(
      Instant now, Optional<Live> sts, List<Claim> claims, RecreateState recorded) {
    return new RecreateObservation(
        now, sts, claims, Map.of("fast", true), Optional.empty(), Optional.ofNullable(recorded));
  }

  static RecreateState started(Stage stage) {
    RecreateAction first =
        RecreateDecisions.decide(SPEC, obs(T0, Optional.of(OLD), claims(GI, GI, false), null));
    return ((RecreateAction.Record) first).next().at(stage, T0);
  }

  @Nested
  class Starting {
    @Test
    void aGrowthStartsByRecordingEveryClaimToGrowAndTheStateToCarry() {
      RecreateAction action =
          RecreateDecisions.decide(SPEC, obs(T0, Optional.of(OLD), claims(GI, GI, false), null));

      RecreateState state = assertInstanceOf(RecreateAction.Record.class, action).next();
      assertEquals(Stage.RESIZING, state.stage());
      assertEquals(
          Map.of("data-db-0", "2Gi", "data-db-1", "2Gi", "data-db-2", "2Gi"), state.claims());
      assertEquals("uid-old", state.statefulSetUid());
      assertEquals(Map.of(Annotations.STATE, "{}"), state.carried());
      assertEquals("data=2Gi", state.target());
    }

    @Test
    void aStorageClassWithoutExpansionIsRefusedByName() {
      RecreateObservation o =
          new RecreateObservation(
              T0,
              Optional.of(OLD),
              claims(GI, GI, false),
              Map.of("fast", false),
              Optional.empty(),
              Optional.empty());

      RecreateAction.Refuse refuse =
          assertInstanceOf(RecreateAction.Refuse.class, RecreateDecisions.decide(SPEC, o));
      assertTrue(
          refuse.reason().startsWith("StorageClass fast does not allow volume expansion"),
          refuse.reason());
    }

    @Test
    void aMissingStorageClassIsRefused() {
      RecreateObservation o =
          new RecreateObservation(
              T0,
              Optional.of(OLD),
              claims(GI, GI, false),
              Map.of(),
              Optional.empty(),
              Optional.empty());

      assertInstanceOf(RecreateAction.Refuse.class, RecreateDecisions.decide(SPEC, o));
    }

    @Test
    void anUnboundClaimIsRefused() {
      List<Claim> claims = new ArrayList<>(claims(GI, GI, false));
      claims.set(1, new Claim("data-db-1", "u1", "data", "fast", false, GI, -1, false));

      RecreateAction action =
          RecreateDecisions.decide(SPEC, obs(T0, Optional.of(OLD), claims, null));

      assertTrue(
          assertInstanceOf(RecreateAction.Refuse.class, action).reason().contains("not Bound"));
    }

    @Test
    void aPolicyWithBackupsTakesTheBackupFirst() {
      RecreateSpec withBackup =
          new RecreateSpec(
              "prod",
              "db",
              "c2",
              SPEC.growTo(),
              Optional.of(new RecreateSpec.Backup(Optional.empty(), Duration.ofMinutes(5))),
              Duration.ofMinutes(10));
      RecreateState state =
          ((RecreateAction.Record)
                  RecreateDecisions.decide(
                      withBackup, obs(T0, Optional.of(OLD), claims(GI, GI, false), null)))
              .next();
      assertEquals(Stage.BACKING_UP, state.stage());
      assertEquals("db-20260101-120000", state.backupId());

      RecreateAction next =
          RecreateDecisions.decide(
              withBackup, obs(T0, Optional.of(OLD), claims(GI, GI, false), state));
      assertEquals(
          List.of("data-db-0", "data-db-1", "data-db-2"),
          assertInstanceOf(RecreateAction.TakeBackup.class, next).claims());

      RecreateObservation ready =
          new RecreateObservation(
              T0,
              Optional.of(OLD),
              claims(GI, GI, false),
              Map.of("fast", true),
              Optional.of(new BackupStatus(true, Optional.empty())),
              Optional.of(state));
      assertEquals(
          Stage.RESIZING,
          assertInstanceOf(RecreateAction.Record.class, RecreateDecisions.decide(withBackup, ready))
              .next()
              .stage());
    }
  }

  @Nested
  class Resizing {
    @Test
    void eachClaimBelowTheNewSizeIsPatchedInTurn() {
      List<Claim> claims = new ArrayList<>(claims(GI, GI, false));
      claims.set(0, new Claim("data-db-0", "u0", "data", "fast", true, 2 * GI, GI, false));

      RecreateAction action =
          RecreateDecisions.decide(
              SPEC, obs(T0, Optional.of(OLD), claims, started(Stage.RESIZING)));

      RecreateAction.GrowClaim grow = assertInstanceOf(RecreateAction.GrowClaim.class, action);
      assertEquals("data-db-1", grow.claim());
      assertEquals("u1", grow.uid());
      assertEquals("2Gi", grow.size());
    }

    @Test
    void patchedClaimsAreWaitedForUntilTheyGrow() {
      RecreateAction action =
          RecreateDecisions.decide(
              SPEC,
              obs(
                  T0.plusSeconds(5),
                  Optional.of(OLD),
                  claims(2 * GI, GI, false),
                  started(Stage.RESIZING)));

      assertInstanceOf(RecreateAction.Wait.class, action);
    }

    @Test
    void fileSystemResizePendingCountsAsGrown() {
      RecreateAction action =
          RecreateDecisions.decide(
              SPEC, obs(T0, Optional.of(OLD), claims(2 * GI, GI, true), started(Stage.RESIZING)));

      assertEquals(
          Stage.DELETING, assertInstanceOf(RecreateAction.Record.class, action).next().stage());
    }

    @Test
    void aResizePastTheTimeoutFailsWithoutTouchingTheStatefulSet() {
      RecreateAction action =
          RecreateDecisions.decide(
              SPEC,
              obs(
                  T0.plus(Duration.ofMinutes(11)),
                  Optional.of(OLD),
                  claims(2 * GI, GI, false),
                  started(Stage.RESIZING)));

      RecreateState failed = assertInstanceOf(RecreateAction.Record.class, action).next();
      assertEquals(Stage.FAILED, failed.stage());
      assertTrue(failed.message().contains("did not grow within"), failed.message());
    }

    @Test
    void aFailedRecreateIsNotRetriedForTheSameCommit() {
      RecreateState failed = started(Stage.RESIZING).failed("no", T0);

      assertInstanceOf(
          RecreateAction.Refuse.class,
          RecreateDecisions.decide(
              SPEC, obs(T0, Optional.of(OLD), claims(2 * GI, GI, false), failed)));
    }
  }

  @Nested
  class ReplacingTheStatefulSet {
    @Test
    void theOldStatefulSetIsOrphanDeletedByItsUid() {
      RecreateAction action =
          RecreateDecisions.decide(
              SPEC,
              obs(T0, Optional.of(OLD), claims(2 * GI, 2 * GI, false), started(Stage.DELETING)));

      assertEquals("uid-old", assertInstanceOf(RecreateAction.OrphanDelete.class, action).uid());
    }

    @Test
    void aTerminatingOldStatefulSetIsWaitedFor() {
      Live terminating = new Live("uid-old", 3, 0, true, Map.of());

      assertInstanceOf(
          RecreateAction.Wait.class,
          RecreateDecisions.decide(
              SPEC,
              obs(
                  T0,
                  Optional.of(terminating),
                  claims(2 * GI, 2 * GI, false),
                  started(Stage.DELETING))));
    }

    @Test
    void onceGoneItIsCreatedWithTheOldPartitionEvenIfGitMovedOn() {
      RecreateSpec gitMovedOn =
          new RecreateSpec(
              "prod",
              "db",
              "c3",
              Map.of("data", new RecreateSpec.Size("3Gi", 3 * GI)),
              Optional.empty(),
              Duration.ofMinutes(10));
      RecreateState creating = started(Stage.CREATING);

      RecreateAction action =
          RecreateDecisions.decide(
              gitMovedOn, obs(T0, Optional.empty(), claims(2 * GI, 2 * GI, false), creating));

      assertEquals(0, assertInstanceOf(RecreateAction.Create.class, action).partition());
    }

    @Test
    void theNewStatefulSetGetsTheCarriedStateAndTheRecreateEnds() {
      Live created = new Live("uid-new", 3, 0, false, Map.of());

      RecreateAction action =
          RecreateDecisions.decide(
              SPEC,
              obs(
                  T0,
                  Optional.of(created),
                  claims(2 * GI, 2 * GI, false),
                  started(Stage.CREATING)));

      RecreateAction.Finish finish = assertInstanceOf(RecreateAction.Finish.class, action);
      assertEquals("uid-new", finish.uid());
      assertEquals(Map.of(Annotations.STATE, "{}"), finish.carried());
    }

    @Test
    void theStateSurvivesItsJsonForm() {
      RecreateState state = started(Stage.CREATING);

      assertEquals(state, RecreateState.fromJson(state.toJson()));
    }
  }
}
