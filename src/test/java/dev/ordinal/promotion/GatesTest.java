package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.manifest.Schedules;
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
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
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
    FreezeWindow.Fixed freeze =
        new FreezeWindow.Fixed(HEALTHY_AT, HEALTHY_AT.plus(Duration.ofHours(2)));
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
    FreezeWindow.Fixed freeze =
        new FreezeWindow.Fixed(HEALTHY_AT, HEALTHY_AT.plus(Duration.ofHours(2)));
    assertEquals(
        new Gate.Open("forced"),
        Gates.evaluate(healthy(), HEALTHY_AT, SOAK, List.of(freeze), Optional.empty(), true));
  }

  @Nested
  class RecurringFreezeWindows {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId UTC = ZoneId.of("UTC");

    /** A freeze every Friday at 18:00 for 62 hours, to Monday 08:00 (on a day without DST). */
    private final FreezeWindow weekend = recurring("0 18 * * 5", Duration.ofHours(62), UTC);

    private static FreezeWindow recurring(String schedule, Duration duration, ZoneId zone) {
      return new FreezeWindow.Recurring(Schedules.parse(schedule), duration, zone);
    }

    private static Gate gateAt(String instant, FreezeWindow... windows) {
      return Gates.evaluate(
          healthy(), Instant.parse(instant), SOAK, List.of(windows), Optional.empty(), false);
    }

    private static void assertOpen(String at, FreezeWindow... windows) {
      assertInstanceOf(Gate.Open.class, gateAt(at, windows), at);
    }

    private static Gate.Wait assertFrozen(String until, String at, FreezeWindow... windows) {
      Gate.Wait wait = assertInstanceOf(Gate.Wait.class, gateAt(at, windows), at);
      assertTrue(wait.why().startsWith("freeze window"), wait.why());
      assertEquals(Instant.parse(until), wait.until(), at);
      return wait;
    }

    @Test
    void aWindowIsActiveFromItsStartInclusiveToItsEndExclusive() {
      assertOpen("2025-06-06T17:59:59Z", weekend);
      assertFrozen("2025-06-09T08:00:00Z", "2025-06-06T18:00:00Z", weekend);
      assertFrozen("2025-06-09T08:00:00Z", "2025-06-09T07:59:59Z", weekend);
      assertOpen("2025-06-09T08:00:00Z", weekend);
    }

    @Test
    void aWindowThatBeganYesterdayIsStillActiveAndTheReasonNamesItAndItsEnd() {
      Gate.Wait held = assertFrozen("2025-06-09T08:00:00Z", "2025-06-07T12:00:00Z", weekend);
      assertEquals(
          "freeze window \"0 18 * * 5\" for 62h (UTC), from 2025-06-06T18:00Z until 2025-06-09T08:00Z",
          held.why());
    }

    @Test
    void theDurationIsElapsedTimeSoAWindowAcrossTheSpringChangeEndsAnHourLaterOnTheClock() {
      FreezeWindow berlin = recurring("0 18 * * 5", Duration.ofHours(62), BERLIN);
      // Friday 27 March 2026 18:00 CET is 17:00Z; clocks go forward on Sunday 29 March.
      assertOpen("2026-03-27T16:59:00Z", berlin);
      assertFrozen("2026-03-30T07:00:00Z", "2026-03-27T17:00:00Z", berlin);
      Gate.Wait monday = assertFrozen("2026-03-30T07:00:00Z", "2026-03-30T06:59:00Z", berlin);
      assertTrue(monday.why().endsWith("until 2026-03-30T09:00+02:00"), monday.why());
      assertOpen("2026-03-30T07:00:00Z", berlin);
      // Friday 24 October 2025 18:00 CEST is 16:00Z; clocks go back on Sunday 26 October.
      assertFrozen("2025-10-27T06:00:00Z", "2025-10-26T12:00:00Z", berlin);
    }

    @Test
    void theStartFollowsTheWallClockOfTheTimeZone() {
      FreezeWindow nineOClock = recurring("0 9 * * *", Duration.ofHours(1), BERLIN);
      assertFrozen("2026-03-28T09:00:00Z", "2026-03-28T08:30:00Z", nineOClock);
      assertFrozen("2026-03-30T08:00:00Z", "2026-03-30T07:30:00Z", nineOClock);
      assertOpen("2026-03-30T08:30:00Z", nineOClock);
    }

    @Test
    void aSkippedTimeStartsAfterTheChangeAndARepeatedTimeStartsOnce() {
      FreezeWindow halfPastTwo = recurring("30 2 * * *", Duration.ofHours(1), BERLIN);
      // 02:30 does not exist on 29 March 2026: it is read as 03:30 CEST, 01:30Z.
      assertOpen("2026-03-29T01:29:00Z", halfPastTwo);
      assertFrozen("2026-03-29T02:30:00Z", "2026-03-29T01:30:00Z", halfPastTwo);
      // 02:30 happens twice on 26 October (00:30Z and 01:30Z): only the first starts a window.
      assertFrozen("2025-10-26T01:30:00Z", "2025-10-26T00:30:00Z", halfPastTwo);
      assertOpen("2025-10-26T01:45:00Z", halfPastTwo);
    }

    @Test
    void ofSeveralActiveWindowsTheOneEndingLastSetsTheWait() {
      FreezeWindow.Fixed holidays =
          new FreezeWindow.Fixed(
              Instant.parse("2025-06-01T00:00:00Z"), Instant.parse("2025-06-08T00:00:00Z"));
      assertFrozen("2025-06-09T08:00:00Z", "2025-06-07T12:00:00Z", holidays, weekend);
      assertFrozen("2025-06-08T00:00:00Z", "2025-06-05T12:00:00Z", weekend, holidays);
    }

    @Test
    void whenDayOfMonthAndDayOfWeekAreBothGivenEitherStartsAWindowAsInCron() {
      // The 13th, or any Friday.
      FreezeWindow unlucky = recurring("0 0 13 * 5", Duration.ofHours(24), UTC);
      assertFrozen("2025-06-14T00:00:00Z", "2025-06-13T12:00:00Z", unlucky); // a Friday the 13th
      assertFrozen("2025-07-14T00:00:00Z", "2025-07-13T12:00:00Z", unlucky); // a Sunday
      assertFrozen("2025-07-05T00:00:00Z", "2025-07-04T12:00:00Z", unlucky); // a Friday
      assertOpen("2025-07-05T12:00:00Z", unlucky);
    }
  }
}
