package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RolloutEngineTest {
  static final String S = "db-stable";
  static final String T = "db-new";
  static final AnalysisRef ERROR_RATE = new AnalysisRef("error-rate", Map.of("service", "db"));
  static final AnalysisRef LATENCY = AnalysisRef.of("latency");

  /** canary 1, pause 5m, analysis, canary 60%, manual gate, then full promotion. */
  static final RolloutSpec SPEC =
      new RolloutSpec(
          List.of(
              Step.Canary.pods(1),
              Step.Pause.of(Duration.ofMinutes(5)),
              new Step.Analysis(List.of(ERROR_RATE)),
              Step.Canary.percent(60),
              Step.Pause.untilPromoted()),
          Duration.ofMinutes(10),
          List.of());

  static final RolloutSpec WITH_BACKGROUND =
      new RolloutSpec(SPEC.steps(), SPEC.progressDeadline(), List.of(LATENCY));

  /** Five pods on S, Ordinal tracking them as Healthy. */
  static Sim healthy(RolloutSpec spec) {
    Sim sim = new Sim(spec, 5, S);
    sim.partition = 5; // between rollouts the partition rests at the replica count
    sim.store(RolloutState.healthy(S, Sim.T0));
    return sim;
  }

  /** A rollout to T that was just started (partition held at 5, state at step 0). */
  static Sim started(RolloutSpec spec) {
    Sim sim = healthy(spec).gitChange(T);
    sim.observedGeneration = sim.generation;
    Action a = sim.decide();
    sim.applySynced(a);
    return sim;
  }

  /**
   * A rollout to T at {@code step}, canary pods from {@code firstTargetOrdinal} up on T and Ready.
   */
  static Sim atStep(RolloutSpec spec, int step, int firstTargetOrdinal) {
    Sim sim = started(spec);
    sim.partition = firstTargetOrdinal;
    sim.podsOn(T, firstTargetOrdinal);
    sim.store(RolloutEngine.enterStep(spec, sim.state().orElseThrow(), step, sim.observe()));
    return sim;
  }

  static RolloutState st(Action a) {
    return a.state();
  }

  @Nested
  class Bootstrap {
    @Test
    void noStateAndSettledSetIsHealthy() {
      Sim sim = new Sim(SPEC, 5, S);
      Action a = sim.decide();
      assertInstanceOf(Action.UpdateState.class, a);
      assertEquals(Phase.HEALTHY, st(a).phase());
      assertEquals(S, st(a).stableRevision());
      assertEquals("Initialized", a.event().reason());
    }

    @Test
    void noStateMidUpdateStartsRolloutWithCurrentAsStableAndHolds() {
      Sim sim = new Sim(SPEC, 5, S);
      sim.updateRevision = T;
      sim.partition = 3;
      sim.podsOn(T, 3);
      Action a = sim.decide();
      assertEquals(5, assertInstanceOf(Action.SetPartition.class, a).partition());
      assertEquals(S, st(a).stableRevision());
      assertEquals(T, st(a).targetRevision());
      assertEquals(0, st(a).stepIndex());
      assertEquals(Phase.PROGRESSING, st(a).phase());
    }

    @Test
    void noStateOnDeleteWithStaleCurrentRevisionButAllPodsUpdatedIsHealthy() {
      Sim sim = new Sim(SPEC, 3, T);
      sim.strategy = UpdateStrategy.ON_DELETE;
      sim.currentRevision = S; // OnDelete never advances status.currentRevision
      Action a = sim.decide();
      assertEquals(Phase.HEALTHY, st(a).phase());
      assertEquals(T, st(a).stableRevision());
    }

    @Test
    void healthyWithNothingToDoWaitsLong() {
      Sim sim = healthy(SPEC);
      Action a = sim.decide();
      Action.Wait w = assertInstanceOf(Action.Wait.class, a);
      assertEquals(RolloutEngine.IDLE_RECHECK, w.recheckAfter());
      assertEquals(sim.state().orElseThrow(), w.state());
    }

    @Test
    void aHealthySetWithItsPartitionBelowItsReplicasRaisesIt() {
      Sim sim = healthy(SPEC);
      sim.partition = 2;
      Action a = sim.decide();
      assertEquals(5, assertInstanceOf(Action.SetPartition.class, a).partition());
      assertEquals("PartitionRested", a.event().reason());
      assertTrue(a.consumes().isEmpty());
    }

    @Test
    void aPartitionAtOrAboveTheReplicasIsLeftAlone() {
      Sim sim = healthy(SPEC);
      sim.partition = 7; // Git lowered the replicas below an old partition
      assertInstanceOf(Action.Wait.class, sim.decide());
    }

    @Test
    void anOnDeleteSetHasNoPartitionToRest() {
      Sim sim = healthy(SPEC);
      sim.strategy = UpdateStrategy.ON_DELETE;
      sim.partition = 0;
      assertInstanceOf(Action.Wait.class, sim.decide());
    }

    @Test
    void waitsUntilControllerObservedTheLatestGeneration() {
      Sim sim = healthy(SPEC).gitChange(T); // observedGeneration lags
      Action a = sim.decide();
      assertTrue(assertInstanceOf(Action.Wait.class, a).reason().contains("observe generation"));
    }
  }

  @Nested
  class NewTarget {
    @Test
    void heldNewRevisionStartsAtStepZero() {
      Sim sim = healthy(SPEC).gitChange(T);
      sim.observedGeneration = sim.generation;
      Action a = sim.decide();
      assertInstanceOf(Action.UpdateState.class, a);
      assertEquals("RolloutStarted", a.event().reason());
      assertEquals(T, st(a).targetRevision());
      assertEquals(S, st(a).stableRevision());
      assertEquals(0, st(a).stepIndex());
      assertEquals(1, st(a).rollout());
      assertEquals(sim.now, st(a).rolloutStartedAt());
    }

    @Test
    void unheldNewRevisionRaisesPartitionFirst() {
      Sim sim = healthy(SPEC);
      sim.partition = 0; // nobody held the partition (a set from before it rested)
      sim.updateRevision = T; // template applied without the hold
      Action a = sim.decide();
      assertEquals(5, assertInstanceOf(Action.SetPartition.class, a).partition());
      assertEquals(T, st(a).targetRevision());
    }
  }

  @Nested
  class CanarySteps {
    @Test
    void canaryLowersPartitionByStepCount() {
      Sim sim = started(SPEC);
      Action a = sim.decide();
      Action.SetPartition p = assertInstanceOf(Action.SetPartition.class, a);
      assertEquals(4, p.partition());
      assertTrue(p.event().message().contains("db-4"), p.event().message());
      assertEquals("CanaryStep", p.event().reason());
    }

    @Test
    void waitsForCanaryPodUpdatedAndReady() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      sim.pod(4, T, false, 0, false);
      Action a = sim.decide();
      Action.Wait w = assertInstanceOf(Action.Wait.class, a);
      assertTrue(w.reason().contains("db-4 (not Ready)"), w.reason());
      assertEquals(RolloutEngine.POD_RECHECK, w.recheckAfter());
    }

    @Test
    void waitsWhileCanaryPodStillOnOldRevision() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      Action a = sim.decide();
      assertTrue(assertInstanceOf(Action.Wait.class, a).reason().contains("still on " + S));
    }

    @Test
    void completedCanaryAdvancesToTimedPause() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      sim.pod(4, T, true, 0, false);
      Action a = sim.decide();
      assertInstanceOf(Action.UpdateState.class, a);
      assertEquals("StepCompleted", a.event().reason());
      assertEquals(1, st(a).stepIndex());
      assertEquals(Phase.PAUSED, st(a).phase());
      assertEquals(sim.now, st(a).stepStartedAt());
      assertEquals(1, st(a).progressCount());
    }

    @Test
    void percentCanaryRoundsUp() {
      Sim sim = atStep(SPEC, 3, 4);
      Action a = sim.decide();
      assertEquals(
          2, assertInstanceOf(Action.SetPartition.class, a).partition()); // ceil(5 * 0.6) = 3 pods
    }

    @Test
    void podBecomingReadyRecordsProgress() {
      Sim sim = atStep(SPEC, 3, 4);
      sim.partition = 2;
      sim.pod(3, T, true, 0, false);
      sim.now = sim.now.plusSeconds(30);
      Action a = sim.decide();
      assertInstanceOf(Action.UpdateState.class, a);
      assertEquals("Progress", a.event().reason());
      assertEquals(2, st(a).progressCount());
      assertEquals(sim.now, st(a).progressAt());
    }

    @Test
    void podLosingReadinessIsRecordedWithoutResettingTheDeadline() {
      Sim sim = atStep(SPEC, 3, 4);
      sim.partition = 2;
      RolloutState before = sim.state().orElseThrow();
      sim.pod(4, T, false, 0, false);
      sim.now = sim.now.plusSeconds(30);
      Action a = sim.decide();
      assertEquals(0, st(a).progressCount());
      assertEquals(before.progressAt(), st(a).progressAt());
    }

    @Test
    void maxUnavailableBatchWaitsWithoutAlarm() {
      Sim sim = atStep(SPEC, 3, 4);
      sim.maxUnavailable = 3;
      sim.partition = 2;
      sim.pod(2, S, false, 0, true).pod(3, T, false, 0, false);
      Action a = sim.decide();
      assertInstanceOf(Action.Wait.class, a);
    }
  }

  @Nested
  class Deadline {
    @Test
    void noProgressPastDeadlineRollsBack() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      sim.pod(4, T, false, 0, false);
      sim.now = sim.now.plus(Duration.ofMinutes(10)).plusSeconds(1);
      Action a = sim.decide();
      assertEquals(5, assertInstanceOf(Action.SetPartition.class, a).partition());
      assertEquals(Phase.DEGRADED, st(a).phase());
      assertEquals("ProgressDeadlineExceeded", a.event().reason());
      assertEquals(RolloutEvent.Type.WARNING, a.event().type());
      assertTrue(st(a).failedRevisions().contains(T));
      assertTrue(st(a).reason().contains("db-4 (not Ready)"), st(a).reason());
    }

    @Test
    void exactlyAtDeadlineStillWaits() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      sim.pod(4, T, false, 0, false);
      sim.now = sim.now.plus(Duration.ofMinutes(10));
      assertInstanceOf(Action.Wait.class, sim.decide());
    }

    @Test
    void deadlineCountsFromLastProgressNotStepStart() {
      Sim sim = atStep(SPEC, 3, 4);
      sim.partition = 2;
      RolloutState s = sim.state().orElseThrow();
      sim.store(s.withProgress(sim.now.plus(Duration.ofMinutes(8)), 1));
      sim.now = sim.now.plus(Duration.ofMinutes(15));
      assertInstanceOf(Action.Wait.class, sim.decide());
      sim.now = sim.now.plus(Duration.ofMinutes(4));
      assertEquals("ProgressDeadlineExceeded", sim.decide().event().reason());
    }

    @Test
    void deadlineDoesNotApplyDuringAnalysisOrPause() {
      Sim sim = atStep(SPEC, 4, 2); // manual gate
      sim.now = sim.now.plus(Duration.ofHours(5));
      assertInstanceOf(Action.Wait.class, sim.decide());
    }
  }

  @Nested
  class CrashLoop {
    @Test
    void canaryPodAtRestartThresholdRollsBackAtOnce() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      sim.pod(4, T, false, RolloutEngine.CRASH_LOOP_RESTARTS, false);
      Action a = sim.decide();
      assertEquals("CrashLoop", a.event().reason());
      assertEquals(Phase.DEGRADED, st(a).phase());
      assertTrue(st(a).reason().contains("db-4"));
    }

    @Test
    void belowThresholdKeepsWaiting() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      sim.pod(4, T, false, RolloutEngine.CRASH_LOOP_RESTARTS - 1, false);
      assertInstanceOf(Action.Wait.class, sim.decide());
    }

    @Test
    void restartsOnStablePodsAreNotTheCanarysFault() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      sim.pod(4, T, true, 0, false).pod(0, S, true, 7, false);
      assertEquals("StepCompleted", sim.decide().event().reason());
    }
  }

  @Nested
  class Pauses {
    @Test
    void timedPauseWaitsForTheRemainder() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.now = sim.now.plus(Duration.ofMinutes(2));
      Action.Wait w = assertInstanceOf(Action.Wait.class, sim.decide());
      assertEquals(Duration.ofMinutes(3), w.recheckAfter());
      assertEquals(Phase.PAUSED, w.state().phase());
    }

    @Test
    void timedPauseElapsedAdvances() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.now = sim.now.plus(Duration.ofMinutes(5));
      Action a = sim.decide();
      assertEquals("StepCompleted", a.event().reason());
      assertEquals(2, st(a).stepIndex());
      assertEquals(Phase.PROGRESSING, st(a).phase());
    }

    @Test
    void manualGateIsPausedUntilPromoted() {
      Sim sim = atStep(SPEC, 4, 2);
      Action.Wait w = assertInstanceOf(Action.Wait.class, sim.decide());
      assertEquals(Phase.PAUSED, w.state().phase());
      assertTrue(w.reason().contains("ordinal promote prod/db"), w.reason());
      sim.commands.add(Command.PROMOTE);
      Action a = sim.decide();
      assertEquals(Set.of(Command.PROMOTE), a.consumes());
      assertEquals(5, st(a).stepIndex());
      assertEquals(Phase.PROGRESSING, st(a).phase());
      assertEquals("Promoted", a.event().reason());
    }

    @Test
    void promoteSkipsATimedPauseToo() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.commands.add(Command.PROMOTE);
      assertEquals(2, st(sim.decide()).stepIndex());
    }
  }

  @Nested
  class Analyses {
    @Test
    void analysisStepStartsARunWithADeterministicId() {
      Sim sim = atStep(SPEC, 2, 4);
      Action.StartAnalysis s = assertInstanceOf(Action.StartAnalysis.class, sim.decide());
      assertEquals(T + "/r1/step-3", s.runId());
      assertEquals(List.of(ERROR_RATE), s.templates());
    }

    @Test
    void runningAnalysisWaits() {
      Sim sim = atStep(SPEC, 2, 4);
      sim.verdicts.put(T + "/r1/step-3", AnalysisVerdict.RUNNING);
      assertEquals(
          RolloutEngine.ANALYSIS_RECHECK,
          assertInstanceOf(Action.Wait.class, sim.decide()).recheckAfter());
    }

    @Test
    void successfulAnalysisAdvancesAndIsRemembered() {
      Sim sim = atStep(SPEC, 2, 4);
      sim.verdicts.put(T + "/r1/step-3", AnalysisVerdict.SUCCESSFUL);
      Action a = sim.decide();
      assertEquals("AnalysisSuccessful", a.event().reason());
      assertEquals(3, st(a).stepIndex());
      assertEquals(
          List.of(new VerdictRecord(3, "error-rate", AnalysisVerdict.SUCCESSFUL, false)),
          st(a).verdicts());
    }

    @ParameterizedTest
    @EnumSource(
        value = AnalysisVerdict.class,
        names = {"FAILED", "ERROR"})
    void failedOrErroredAnalysisRollsBack(AnalysisVerdict verdict) {
      Sim sim = atStep(SPEC, 2, 4);
      sim.verdicts.put(T + "/r1/step-3", verdict);
      Action a = sim.decide();
      assertEquals(5, assertInstanceOf(Action.SetPartition.class, a).partition());
      assertEquals("AnalysisFailed", a.event().reason());
      assertEquals(Phase.DEGRADED, st(a).phase());
      assertTrue(st(a).failedRevisions().contains(T));
    }

    @Test
    void theRollbackNamesTheMetricsThatFailedNotEveryTemplateOfTheStep() {
      Sim sim = atStep(SPEC, 2, 4);
      sim.verdicts.put(T + "/r1/step-3", AnalysisVerdict.FAILED);
      sim.failedMetrics.put(T + "/r1/step-3", List.of("error-rate/errors"));
      Action a = sim.decide();
      assertEquals("AnalysisFailed", a.event().reason());
      assertTrue(
          a.event().message().contains("at step 3 FAILED: error-rate/errors"), a.event().message());
      Sim unnamed = atStep(SPEC, 2, 4);
      unnamed.verdicts.put(T + "/r1/step-3", AnalysisVerdict.ERROR);
      Action b = unnamed.decide();
      assertTrue(b.event().message().contains("at step 3 ERROR"), b.event().message());
      assertTrue(!b.event().message().contains("ERROR:"), b.event().message());
    }

    @Test
    void inconclusiveAnalysisPausesUntilPromote() {
      Sim sim = atStep(SPEC, 2, 4);
      sim.verdicts.put(T + "/r1/step-3", AnalysisVerdict.INCONCLUSIVE);
      Action a = sim.decide();
      assertEquals("AnalysisInconclusive", a.event().reason());
      assertEquals(Phase.PAUSED, st(a).phase());
      sim.applySynced(a);
      assertInstanceOf(Action.Wait.class, sim.decide());
      sim.commands.add(Command.PROMOTE);
      Action promoted = sim.decide();
      assertEquals(3, st(promoted).stepIndex());
      assertEquals(Set.of(Command.PROMOTE), promoted.consumes());
    }

    @Test
    void inconclusiveAnalysisCanBeAborted() {
      Sim sim = atStep(SPEC, 2, 4);
      sim.verdicts.put(T + "/r1/step-3", AnalysisVerdict.INCONCLUSIVE);
      sim.applySynced(sim.decide());
      sim.commands.add(Command.ABORT);
      Action a = sim.decide();
      assertEquals("Aborted", a.event().reason());
      assertEquals(Phase.DEGRADED, st(a).phase());
    }

    @Test
    void backgroundAnalysisStartsWithTheRollout() {
      Sim sim = started(WITH_BACKGROUND);
      Action.StartAnalysis s = assertInstanceOf(Action.StartAnalysis.class, sim.decide());
      assertEquals(T + "/r1/background", s.runId());
      assertEquals(List.of(LATENCY), s.templates());
    }

    @Test
    void aPauseWithABackgroundAnalysisRechecksAsOftenAsAnAnalysis() {
      // Step 2 is a five-minute pause: without the background run it would wait that long, and a
      // verdict is read only when the engine decides again.
      Sim sim = atStep(WITH_BACKGROUND, 1, 4);
      sim.verdicts.put(T + "/r1/background", AnalysisVerdict.RUNNING);
      Action plain = atStep(SPEC, 1, 4).decide();
      assertTrue(
          assertInstanceOf(Action.Wait.class, plain).recheckAfter().compareTo(Duration.ofMinutes(4))
              > 0,
          plain.toString());
      assertEquals(
          RolloutEngine.ANALYSIS_RECHECK,
          assertInstanceOf(Action.Wait.class, sim.decide()).recheckAfter());
    }

    @Test
    void backgroundFailureAtAnyStepRollsBack() {
      Sim sim = atStep(WITH_BACKGROUND, 1, 4);
      sim.verdicts.put(T + "/r1/background", AnalysisVerdict.FAILED);
      sim.failedMetrics.put(T + "/r1/background", List.of("latency/p99"));
      Action a = sim.decide();
      assertEquals("AnalysisFailed", a.event().reason());
      assertTrue(st(a).reason().contains("background"));
      assertTrue(st(a).reason().contains("FAILED: latency/p99"), st(a).reason());
    }

    @Test
    void backgroundInconclusivePausesAndPromoteAcceptsIt() {
      Sim sim = atStep(WITH_BACKGROUND, 3, 4);
      sim.verdicts.put(T + "/r1/background", AnalysisVerdict.INCONCLUSIVE);
      Action a = sim.decide();
      assertEquals(Phase.PAUSED, st(a).phase());
      sim.applySynced(a);
      sim.commands.add(Command.PROMOTE);
      Action promoted = sim.decide();
      assertTrue(st(promoted).acceptedRuns().contains(T + "/r1/background"));
      assertEquals(3, st(promoted).stepIndex()); // the step itself is not skipped
      sim.applySynced(promoted);
      assertEquals(2, assertInstanceOf(Action.SetPartition.class, sim.decide()).partition());
    }

    @Test
    void abandonedRunningRunIsStoppedWhenOtherwiseWaiting() {
      Sim sim = healthy(SPEC);
      sim.verdicts.put("db-old/r3/step-2", AnalysisVerdict.RUNNING);
      Action.StopAnalysis stop = assertInstanceOf(Action.StopAnalysis.class, sim.decide());
      assertEquals("db-old/r3/step-2", stop.runId());
    }
  }

  @Nested
  class Commands {
    @Test
    void abortMidRolloutRollsBackAndConsumesTheCommand() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.commands.add(Command.ABORT);
      Action a = sim.decide();
      assertEquals(Set.of(Command.ABORT), a.consumes());
      assertEquals("Aborted", a.event().reason());
      assertEquals(5, assertInstanceOf(Action.SetPartition.class, a).partition());
      assertTrue(st(a).reason().startsWith("aborted by user"));
    }

    @ParameterizedTest
    @EnumSource(
        value = Command.class,
        names = {"ABORT", "PROMOTE", "PROMOTE_FULL", "PAUSE", "RESUME", "RETRY"})
    void commandsWithNothingToDoAreConsumedWithAWarning(Command c) {
      Sim sim = healthy(SPEC);
      sim.commands.add(c);
      Action a = sim.decide();
      assertInstanceOf(Action.UpdateState.class, a);
      assertEquals(Set.of(c), a.consumes());
      assertEquals("CommandIgnored", a.event().reason());
      assertEquals(sim.state().orElseThrow(), a.state());
    }

    @Test
    void promoteDuringACanaryStepIsIgnored() {
      Sim sim = started(SPEC);
      sim.commands.add(Command.PROMOTE);
      Action a = sim.decide();
      assertEquals("CommandIgnored", a.event().reason());
      assertEquals(0, st(a).stepIndex());
    }

    @Test
    void promoteFullSkipsToFullPromotion() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.commands.add(Command.PROMOTE_FULL);
      Action a = sim.decide();
      assertEquals(SPEC.steps().size(), st(a).stepIndex());
      assertEquals(Set.of(Command.PROMOTE_FULL), a.consumes());
      sim.applySynced(a);
      assertEquals(0, assertInstanceOf(Action.SetPartition.class, sim.decide()).partition());
    }

    @Test
    void pauseHoldsEvenAfterATimedPauseElapses() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.commands.add(Command.PAUSE);
      Action a = sim.decide();
      assertTrue(st(a).userPaused());
      assertEquals(Phase.PAUSED, st(a).phase());
      sim.applySynced(a);
      sim.now = sim.now.plus(Duration.ofHours(1));
      Action w = sim.decide();
      assertInstanceOf(Action.Wait.class, w);
      assertEquals(1, st(w).stepIndex());
    }

    @Test
    void resumeContinuesAndRestartsTheDeadline() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      sim.pod(4, T, false, 0, false);
      sim.commands.add(Command.PAUSE);
      sim.applySynced(sim.decide());
      sim.now = sim.now.plus(Duration.ofHours(1));
      sim.commands.add(Command.RESUME);
      Action a = sim.decide();
      assertFalse(st(a).userPaused());
      assertEquals(Phase.PROGRESSING, st(a).phase());
      assertEquals(sim.now, st(a).progressAt());
      sim.applySynced(a);
      assertInstanceOf(Action.Wait.class, sim.decide()); // not an immediate deadline rollback
    }

    @Test
    void severalCommandsAreHandledOneAtATimeSafestFirst() {
      Sim sim = atStep(SPEC, 4, 2);
      sim.commands.add(Command.PROMOTE);
      sim.commands.add(Command.ABORT);
      Action a = sim.decide();
      assertEquals(Set.of(Command.ABORT), a.consumes());
      sim.applySynced(a);
      assertEquals(Set.of(Command.PROMOTE), sim.commands);
      Action b = sim.decide();
      assertEquals("CommandIgnored", b.event().reason());
      assertEquals(Set.of(Command.PROMOTE), b.consumes());
    }

    @Test
    void retryAfterRollbackStartsAgainWithFreshRunIds() {
      Sim sim = rolledBack();
      sim.commands.add(Command.RETRY);
      Action a = sim.decide();
      assertEquals(Set.of(Command.RETRY), a.consumes());
      assertEquals("Retry", a.event().reason());
      assertEquals(0, st(a).stepIndex());
      assertEquals(Phase.PROGRESSING, st(a).phase());
      assertFalse(st(a).failedRevisions().contains(T));
      assertEquals(2, st(a).rollout());
      assertEquals(T + "/r2/step-3", RolloutEngine.stepRunId(st(a), 2));
    }

    @Test
    void retryWhileHealthyForgetsFailedRevisions() {
      Sim sim = healthy(SPEC);
      sim.store(sim.state().orElseThrow().withFailedRevisions(Set.of("db-bad")));
      sim.commands.add(Command.RETRY);
      Action a = sim.decide();
      assertEquals("FailedRevisionsCleared", a.event().reason());
      assertTrue(st(a).failedRevisions().isEmpty());
    }

    @Test
    void retryDuringRollbackIsIgnored() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.commands.add(Command.ABORT);
      sim.applySynced(sim.decide());
      sim.commands.add(Command.RETRY);
      Action a = sim.decide();
      assertEquals("CommandIgnored", a.event().reason());
      assertEquals(Phase.DEGRADED, st(a).phase());
    }
  }

  /** Rolled back from T: all pods on S, T remembered as failed. */
  static Sim rolledBack() {
    Sim sim = atStep(SPEC, 1, 4);
    sim.store(
        sim.state()
            .orElseThrow()
            .rollingBack(PhaseReason.ABORTED, "aborted by user")
            .withPhase(Phase.ROLLED_BACK, PhaseReason.ABORTED, "aborted by user"));
    sim.partition = 5;
    sim.podsOn(S, 0);
    return sim;
  }

  @Nested
  class Rollback {
    static Sim rollingBack() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.commands.add(Command.ABORT);
      sim.applySynced(sim.decide());
      return sim;
    }

    @Test
    void deletesHighestOrdinalOnNewRevisionFirst() {
      Sim sim = rollingBack();
      Action.DeletePod d = assertInstanceOf(Action.DeletePod.class, sim.decide());
      assertEquals("db-4", d.podName());
      assertEquals("RollingBack", d.event().reason());
    }

    @Test
    void waitsForTheDeletedPodToTerminate() {
      Sim sim = rollingBack();
      sim.pod(4, T, true, 0, true);
      assertTrue(
          assertInstanceOf(Action.Wait.class, sim.decide()).reason().contains("db-4 to terminate"));
    }

    @Test
    void waitsForTheReplacementToBeReadyOnStable() {
      Sim sim = rollingBack();
      sim.pod(4, S, false, 0, false);
      assertTrue(
          assertInstanceOf(Action.Wait.class, sim.decide())
              .reason()
              .contains("db-4 to be Ready on " + S));
    }

    @Test
    void doesNotWaitForBrokenCanaryPodsToBecomeReady() {
      Sim sim = rollingBack();
      sim.pod(4, S, true, 0, false).pod(3, T, false, 9, false);
      assertEquals("db-3", assertInstanceOf(Action.DeletePod.class, sim.decide()).podName());
    }

    @Test
    void unreadyPodsGoFirstLowestOrdinalFirstSoOrderedReadyCanRecreateThem() {
      // db-4 became Ready on the new revision and the controller moved on to db-3, which never did.
      // Deleting db-4 first would leave it missing: an OrderedReady controller recreates db-4 only
      // once db-3 is Ready, and db-3 never is on the failed revision.
      Sim sim = rollingBack();
      sim.pod(3, T, false, 0, false).pod(4, T, true, 0, false);
      assertEquals("db-3", assertInstanceOf(Action.DeletePod.class, sim.decide()).podName());

      sim.pod(3, T, false, 0, false).pod(4, T, false, 2, false);
      assertEquals("db-3", assertInstanceOf(Action.DeletePod.class, sim.decide()).podName());

      sim.pod(3, S, true, 0, false);
      assertEquals("db-4", assertInstanceOf(Action.DeletePod.class, sim.decide()).podName());
    }

    @Test
    void waitsForMissingPodsToBeRecreated() {
      Sim sim = rollingBack();
      sim.pods.remove(4);
      assertInstanceOf(Action.Wait.class, sim.decide());
    }

    @Test
    void allStableAndReadyIsRolledBack() {
      Sim sim = rollingBack();
      sim.podsOn(S, 0);
      Action a = sim.decide();
      assertEquals(Phase.ROLLED_BACK, st(a).phase());
      assertEquals("RolledBack", a.event().reason());
      assertEquals(RolloutEvent.Type.WARNING, a.event().type());
      assertTrue(st(a).reason().contains("aborted by user"), st(a).reason());
    }

    @Test
    void rolledBackRevisionIsNotRetried() {
      Sim sim = rolledBack();
      Action.Wait w = assertInstanceOf(Action.Wait.class, sim.decide());
      assertEquals(Phase.ROLLED_BACK, w.state().phase());
    }

    @Test
    void rolledBackScaleUpRaisesTheHoldAndRestoresNewPods() {
      Sim sim = rolledBack();
      sim.replicas = 7;
      sim.pod(5, T, false, 0, false).pod(6, T, false, 0, false);
      assertEquals(7, assertInstanceOf(Action.SetPartition.class, sim.decide()).partition());
      sim.partition = 7;
      sim.pod(5, T, true, 0, false).pod(6, T, true, 0, false);
      Action again = sim.decide();
      assertEquals(Phase.DEGRADED, st(again).phase()); // truthful while pods are off stable
      assertTrue(st(again).reason().contains("rolling back to " + S), st(again).reason());
      sim.applySynced(again);
      assertEquals("db-6", assertInstanceOf(Action.DeletePod.class, sim.decide()).podName());
    }

    @Test
    void gitMovingToAKnownFailedRevisionIsSkipped() {
      Sim sim = rolledBack();
      sim.store(sim.state().orElseThrow().withFailedRevisions(Set.of(T, "db-bad")));
      sim.gitChange("db-bad");
      sim.observedGeneration = sim.generation;
      Action a = sim.decide();
      assertEquals("RevisionSkipped", a.event().reason());
      assertEquals(Phase.ROLLED_BACK, st(a).phase());
      assertEquals("db-bad", st(a).targetRevision());
    }

    @Test
    void gitMovingOnAfterRollbackStartsANewRollout() {
      Sim sim = rolledBack();
      sim.gitChange("db-fix");
      sim.observedGeneration = sim.generation;
      Action a = sim.decide();
      assertEquals("RolloutStarted", a.event().reason());
      assertEquals("db-fix", st(a).targetRevision());
      assertEquals(S, st(a).stableRevision());
      assertTrue(
          st(a).failedRevisions().contains(T), "memory of T kept for when Git comes back to it");
    }

    @Test
    void rollbackAdoptsARevisionTheControllerAlreadyCompleted() {
      Sim sim = rollingBack();
      sim.currentRevision = T; // e.g. scaled to zero: the controller declared the update complete
      Action a = sim.decide();
      assertEquals("StableRevisionAdopted", a.event().reason());
      assertEquals(RolloutEvent.Type.WARNING, a.event().type());
      assertEquals(T, st(a).stableRevision());
      assertEquals(Phase.HEALTHY, st(a).phase());
      assertFalse(st(a).failedRevisions().contains(T));
      assertTrue(st(a).reason().contains("scaling to zero"), st(a).reason());
    }

    @Test
    void newRolloutStartsFromTheControllersCurrentRevision() {
      Sim sim = rolledBack();
      sim.currentRevision = "db-other";
      sim.gitChange("db-fix");
      sim.observedGeneration = sim.generation;
      assertEquals("db-other", st(sim.decide()).stableRevision());
    }

    @Test
    void abortingARevertDoesNotMarkTheStableRevisionFailed() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.gitChange(S);
      sim.observedGeneration = sim.generation;
      sim.applySynced(sim.decide());
      sim.commands.add(Command.ABORT);
      Action a = sim.decide();
      assertFalse(st(a).failedRevisions().contains(S));
    }

    @Test
    void onDeleteRollbackHaltsInsteadOfDeletingPods() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.strategy = UpdateStrategy.ON_DELETE;
      sim.commands.add(Command.ABORT);
      Action a = sim.decide();
      assertInstanceOf(Action.UpdateState.class, a);
      assertEquals(Phase.DEGRADED, st(a).phase());
      assertTrue(st(a).reason().contains("revert"), st(a).reason());
      sim.applySynced(a);
      assertInstanceOf(Action.Wait.class, sim.decide());
    }
  }

  @Nested
  class Supersede {
    @Test
    void newRevisionMidRolloutSupersedes() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.gitChange("db-newer");
      sim.observedGeneration = sim.generation;
      Action a = sim.decide();
      assertEquals("Superseded", a.event().reason());
      assertEquals("db-newer", st(a).targetRevision());
      assertEquals(S, st(a).stableRevision());
      assertEquals(0, st(a).stepIndex());
      assertEquals(2, st(a).rollout());
      assertFalse(st(a).failedRevisions().contains(T), "superseded is not failed");
    }

    @Test
    void intermediatePodsGoBackToStableOneAtATimeBeforeStepOne() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.gitChange("db-newer");
      sim.observedGeneration = sim.generation;
      sim.applySynced(sim.decide());
      Action.DeletePod d = assertInstanceOf(Action.DeletePod.class, sim.decide());
      assertEquals("db-4", d.podName());
      sim.pod(4, S, false, 0, false);
      assertInstanceOf(Action.Wait.class, sim.decide());
      sim.pod(4, S, true, 0, false);
      assertEquals("db-3", assertInstanceOf(Action.DeletePod.class, sim.decide()).podName());
    }

    @Test
    void onDeleteSupersedeLeavesIntermediatePodsToTheSteps() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.strategy = UpdateStrategy.ON_DELETE;
      sim.gitChange("db-newer");
      sim.observedGeneration = sim.generation;
      sim.applySynced(sim.decide());
      // step 1 of the new rollout: db-4 (on the superseded revision) moves straight to the newer
      // one
      Action.DeletePod d = assertInstanceOf(Action.DeletePod.class, sim.decide());
      assertEquals("db-4", d.podName());
      assertEquals("CanaryStep", d.event().reason());
      sim.pods.remove(4);
      sim.pod(4, "db-newer", true, 0, false);
      assertEquals(
          "StepCompleted",
          sim.decide().event().reason()); // db-3, on the old target, waits its turn
    }

    @Test
    void supersedeWithoutHoldRaisesPartitionFirst() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.updateRevision = "db-newer";
      Action a = sim.decide();
      assertEquals(5, assertInstanceOf(Action.SetPartition.class, a).partition());
      assertEquals("Superseded", a.event().reason());
    }

    @Test
    void revertToStableMidRolloutPromotesStableFully() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.gitChange(S);
      sim.observedGeneration = sim.generation;
      Action a = sim.decide();
      assertEquals("Reverted", a.event().reason());
      assertEquals(S, st(a).targetRevision());
      assertEquals(SPEC.steps().size(), st(a).stepIndex());
    }

    @Test
    void supersededAnalysisRunIsStopped() {
      Sim sim = atStep(SPEC, 2, 4);
      sim.verdicts.put(T + "/r1/step-3", AnalysisVerdict.RUNNING);
      sim.gitChange("db-newer");
      sim.observedGeneration = sim.generation;
      sim.applySynced(sim.decide());
      sim.pod(4, S, true, 0, false);
      sim.partition = 4; // canary of the new rollout is waiting for db-4
      Action a = sim.decide();
      assertEquals(T + "/r1/step-3", assertInstanceOf(Action.StopAnalysis.class, a).runId());
    }
  }

  @Nested
  class ScaleAndStrategies {
    @Test
    void scaleUpRecomputesPercentCanary() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.replicas = 10;
      Action a = sim.decide();
      assertEquals(
          4, assertInstanceOf(Action.SetPartition.class, a).partition()); // 60% of 10 = 6 pods
    }

    @Test
    void scaleUpDuringAPauseKeepsTheCanarySize() {
      Sim sim = atStep(SPEC, 1, 4); // pause after a 1-pod canary
      sim.replicas = 8;
      Action a = sim.decide();
      Action.SetPartition p = assertInstanceOf(Action.SetPartition.class, a);
      assertEquals(7, p.partition());
      assertEquals("CanaryRescaled", p.event().reason());
      assertEquals(1, st(a).stepIndex());
    }

    @Test
    void aCanaryLeftBelowThePartitionAfterAScaleUpGoesBackToStable() {
      Sim sim = atStep(SPEC, 1, 4); // pause after a 1-pod canary: db-4 on T
      sim.replicas = 8;
      sim.partition = 7; // raised already; the controller added 5 and 6 on S and 7 on T
      String prefix = sim.pods.get(0).name().replaceAll("-0$", "");
      sim.pods.put(5, new PodView(prefix + "-5", 5, S, true, 0, false));
      sim.pods.put(6, new PodView(prefix + "-6", 6, S, true, 0, false));
      sim.pods.put(7, new PodView(prefix + "-7", 7, T, true, 0, false));

      Action.DeletePod delete = assertInstanceOf(Action.DeletePod.class, sim.decide());
      assertEquals(prefix + "-4", delete.podName());
      assertEquals(T, delete.podRevision());
      assertEquals("CanaryRescaled", delete.event().reason());
    }

    @Test
    void noCanaryIsSentBackWhileAPodIsNotReady() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.replicas = 8;
      sim.partition = 7;
      String prefix = sim.pods.get(0).name().replaceAll("-0$", "");
      sim.pods.put(5, new PodView(prefix + "-5", 5, S, false, 0, false));
      assertInstanceOf(Action.Wait.class, sim.decide());
    }

    @Test
    void noSecondCanaryIsSentBackWhileTheFirstIsMissing() {
      // db-5 went back first and is gone, not yet recreated; db-4 must wait for it.
      Sim sim = atStep(SPEC, 1, 4);
      sim.replicas = 8;
      sim.partition = 7;
      String prefix = sim.pods.get(0).name().replaceAll("-0$", "");
      sim.pods.put(6, new PodView(prefix + "-6", 6, S, true, 0, false));
      sim.pods.put(7, new PodView(prefix + "-7", 7, T, true, 0, false));
      assertInstanceOf(Action.Wait.class, sim.decide());

      sim.pods.put(5, new PodView(prefix + "-5", 5, S, true, 0, false));
      Action.DeletePod delete = assertInstanceOf(Action.DeletePod.class, sim.decide());
      assertEquals(prefix + "-4", delete.podName());
    }

    @Test
    void scaleDownKeepsPartitionWithinBounds() {
      Sim sim = atStep(SPEC, 0, 4);
      sim.replicas = 0;
      sim.pods.clear();
      sim.partition = 1;
      Action a = sim.decide();
      assertEquals(0, assertInstanceOf(Action.SetPartition.class, a).partition());
    }

    @Test
    void fixedCanaryLargerThanReplicasIsClamped() {
      RolloutSpec spec = RolloutSpec.of(Step.Canary.pods(10));
      Sim sim = started(spec);
      assertEquals(0, assertInstanceOf(Action.SetPartition.class, sim.decide()).partition());
    }

    @Test
    void onDeleteCanaryDeletesTheHighestOldPod() {
      Sim sim = started(SPEC);
      sim.strategy = UpdateStrategy.ON_DELETE;
      Action.DeletePod d = assertInstanceOf(Action.DeletePod.class, sim.decide());
      assertEquals("db-4", d.podName());
    }

    @Test
    void onDeleteWaitsForTheMovedPodToBeReady() {
      Sim sim = atStep(SPEC, 3, 5);
      sim.strategy = UpdateStrategy.ON_DELETE;
      sim.pod(4, T, false, 0, false);
      assertInstanceOf(Action.Wait.class, sim.decide());
      sim.pod(4, T, true, 0, false);
      Action progress = sim.decide();
      assertEquals("Progress", progress.event().reason());
      sim.applySynced(progress);
      assertEquals("db-3", assertInstanceOf(Action.DeletePod.class, sim.decide()).podName());
    }

    @Test
    void lastStepLeadsToFullPromotionAndHealthy() {
      Sim sim = atStep(SPEC, 5, 2);
      assertEquals(0, assertInstanceOf(Action.SetPartition.class, sim.decide()).partition());
      sim.partition = 0;
      sim.podsOn(T, 0);
      Action a = sim.decide();
      assertEquals("RolloutCompleted", a.event().reason());
      assertEquals(Phase.HEALTHY, st(a).phase());
      assertEquals(T, st(a).stableRevision());
      assertEquals("", st(a).reason());
    }

    @Test
    void aCompletedRolloutRestsThePartitionOnceTheControllerMadeItCurrent() {
      Sim sim = atStep(SPEC, 5, 2);
      sim.applySynced(sim.decide()); // full promotion: partition 0
      sim.podsOn(T, 0);
      Action completed = sim.decide();
      assertEquals("RolloutCompleted", completed.event().reason());
      sim.applySynced(completed);
      sim.currentRevision = S; // the controller has not written its status yet
      assertInstanceOf(Action.Wait.class, sim.decide());
      sim.currentRevision = T;
      Action rest = sim.decide();
      assertEquals(5, assertInstanceOf(Action.SetPartition.class, rest).partition());
      assertEquals(
          new RolloutEvent.PartitionRested(0, 5), rest.event(), "from the promotion's 0 to 5");
      assertEquals(sim.state().orElseThrow(), rest.state(), "the state does not change");
      sim.applySynced(rest);
      assertInstanceOf(Action.Wait.class, sim.decide());
    }

    @Test
    void aControllerSlowToMarkTheUpdateCompleteIsNotAdoptedBack() {
      // Every pod runs T, but status.currentRevision still says S for a moment: the controller
      // writes it on its next sync. The engine must wait for it, not adopt S back as stable.
      Sim sim = atStep(SPEC, 5, 2);
      sim.partition = 0;
      sim.podsOn(T, 0);
      sim.applySynced(sim.decide());
      assertEquals(S, sim.currentRevision);
      assertEquals(T, sim.updateRevision);
      Action next = sim.decide();
      assertNotEquals("StableRevisionAdopted", next.event().reason(), next.event().message());
      assertEquals(T, st(next).stableRevision());
      assertEquals(Phase.HEALTHY, st(next).phase());
    }
  }

  @Nested
  class Details {
    @Test
    void deletePodNamesTheRevisionItExpects() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.commands.add(Command.ABORT);
      sim.applySynced(sim.decide());
      Action.DeletePod d = assertInstanceOf(Action.DeletePod.class, sim.decide());
      assertEquals(T, d.podRevision());
    }

    @Test
    void deadlineAppliesToFullPromotionToo() {
      Sim sim = atStep(SPEC, 5, 2);
      sim.partition = 0;
      sim.pod(1, T, false, 0, false);
      sim.applySynced(sim.decide()); // the drop from 3 to 3 Ready pods on T is no change: Wait
      sim.now = sim.now.plus(Duration.ofMinutes(11));
      assertEquals("ProgressDeadlineExceeded", sim.decide().event().reason());
    }

    @Test
    void commandsWaitForTheControllerAndAreNotLost() {
      Sim sim = atStep(SPEC, 4, 2);
      sim.generation++;
      sim.commands.add(Command.PROMOTE);
      Action a = sim.decide();
      assertInstanceOf(Action.Wait.class, a);
      assertTrue(a.consumes().isEmpty());
    }

    @Test
    void wantedAnalysisRunIsNotStopped() {
      Sim sim = atStep(WITH_BACKGROUND, 1, 4);
      sim.verdicts.put(T + "/r1/background", AnalysisVerdict.RUNNING);
      assertInstanceOf(Action.Wait.class, sim.decide());
    }

    @Test
    void unreadyStablePodsDoNotDisturbAHealthySet() {
      Sim sim = healthy(SPEC);
      sim.pod(2, S, false, 5, false);
      assertInstanceOf(Action.Wait.class, sim.decide());
    }

    @Test
    void newCommitClearsAUserPause() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.commands.add(Command.PAUSE);
      sim.applySynced(sim.decide());
      sim.gitChange("db-newer");
      sim.observedGeneration = sim.generation;
      Action a = sim.decide();
      assertFalse(st(a).userPaused());
      assertEquals(Phase.PROGRESSING, st(a).phase());
    }

    @Test
    void rollbackEventsAreWarningsAndStepEventsNormal() {
      Sim sim = started(SPEC);
      sim.partition = 4;
      sim.pod(4, T, true, 0, false);
      assertEquals(RolloutEvent.Type.NORMAL, sim.decide().event().type());
      sim.commands.add(Command.ABORT);
      assertEquals(RolloutEvent.Type.WARNING, sim.decide().event().type());
    }

    @Test
    void stateStaysWithinTheAnnotationBudgetThroughARollout() {
      Sim sim = atStep(WITH_BACKGROUND, 2, 4);
      sim.verdicts.put(T + "/r1/step-3", AnalysisVerdict.SUCCESSFUL);
      Action a = sim.decide();
      assertTrue(a.state().toJson().length() < 1024, a.state().toJson());
    }
  }

  @Nested
  class Determinism {
    @Test
    void podOrderDoesNotMatter() {
      Sim sim = atStep(SPEC, 3, 2);
      sim.partition = 2;
      sim.pod(2, T, false, 0, false);
      Observation obs = sim.observe();
      List<PodView> shuffled = new ArrayList<>(obs.pods());
      Collections.reverse(shuffled);
      Observation reordered =
          new Observation(obs.now(), obs.sts(), shuffled, obs.verdicts(), obs.commands());
      assertEquals(
          RolloutEngine.decide(SPEC, sim.state(), obs),
          RolloutEngine.decide(SPEC, sim.state(), reordered));
    }

    @Test
    void sameInputsGiveEqualActionsEveryTime() {
      for (Sim sim :
          List.of(
              healthy(SPEC),
              started(SPEC),
              atStep(SPEC, 1, 4),
              atStep(SPEC, 2, 4),
              rolledBack(),
              atStep(WITH_BACKGROUND, 3, 2))) {
        Action first = sim.decide();
        for (int i = 0; i < 3; i++) {
          assertEquals(
              first,
              RolloutEngine.decide(
                  SPEC.steps().isEmpty() ? SPEC : sim.spec,
                  sim.state().map(s -> RolloutState.fromJson(s.toJson())),
                  sim.observe()));
        }
      }
    }

    @Test
    void waitNeverChangesAStoredState() {
      Sim sim = atStep(SPEC, 1, 4);
      sim.now = sim.now.plusSeconds(1);
      Action a = sim.decide();
      assertEquals(sim.state(), Optional.of(assertInstanceOf(Action.Wait.class, a).state()));
    }

    @Test
    void logLineNamesTheDecisionAndTheConsumedCommand() {
      Sim sim = atStep(SPEC, 4, 2);
      sim.commands.add(Command.PROMOTE);
      String line = sim.decide().logLine();
      assertTrue(
          line.startsWith(
              "UpdateState phase=Progressing step=5 target="
                  + T
                  + " consumes=promote Normal Promoted: "),
          line);
    }
  }
}
