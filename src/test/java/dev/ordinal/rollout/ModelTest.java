package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelTest {

  @ParameterizedTest(name = "{1}% of {0} replicas = {2} pods")
  @CsvSource({
    "5, 20, 1",
    "5, 1, 1",
    "5, 21, 2",
    "5, 100, 5",
    "10, 25, 3",
    "3, 50, 2",
    "1, 10, 1",
    "0, 50, 0",
    "7, 99, 7"
  })
  void percentCanaryRoundsUpToAtLeastOnePod(int replicas, int percent, int expected) {
    assertEquals(expected, Step.Canary.percent(percent).canaryCount(replicas));
  }

  @ParameterizedTest(name = "{1} pods of {0} replicas = {2}")
  @CsvSource({"5, 1, 1", "5, 5, 5", "3, 10, 3", "0, 2, 0"})
  void fixedCanaryIsCappedAtReplicas(int replicas, int pods, int expected) {
    assertEquals(expected, Step.Canary.pods(pods).canaryCount(replicas));
  }

  @Test
  void invalidStepsAreRejectedWhenTheSpecIsRead() {
    assertThrows(IllegalArgumentException.class, () -> new Step.Canary(1, 10));
    assertThrows(IllegalArgumentException.class, () -> new Step.Canary(null, null));
    assertThrows(IllegalArgumentException.class, () -> Step.Canary.pods(0));
    assertThrows(IllegalArgumentException.class, () -> Step.Canary.percent(0));
    assertThrows(IllegalArgumentException.class, () -> Step.Canary.percent(101));
    assertThrows(IllegalArgumentException.class, () -> Step.Pause.of(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new Step.Analysis(List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RolloutSpec(List.of(), Duration.ofSeconds(-1), List.of()));
    assertThrows(IllegalArgumentException.class, () -> AnalysisRef.of(" "));
  }

  @Test
  void specDefaultsAndDefensiveCopies() {
    List<Step> steps = new ArrayList<>(List.of(Step.Canary.pods(1)));
    RolloutSpec spec = new RolloutSpec(steps, null, null);
    steps.add(Step.Pause.untilPromoted());
    assertEquals(1, spec.steps().size());
    assertEquals(RolloutSpec.DEFAULT_PROGRESS_DEADLINE, spec.progressDeadline());
    assertEquals(List.of(), spec.backgroundAnalysis());
    Map<String, String> args = new HashMap<>(Map.of("b", "2", "a", "1"));
    AnalysisRef ref = new AnalysisRef("t", args);
    args.put("c", "3");
    assertEquals(List.of("a", "b"), List.copyOf(ref.args().keySet()));
  }

  @Test
  void commandsParseTheirUserSpelling() {
    assertEquals(Optional.of(Command.PROMOTE_FULL), Command.parse("promote-full"));
    assertEquals(Optional.of(Command.ABORT), Command.parse(" Abort "));
    assertEquals(Optional.empty(), Command.parse("explode"));
    assertEquals(Optional.empty(), Command.parse(null));
    assertEquals("promote-full", Command.PROMOTE_FULL.displayName());
  }

  @Test
  void phasesHaveArgoDisplayNames() {
    assertEquals(
        List.of("Healthy", "Progressing", "Paused", "Degraded", "RolledBack"),
        Arrays.stream(Phase.values()).map(Phase::displayName).toList());
    assertEquals(Optional.of(Phase.ROLLED_BACK), Phase.fromDisplayName("RolledBack"));
    assertTrue(Phase.PAUSED.stepping());
  }

  @Test
  void observationIsOrderIndependentAndImmutable() {
    StatefulSetView sts =
        new StatefulSetView("prod", "db", 2, UpdateStrategy.ROLLING_UPDATE, 2, 1, "a", "a", 1, 1);
    List<PodView> pods =
        new ArrayList<>(
            List.of(
                new PodView("db-1", 1, "a", true, 0, false),
                new PodView("db-0", 0, "a", true, 0, false)));
    Observation obs = new Observation(Instant.EPOCH, sts, pods, null, null);
    pods.clear();
    assertEquals(List.of(0, 1), obs.pods().stream().map(PodView::ordinal).toList());
    assertEquals(Map.of(), obs.verdicts());
    assertEquals(Set.of(), obs.commands());
    assertThrows(UnsupportedOperationException.class, () -> obs.pods().clear());
    assertEquals("prod/db", sts.key());
  }

  @Test
  void failedAndErrorVerdictsBothCountAsFailure() {
    assertTrue(AnalysisVerdict.FAILED.failed());
    assertTrue(AnalysisVerdict.ERROR.failed());
    assertEquals(false, AnalysisVerdict.INCONCLUSIVE.failed());
  }

  @Test
  void durationsRenderTheWayUsersWriteThem() {
    assertEquals("5m", RolloutEngine.human(Duration.ofMinutes(5)));
    assertEquals("1h30m", RolloutEngine.human(Duration.ofMinutes(90)));
    assertEquals("45s", RolloutEngine.human(Duration.ofSeconds(45)));
    assertEquals("1h0m5s".replace("0m", ""), RolloutEngine.human(Duration.ofSeconds(3605)));
  }
}
