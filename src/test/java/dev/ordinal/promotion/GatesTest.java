package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.promotion.Gates.FreezeWindow;
import dev.ordinal.promotion.Gates.Gate;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.VerdictRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatesTest {
  private static final Instant HEALTHY_AT = Instant.parse("2025-06-01T10:00:00Z");
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final Duration SOAK = Duration.ofMinutes(10);

  private static RolloutState state(
      Phase phase, PhaseReason reason, int rollout, String commit, VerdictRecord... verdicts) {
    return new RolloutState(
        new RolloutState.Revisions("db-2", phase == Phase.HEALTHY ? "db-2" : "db-3", rollout),
        new RolloutSource("staging", commit),
        new RolloutState.StepPosition(2, 2, HEALTHY_AT),
        new RolloutState.Status(phase, reason, "error-rate 0.4 > 0.05"),
        new RolloutState.Progress(HEALTHY_AT.minusSeconds(60), HEALTHY_AT, 3),
        false,
        new RolloutState.Memory(Set.of(), Set.of(), List.of(verdicts)));
  }

  private static RolloutState healthy(VerdictRecord... verdicts) {
    return state(Phase.HEALTHY, PhaseReason.NONE, 1, COMMIT, verdicts);
  }

  private static VerdictRecord verdict(AnalysisVerdict v) {
    return new VerdictRecord(2, "error-rate", v, false);
  }

  private static Gate at(RolloutState state, Duration after, Optional<String> approval) {
    return Gates.evaluate(state, HEALTHY_AT.plus(after), SOAK, List.of(), approval, false);
  }

  @Test
  void aHealthyRolloutWithPassedAnalysesOpensOnceTheSoakTimeHasPassed() {
    RolloutState s = healthy(verdict(AnalysisVerdict.SUCCESSFUL));
    Gate early = at(s, Duration.ofMinutes(9), Optional.empty());
    assertEquals(HEALTHY_AT.plus(SOAK), assertInstanceOf(Gate.Wait.class, early).until());
    assertTrue(((Gate.Wait) early).why().contains(Gates.APPROVAL_ANNOTATION + "=" + COMMIT));
    assertInstanceOf(Gate.Open.class, at(s, SOAK, Optional.empty()));
  }

  @Test
  void aRolloutWithoutAnalysisStepsPassesVacuously() {
    assertInstanceOf(Gate.Open.class, at(healthy(), SOAK, Optional.empty()));
    assertEquals("no analysis in the policy", Gates.verdicts(healthy()));
  }

  @Test
  void anApprovalOfThisCommitStandsInForTheSoakButNotAnotherCommits() {
    RolloutState s = healthy(verdict(AnalysisVerdict.SUCCESSFUL));
    assertInstanceOf(Gate.Open.class, at(s, Duration.ZERO, Optional.of(COMMIT.substring(0, 7))));
    assertInstanceOf(Gate.Wait.class, at(s, Duration.ZERO, Optional.of("fedcba9876")));
    assertInstanceOf(Gate.Wait.class, at(s, Duration.ZERO, Optional.of("0123")), "too short");
  }

  @Test
  void aFreezeWindowHoldsEvenAnApprovedCommitUntilItEnds() {
    RolloutState s = healthy();
    FreezeWindow freeze = new FreezeWindow(HEALTHY_AT, HEALTHY_AT.plus(Duration.ofHours(2)));
    Gate held =
        Gates.evaluate(s, HEALTHY_AT.plus(SOAK), SOAK, List.of(freeze), Optional.of(COMMIT), false);
    assertEquals(freeze.until(), assertInstanceOf(Gate.Wait.class, held).until());
    assertInstanceOf(
        Gate.Open.class,
        Gates.evaluate(s, freeze.until(), SOAK, List.of(freeze), Optional.empty(), false));
  }

  @Test
  void failedMissingOrRunningAnalysesAndUnhealthyRolloutsAreNeverPromotedEvenWithForce() {
    for (RolloutState s :
        List.of(
            healthy(verdict(AnalysisVerdict.FAILED)),
            healthy(verdict(AnalysisVerdict.ERROR)),
            healthy(verdict(AnalysisVerdict.RUNNING)),
            state(Phase.ROLLED_BACK, PhaseReason.ANALYSIS_FAILED, 1, COMMIT),
            state(Phase.PROGRESSING, PhaseReason.CANARY_STEP, 1, COMMIT),
            state(Phase.HEALTHY, PhaseReason.NONE, 0, COMMIT),
            state(Phase.HEALTHY, PhaseReason.NONE, 1, ""))) {
      Gate gate = Gates.evaluate(s, HEALTHY_AT.plus(SOAK), SOAK, List.of(), Optional.empty(), true);
      assertInstanceOf(Gate.Closed.class, gate, s.toString());
    }
  }

  @Test
  void anInconclusiveAnalysisAPersonPromotedPastNeedsForce() {
    RolloutState s = healthy(new VerdictRecord(1, "latency", AnalysisVerdict.INCONCLUSIVE, true));
    assertInstanceOf(Gate.Closed.class, at(s, SOAK, Optional.empty()));
    assertInstanceOf(
        Gate.Open.class, Gates.evaluate(s, HEALTHY_AT, SOAK, List.of(), Optional.empty(), true));
  }

  @Test
  void forceSkipsSoakAndFreeze() {
    FreezeWindow freeze = new FreezeWindow(HEALTHY_AT, HEALTHY_AT.plus(Duration.ofHours(2)));
    assertEquals(
        new Gate.Open("forced"),
        Gates.evaluate(healthy(), HEALTHY_AT, SOAK, List.of(freeze), Optional.empty(), true));
  }
}
