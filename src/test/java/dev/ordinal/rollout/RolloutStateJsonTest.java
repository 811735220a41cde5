package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
        "db-stable",
        "db-new",
        3,
        2,
        phase,
        "analysis error-rate at step 3 FAILED; rolling back to db-stable",
        T0,
        T0.minusSeconds(600),
        T0.plusSeconds(5),
        2,
        true,
        new LinkedHashSet<>(List.of("db-old", "db-new")),
        Set.of("db-new/r3/background"),
        List.of("step-3 error-rate FAILED"));
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void roundTripsEveryPhase(Phase phase) {
    RolloutState s = full(phase);
    assertEquals(s, RolloutState.fromJson(s.toJson()));
  }

  @Test
  void jsonIsCompactStableAndUsesDisplayNames() {
    String json = RolloutState.healthy("db-7c9f8b", T0).toJson();
    assertEquals(
        "{\"v\":1,\"stable\":\"db-7c9f8b\",\"target\":\"db-7c9f8b\",\"rollout\":0,\"step\":0,\"phase\":\"Healthy\","
            + "\"stepStartedAt\":\"2026-01-01T00:00:00Z\",\"rolloutStartedAt\":\"2026-01-01T00:00:00Z\","
            + "\"progressAt\":\"2026-01-01T00:00:00Z\",\"progressCount\":0}",
        json);
    assertTrue(full(Phase.ROLLED_BACK).toJson().contains("\"phase\":\"RolledBack\""));
  }

  @Test
  void historyIsBoundedSoTheAnnotationStaysSmall() {
    List<String> many =
        IntStream.range(0, 100).mapToObj(i -> "db-rev-" + i + "-" + "x".repeat(40)).toList();
    RolloutState s =
        new RolloutState(
            "a",
            "b",
            1,
            0,
            Phase.PROGRESSING,
            "r",
            T0,
            T0,
            T0,
            0,
            false,
            new LinkedHashSet<>(many),
            new LinkedHashSet<>(many),
            new ArrayList<>(many));
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
    assertEquals(List.of("db-old", "db-new"), List.copyOf(s.rollingBack("x").failedRevisions()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "not json", "{\"v\":1,", "[1,2]", "\"text\"", "42"})
  void garbledTextIsAClearError(String text) {
    RolloutStateFormatException e =
        assertThrows(RolloutStateFormatException.class, () -> RolloutState.fromJson(text));
    assertTrue(e.getMessage().startsWith("rollout state"), e.getMessage());
  }

  @Test
  void unknownFormatVersionIsRejected() {
    String json = RolloutState.healthy("a", T0).toJson().replace("\"v\":1", "\"v\":2");
    assertTrue(
        assertThrows(RolloutStateFormatException.class, () -> RolloutState.fromJson(json))
            .getMessage()
            .contains("format version"));
  }

  @Test
  void missingRequiredFieldIsNamed() {
    String json = "{\"v\":1,\"target\":\"b\",\"phase\":\"Healthy\"}";
    assertTrue(
        assertThrows(RolloutStateFormatException.class, () -> RolloutState.fromJson(json))
            .getMessage()
            .contains("'stable'"));
  }

  @Test
  void missingTimestampIsRejectedBecausePausesCountFromIt() {
    String json =
        RolloutState.healthy("a", T0)
            .toJson()
            .replace("\"stepStartedAt\":\"2026-01-01T00:00:00Z\",", "");
    assertTrue(
        assertThrows(RolloutStateFormatException.class, () -> RolloutState.fromJson(json))
            .getMessage()
            .contains("'stepStartedAt'"));
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
    String base = RolloutState.healthy("a", T0).toJson();
    assertThrows(
        RolloutStateFormatException.class,
        () -> RolloutState.fromJson(base.replace("\"step\":0", "\"step\":\"zero\"")));
    assertThrows(
        RolloutStateFormatException.class,
        () ->
            RolloutState.fromJson(
                base.replace("2026-01-01T00:00:00Z\",\"rollout", "yesterday\",\"rollout")));
    assertThrows(
        RolloutStateFormatException.class,
        () ->
            RolloutState.fromJson(
                base.replace("\"progressCount\":0", "\"progressCount\":0,\"failed\":\"x\"")));
  }

  @Test
  void extraFieldsFromANewerOrdinalAreIgnored() {
    String json = RolloutState.healthy("a", T0).toJson().replace("}", ",\"future\":{\"x\":1}}");
    assertEquals(RolloutState.healthy("a", T0), RolloutState.fromJson(json));
  }
}
