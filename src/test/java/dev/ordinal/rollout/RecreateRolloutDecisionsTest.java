package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.RecreateObservation.Live;
import dev.ordinal.rollout.RecreateObservation.PodLabels;
import dev.ordinal.rollout.RecreateState.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** A recreate that rolls the pods afterwards: a new serviceName, selector and the like. */
class RecreateRolloutDecisionsTest {
  static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  static final Map<String, String> SELECTOR = Map.of("app", "db", "tier", "data");
  static final RecreateSpec SPEC =
      new RecreateSpec(
          "prod",
          "db",
          "c2",
          Map.of(),
          Optional.of(new RecreateSpec.Backup(Optional.empty(), Duration.ofMinutes(5))),
          Duration.ofMinutes(10),
          Optional.of(new RecreateSpec.Roll(SELECTOR, "c2", 3)));
  static final Live OLD =
      new Live("uid-old", 3, 0, false, Map.of(Annotations.STATE, "{}"), "", true, false);
  static final Live NEW_UNOBSERVED =
      new Live("uid-new", 3, null, false, Map.of(), "", false, false);
  static final Live NEW = new Live("uid-new", 3, null, false, Map.of(), "", true, false);

  static List<PodLabels> pods(Map<String, String> labels) {
    return List.of(
        new PodLabels("db-0", "p0", labels),
        new PodLabels("db-1", "p1", labels),
        new PodLabels("db-2", "p2", labels));
  }

  static RecreateObservation obs(Optional<Live> sts, RecreateState recorded, List<PodLabels> pods) {
    return new RecreateObservation(
        T0, sts, List.of(), Map.of(), Optional.empty(), Optional.ofNullable(recorded), pods);
  }

  /** The decision of a recreate recorded at RESTARTING, with the new StatefulSet as {@code sts}. */
  static RecreateAction restarting(RecreateSpec spec, Live sts) {
    return RecreateDecisions.decide(
        spec, obs(Optional.of(sts), started().at(Stage.RESTARTING, T0), List.of()));
  }

  static RecreateState started() {
    RecreateAction first = RecreateDecisions.decide(SPEC, obs(Optional.of(OLD), null, List.of()));
    return assertInstanceOf(RecreateAction.Record.class, first).next();
  }

  @Nested
  class Starting {
    @Test
    void aRecreateThatRollsThePodsStartsByRelabellingWithNoBackupAndNoPartitionToCreateWith() {
      RecreateState state = started();

      assertEquals(Stage.RELABELLING, state.stage(), "the rollout takes the policy's backup");
      assertEquals("", state.backupId());
      assertNull(state.partition(), "created without a partition the applier would then own");
      assertEquals(SELECTOR, state.selector());
      assertEquals("c2", state.restartStamp());
      assertEquals(3, state.restartPartition());
      assertEquals("pods", state.target());
    }

    @Test
    void aStatefulSetInTheMiddleOfARolloutIsRefused() {
      Live rolling = new Live("uid-old", 3, 1, false, Map.of(), "", true, true);

      RecreateAction action =
          RecreateDecisions.decide(SPEC, obs(Optional.of(rolling), null, List.of()));

      assertTrue(
          assertInstanceOf(RecreateAction.Refuse.class, action).reason().contains("rolling out"));
    }

    @Test
    void volumeGrowthBesideItResizesFirstThenRelabels() {
      RecreateSpec growing =
          new RecreateSpec(
              "prod",
              "db",
              "c2",
              Map.of("data", new RecreateSpec.Size("2Gi", 2L << 30)),
              Optional.empty(),
              Duration.ofMinutes(10),
              SPEC.roll());
      RecreateState state =
          assertInstanceOf(
                  RecreateAction.Record.class,
                  RecreateDecisions.decide(growing, obs(Optional.of(OLD), null, List.of())))
              .next();
      assertEquals(Stage.RESIZING, state.stage());
      assertEquals("data=2Gi,pods", state.target());

      // no claim of the observation is below the size: every claim grew, on to the relabelling
      RecreateAction next =
          RecreateDecisions.decide(growing, obs(Optional.of(OLD), state, List.of()));
      assertEquals(
          Stage.RELABELLING, assertInstanceOf(RecreateAction.Record.class, next).next().stage());
    }
  }

  @Nested
  class Relabelling {
    @Test
    void eachPodMissingASelectorLabelGetsOnlyTheMissingOnesOneAtATime() {
      RecreateAction action =
          RecreateDecisions.decide(
              SPEC, obs(Optional.of(OLD), started(), pods(Map.of("app", "db"))));

      RecreateAction.RelabelPod relabel = assertInstanceOf(RecreateAction.RelabelPod.class, action);
      assertEquals("db-0", relabel.pod());
      assertEquals("p0", relabel.uid());
      assertEquals(Map.of("tier", "data"), relabel.labels());
    }

    @Test
    void podsThatAllMatchMoveOnToTheOrphanDelete() {
      RecreateAction action =
          RecreateDecisions.decide(SPEC, obs(Optional.of(OLD), started(), pods(SELECTOR)));

      assertEquals(
          Stage.DELETING, assertInstanceOf(RecreateAction.Record.class, action).next().stage());
    }
  }

  @Nested
  class AfterTheCreate {
    @Test
    void theNewStatefulSetGetsTheCarriedStateAndTheRecreateGoesOnToRestart() {
      RecreateState creating = started().at(Stage.CREATING, T0);

      RecreateAction action =
          RecreateDecisions.decide(SPEC, obs(Optional.of(NEW), creating, List.of()));

      RecreateAction.Finish finish = assertInstanceOf(RecreateAction.Finish.class, action);
      assertEquals("uid-new", finish.uid());
      assertNull(finish.partition());
      assertEquals(Stage.RESTARTING, finish.state().stage());
    }

    @Test
    void theTemplateIsNotStampedBeforeTheControllerObservedTheNewStatefulSet() {
      RecreateAction action = restarting(SPEC, NEW_UNOBSERVED);

      assertTrue(assertInstanceOf(RecreateAction.Wait.class, action).why().contains("observe"));
    }

    @Test
    void onceObservedTheTemplateIsStampedWithTheHoldingPartition() {
      RecreateAction action = restarting(SPEC, NEW);

      RecreateAction.Restart restart = assertInstanceOf(RecreateAction.Restart.class, action);
      assertEquals("uid-new", restart.uid());
      assertEquals("c2", restart.stamp());
      assertEquals(3, restart.partition());
    }

    @Test
    void aStampedTemplateEndsTheRecreateWhateverGitSaysNow() {
      Live stamped = new Live("uid-new", 3, 3, false, Map.of(), "c2", true, false);
      RecreateSpec later =
          new RecreateSpec("prod", "db", "c3", Map.of(), Optional.empty(), Duration.ofMinutes(10));

      RecreateAction action = restarting(later, stamped);

      assertInstanceOf(RecreateAction.Forget.class, action);
    }

    @Test
    void theStateWithItsRollSurvivesItsJsonForm() {
      RecreateState restarting = started().at(Stage.RESTARTING, T0);

      assertEquals(restarting, RecreateState.fromJson(restarting.toJson()));
    }
  }
}
