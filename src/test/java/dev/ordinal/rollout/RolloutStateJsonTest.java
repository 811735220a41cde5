package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RolloutStateJsonTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static RolloutState full(Phase phase) {
    return new RolloutState(
        new RolloutState.Revisions("db-stable", "db-new", 3),
        new RolloutSource("shop", "4f2a9c1"),
        new RolloutState.StepPosition(2, 5, T0),
        new RolloutState.Status(
            phase, PhaseReason.ANALYSIS_FAILED, "analysis error-rate at step 3 FAILED"),
        new RolloutState.Progress(T0.minusSeconds(600), T0.plusSeconds(5), 2),
        true,
        new RolloutState.Memory(
            new LinkedHashSet<>(List.of("db-old", "db-new")),
            Set.of("db-new/r3/background"),
            List.of(new VerdictRecord(3, "error-rate", AnalysisVerdict.FAILED, false))),
        new RolloutState.Backup(
            "db-20260101-000000",
            RolloutState.BackupStage.READY,
            T0.minusSeconds(700),
            false,
            "",
            List.of(4, 3),
            "db-20260101-000000@1767225600"),
        new RolloutState.Restore(
            "db-20260101-000000@1767225600",
            "db-20260101-000000",
            List.of(3, 4),
            5,
            RolloutState.RestoreStage.REPLACE,
            T0,
            T0.plusSeconds(3),
            true));
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void roundTripsEveryPhase(Phase phase) {
    RolloutState s = full(phase);
    assertEquals(s, RolloutState.fromJson(s.toJson()));
  }

  @ParameterizedTest
  @EnumSource(PhaseReason.class)
  void roundTripsEveryReason(PhaseReason reason) {
    RolloutState s =
        full(Phase.PROGRESSING).with(new RolloutState.Status(Phase.PAUSED, reason, "why"));
    assertEquals(s, RolloutState.fromJson(s.toJson()));
  }

  @Test
  void jsonIsCompactStableAndGroupsItsFields() {
    String json = RolloutState.healthy("db-7c9f8b", T0).toJson();
    assertEquals(
        "{\"v\":2,\"revisions\":{\"stable\":\"db-7c9f8b\",\"target\":\"db-7c9f8b\",\"rollout\":0},"
            + "\"source\":{},\"step\":{\"startedAt\":\"2026-01-01T00:00:00Z\"},"
            + "\"status\":{\"phase\":\"Healthy\",\"reason\":\"NONE\"},"
            + "\"progress\":{\"rolloutStartedAt\":\"2026-01-01T00:00:00Z\",\"at\":\"2026-01-01T00:00:00Z\"},"
            + "\"memory\":{}}",
        json);
    String rolledBack = full(Phase.ROLLED_BACK).toJson();
    assertTrue(rolledBack.contains("\"phase\":\"RolledBack\""), rolledBack);
    assertTrue(rolledBack.contains("\"reason\":\"ANALYSIS_FAILED\""), rolledBack);
    assertTrue(rolledBack.contains("\"commit\":\"4f2a9c1\""), rolledBack);
    assertTrue(rolledBack.contains("\"count\":5"), rolledBack);
  }

  @Test
  void theReasonForPeopleIsRenderedFromData() {
    assertEquals(
        "analysis error-rate at step 3 FAILED; rolling back to db-stable",
        full(Phase.DEGRADED).reason());
    assertEquals(
        "analysis error-rate at step 3 FAILED; rolled back to db-stable",
        full(Phase.ROLLED_BACK).reason());
    RolloutState atCanary =
        full(Phase.PROGRESSING)
            .with(
                new RolloutState.Status(
                    Phase.PROGRESSING, PhaseReason.CANARY_STEP, "canary 2 pods"));
    assertEquals("step 3/5: canary 2 pods", atCanary.reason());
    assertEquals(3, atCanary.stepIndex() + 1);
    assertEquals(5, atCanary.stepCount());
  }

  /** What Ordinal 0.1 wrote (format v1); a StatefulSet it left mid-rollout must carry on. */
  @Test
  void aStateWrittenByTheFirstFormatStillReads() {
    String v1 =
        "{\"v\":1,\"stable\":\"db-1\",\"target\":\"db-2\",\"rollout\":2,\"step\":1,"
            + "\"phase\":\"Paused\",\"reason\":\"step 2/3: waiting for 'ordinal promote prod/db'\","
            + "\"stepStartedAt\":\"2026-01-01T00:00:00Z\",\"rolloutStartedAt\":\"2025-12-31T23:50:00Z\","
            + "\"progressAt\":\"2026-01-01T00:00:05Z\",\"progressCount\":1,"
            + "\"failed\":[\"db-0\"],\"acceptedRuns\":[\"db-2/r2/background\"],"
            + "\"verdicts\":[\"step-1 smoke SUCCESSFUL\"]}";
    RolloutState s = RolloutState.fromJson(v1);
    assertEquals("db-1", s.stableRevision());
    assertEquals("db-2", s.targetRevision());
    assertEquals(2, s.rollout());
    assertEquals(1, s.stepIndex());
    assertEquals(0, s.stepCount(), "v1 did not record the step count");
    assertEquals(Phase.PAUSED, s.phase());
    assertEquals("step 2/3: waiting for 'ordinal promote prod/db'", s.reason());
    assertEquals(Instant.parse("2025-12-31T23:50:00Z"), s.rolloutStartedAt());
    assertEquals(1, s.progressCount());
    assertEquals(Set.of("db-0"), s.failedRevisions());
    assertEquals(Set.of("db-2/r2/background"), s.acceptedRuns());
    assertEquals("step-1 smoke SUCCESSFUL", s.verdicts().get(0).toString());
    // written again, it is the current format
    assertTrue(s.toJson().startsWith("{\"v\":2,"), s.toJson());
    assertEquals(s, RolloutState.fromJson(s.toJson()));
  }

  @Test
  void aV2StateWrittenBeforeBackupsExistedStillReads() {
    String before =
        "{\"v\":2,\"revisions\":{\"stable\":\"db-1\",\"target\":\"db-2\",\"rollout\":1},"
            + "\"step\":{\"startedAt\":\"2026-01-01T00:00:00Z\"},"
            + "\"status\":{\"phase\":\"Progressing\",\"reason\":\"CANARY_STEP\"},"
            + "\"progress\":{\"rolloutStartedAt\":\"2026-01-01T00:00:00Z\","
            + "\"at\":\"2026-01-01T00:00:00Z\"}}";
    RolloutState s = RolloutState.fromJson(before);
    assertEquals(Optional.empty(), s.lastBackup());
    assertEquals(Optional.empty(), s.restoring());
    assertEquals(s, RolloutState.fromJson(s.toJson()));
    assertFalse(s.toJson().contains("backup"), "no backup, no field: " + s.toJson());
  }

  @Test
  void historyIsBoundedSoTheAnnotationStaysSmall() {
    List<String> many =
        IntStream.range(0, 100).mapToObj(i -> "db-rev-" + i + "-" + "x".repeat(40)).toList();
    List<VerdictRecord> verdicts = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      verdicts.add(new VerdictRecord(i, "error-rate", AnalysisVerdict.SUCCESSFUL, false));
    }
    RolloutState s =
        RolloutState.healthy("a", T0)
            .with(
                new RolloutState.Memory(
                    new LinkedHashSet<>(many), new LinkedHashSet<>(many), verdicts));
    assertEquals(RolloutState.MAX_FAILED_REVISIONS, s.failedRevisions().size());
    assertEquals(RolloutState.MAX_VERDICTS, s.verdicts().size());
    assertTrue(s.failedRevisions().contains("db-rev-99-" + "x".repeat(40)), "newest kept");
    assertTrue(
        s.toJson().length() < 10_000 / 4,
        "a quarter of the 10 KB budget at most: " + s.toJson().length());
  }

  @Test
  void failedRevisionReaddedMovesToNewest() {
    RolloutState s =
        full(Phase.PROGRESSING)
            .withFailedRevisions(new LinkedHashSet<>(List.of("db-new", "db-old")));
    assertEquals(
        List.of("db-old", "db-new"),
        List.copyOf(s.rollingBack(PhaseReason.ABORTED, "x").failedRevisions()));
    assertEquals(
        List.of("db-old", "db-new"),
        List.copyOf(
            RolloutState.fromJson(s.rollingBack(PhaseReason.ABORTED, "x").toJson())
                .failedRevisions()),
        "the order survives the annotation");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "not json", "{\"v\":2,", "[1,2]", "\"text\"", "42"})
  void garbledTextIsAClearError(String text) {
    RolloutStateFormatException e =
        assertThrows(RolloutStateFormatException.class, () -> RolloutState.fromJson(text));
    assertTrue(e.getMessage().startsWith("rollout state"), e.getMessage());
  }

  @Test
  void unknownFormatVersionIsRejected() {
    String json = RolloutState.healthy("a", T0).toJson().replace("\"v\":2", "\"v\":3");
    assertTrue(
        assertThrows(RolloutStateFormatException.class, () -> RolloutState.fromJson(json))
            .getMessage()
            .contains("format version"));
  }

  @Test
  void missingRequiredFieldIsNamed() {
    String json = "{\"v\":2,\"revisions\":{\"target\":\"b\"}}";
    String message =
        assertThrows(RolloutStateFormatException.class, () -> RolloutState.fromJson(json))
            .getMessage();
    assertTrue(message.contains("revisions.stable"), message);
  }

  @Test
  void missingTimestampIsRejectedBecausePausesCountFromIt() {
    String json =
        RolloutState.healthy("a", T0)
            .toJson()
            .replace("\"step\":{\"startedAt\":\"2026-01-01T00:00:00Z\"}", "\"step\":{}");
    String message =
        assertThrows(RolloutStateFormatException.class, () -> RolloutState.fromJson(json))
            .getMessage();
    assertTrue(message.contains("step.startedAt"), message);
  }

  @Test
  void unknownPhaseIsRejected() {
    String json = RolloutState.healthy("a", T0).toJson().replace("Healthy", "Exploded");
    assertTrue(
        assertThrows(RolloutStateFormatException.class, () -> RolloutState.fromJson(json))
            .getMessage()
            .contains("Exploded"));
  }

  @Test
  void wrongTypesAndBadInstantsAreRejected() {
    String base = full(Phase.PROGRESSING).toJson();
    assertThrows(
        RolloutStateFormatException.class,
        () -> RolloutState.fromJson(base.replace("\"index\":2", "\"index\":\"two\"")));
    assertThrows(
        RolloutStateFormatException.class,
        () -> RolloutState.fromJson(base.replace("2026-01-01T00:00:00Z", "yesterday")));
    assertThrows(
        RolloutStateFormatException.class,
        () ->
            RolloutState.fromJson(
                base.replace(
                    "\"failedRevisions\":[\"db-old\",\"db-new\"]", "\"failedRevisions\":\"x\"")));
  }

  @Test
  void extraFieldsFromANewerOrdinalAreIgnored() {
    String json = RolloutState.healthy("a", T0).toJson().replace("}}", "},\"future\":{\"x\":1}}");
    assertEquals(RolloutState.healthy("a", T0), RolloutState.fromJson(json));
  }
}
