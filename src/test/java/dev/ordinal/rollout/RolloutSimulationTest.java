package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole rollouts against {@link Sim}'s controller model. Every decision in every run is also
 * re-made from the persisted JSON and after simulated crashes (see {@link Sim#step}), and {@link
 * Sim#apply} fails on any skipped or repeated step.
 */
class RolloutSimulationTest {
  static final String S = "db-stable";
  static final String T = "db-new";
  static final String T2 = "db-newer";
  static final int MAX = 400;

  /** Three canary steps and a timed pause. */
  static final RolloutSpec HAPPY =
      new RolloutSpec(
          List.of(
              Step.Canary.pods(1),
              Step.Canary.percent(40),
              Step.Pause.of(Duration.ofMinutes(1)),
              Step.Canary.percent(80)),
          Duration.ofMinutes(3),
          List.of());

  static final RolloutSpec GATED =
      new RolloutSpec(
          List.of(Step.Canary.pods(1), Step.Pause.untilPromoted(), Step.Canary.percent(60)),
          Duration.ofMinutes(3),
          List.of());

  static final RolloutSpec ANALYSED =
      new RolloutSpec(
          List.of(
              Step.Canary.pods(1),
              new Step.Analysis(List.of(new AnalysisRef("error-rate", Map.of("service", "db")))),
              Step.Canary.percent(60)),
          Duration.ofMinutes(3),
          List.of(AnalysisRef.of("latency")));

  static Sim sim(RolloutSpec spec, int replicas) {
    Sim sim = new Sim(spec, replicas, S);
    sim.step(); // Ordinal starts tracking the healthy set
    return sim;
  }

  static void assertAllOn(Sim sim, String revision) {
    assertEquals(sim.replicas, sim.pods.size());
    sim.pods
        .values()
        .forEach(
            p ->
                assertTrue(
                    p.revision().equals(revision) && p.available(), p + " not on " + revision));
  }

  static List<Integer> partitions(Sim sim) {
    return sim.actions.stream()
        .filter(a -> a instanceof Action.SetPartition)
        .map(a -> ((Action.SetPartition) a).partition())
        .toList();
  }

  // ---- the table: every scenario ends in a known phase with known facts ----

  record Scenario(RolloutSpec spec, int replicas, Consumer<Sim> run) {}

  static Stream<Arguments> scenarios() {
    return Stream.of(
        scenario(
            "happy path: 3 canary steps and a timed pause",
            HAPPY,
            5,
            sim -> {
              sim.gitChange(T).runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, T);
              assertEquals(T, sim.state().orElseThrow().stableRevision());
              assertEquals(List.of(5, 4, 3, 1, 0).subList(1, 5), partitions(sim));
              assertEquals(4, sim.count("StepCompleted"));
              assertEquals(1, sim.count("RolloutCompleted"));
              assertTrue(sim.deletedPods().isEmpty(), "a clean rollout never deletes pods itself");
            }),
        scenario(
            "manual gate, then promote",
            GATED,
            5,
            sim -> {
              sim.gitChange(T).runUntil(s -> s.phase() == Phase.PAUSED && s.stepIndex() == 1, MAX);
              for (int i = 0; i < 20; i++) {
                sim.step();
              }
              assertEquals(
                  1, sim.state().orElseThrow().stepIndex(), "a gate holds without promote");
              assertEquals(
                  1, sim.pods.values().stream().filter(p -> p.revision().equals(T)).count());
              sim.commands.add(Command.PROMOTE);
              sim.runUntilPhase(Phase.HEALTHY, MAX);
              assertTrue(sim.commands.isEmpty(), "promote consumed");
              assertEquals(1, sim.count("Promoted"));
              assertAllOn(sim, T);
            }),
        scenario(
            "never-ready canary: deadline, then rollback",
            HAPPY,
            5,
            sim -> {
              sim.neverReady.add(T);
              sim.gitChange(T).runUntilPhase(Phase.ROLLED_BACK, MAX);
              assertAllOn(sim, S);
              assertEquals(1, sim.count("ProgressDeadlineExceeded"));
              assertEquals(List.of("db-4"), sim.deletedPods());
              assertTrue(sim.state().orElseThrow().failedRevisions().contains(T));
            }),
        scenario(
            "crash-looping canary: rollback before the deadline",
            HAPPY,
            5,
            sim -> {
              sim.crashing.add(T);
              sim.gitChange(T).runUntilPhase(Phase.ROLLED_BACK, MAX);
              assertAllOn(sim, S);
              assertEquals(1, sim.count("CrashLoop"));
              assertTrue(sim.now.isBefore(Sim.T0.plus(HAPPY.progressDeadline())));
            }),
        scenario(
            "abort mid-way restores pods one at a time, highest first",
            HAPPY,
            5,
            sim -> {
              sim.gitChange(T).runUntil(s -> s.stepIndex() == 2, MAX);
              sim.commands.add(Command.ABORT);
              sim.runUntilPhase(Phase.ROLLED_BACK, MAX);
              assertEquals(List.of("db-4", "db-3"), sim.deletedPods());
              assertAllOn(sim, S);
              assertTrue(sim.commands.isEmpty());
              int before = sim.actions.size();
              for (int i = 0; i < 10; i++) {
                sim.step();
              }
              assertTrue(
                  sim.actions.subList(before, sim.actions.size()).stream()
                      .allMatch(a -> a instanceof Action.Wait),
                  "a failed revision is not retried");
              assertEquals(5, sim.partition);
            }),
        scenario(
            "retry after rollback runs the whole rollout again",
            HAPPY,
            5,
            sim -> {
              sim.gitChange(T).runUntil(s -> s.stepIndex() == 1, MAX);
              sim.commands.add(Command.ABORT);
              sim.runUntilPhase(Phase.ROLLED_BACK, MAX);
              sim.commands.add(Command.RETRY);
              sim.runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, T);
              assertEquals(2, sim.state().orElseThrow().rollout());
              assertFalse(sim.state().orElseThrow().failedRevisions().contains(T));
            }),
        scenario(
            "failed step analysis rolls back",
            ANALYSED,
            5,
            sim -> {
              sim.analysisOutcome =
                  id -> id.endsWith("step-2") ? AnalysisVerdict.FAILED : AnalysisVerdict.RUNNING;
              sim.gitChange(T).runUntilPhase(Phase.ROLLED_BACK, MAX);
              assertAllOn(sim, S);
              assertEquals(1, sim.count("AnalysisFailed"));
              assertTrue(
                  sim.count("AnalysisStopped") >= 1, "background run stopped after the rollback");
              assertFalse(sim.verdicts.containsValue(AnalysisVerdict.RUNNING));
            }),
        scenario(
            "background analysis failure at a later step rolls back",
            ANALYSED,
            5,
            sim -> {
              sim.analysisTicks = 4;
              sim.analysisOutcome =
                  id ->
                      id.endsWith("background")
                          ? AnalysisVerdict.FAILED
                          : AnalysisVerdict.SUCCESSFUL;
              sim.gitChange(T).runUntilPhase(Phase.ROLLED_BACK, MAX);
              assertAllOn(sim, S);
              assertTrue(sim.state().orElseThrow().reason().contains("background"));
            }),
        scenario(
            "inconclusive analysis, promoted by a user",
            ANALYSED,
            5,
            sim -> {
              sim.analysisOutcome =
                  id ->
                      id.endsWith("step-2")
                          ? AnalysisVerdict.INCONCLUSIVE
                          : AnalysisVerdict.RUNNING;
              sim.gitChange(T).runUntil(s -> s.phase() == Phase.PAUSED, MAX);
              sim.commands.add(Command.PROMOTE);
              sim.runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, T);
              assertTrue(
                  sim.state()
                      .orElseThrow()
                      .verdicts()
                      .contains(
                          new VerdictRecord(2, "error-rate", AnalysisVerdict.INCONCLUSIVE, true)),
                  sim.state().orElseThrow().verdicts().toString());
            }),
        scenario(
            "supersede mid-rollout restores the intermediate revision, then rolls out the newer"
                + " one",
            HAPPY,
            5,
            sim -> {
              sim.gitChange(T).runUntil(s -> s.stepIndex() == 2, MAX);
              sim.gitChange(T2).runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, T2);
              assertEquals(List.of("db-4", "db-3"), sim.deletedPods());
              assertEquals(1, sim.count("Superseded"));
              assertFalse(sim.state().orElseThrow().failedRevisions().contains(T));
              assertEquals(T2, sim.state().orElseThrow().stableRevision());
            }),
        scenario(
            "Git reverted mid-rollout: back to stable without canary steps",
            HAPPY,
            5,
            sim -> {
              sim.gitChange(T).runUntil(s -> s.stepIndex() == 2, MAX);
              sim.gitChange(S).runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, S);
              assertEquals(1, sim.count("Reverted"));
            }),
        scenario(
            "scale-up mid-rollout recomputes the canary",
            HAPPY,
            5,
            sim -> {
              sim.gitChange(T).runUntil(s -> s.stepIndex() == 2, MAX); // 40% of 5 = 2 pods done
              sim.replicas = 10;
              sim.generation++;
              sim.runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, T);
              assertTrue(
                  partitions(sim).contains(2),
                  "80% of 10 pods: partition 2, got " + partitions(sim));
            }),
        scenario(
            "scale-down mid-rollout keeps the partition within replicas",
            HAPPY,
            5,
            sim -> {
              sim.gitChange(T).runUntil(s -> s.stepIndex() == 2, MAX);
              sim.replicas = 2;
              sim.generation++;
              sim.runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, T);
              assertTrue(partitions(sim).stream().allMatch(p -> p >= 0 && p <= 5));
            }),
        scenario(
            "OnDelete: pods moved by deletion, one at a time, highest first",
            HAPPY,
            5,
            sim -> {
              sim.strategy = UpdateStrategy.ON_DELETE;
              sim.gitChange(T).runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, T);
              assertEquals(List.of("db-4", "db-3", "db-2", "db-1", "db-0"), sim.deletedPods());
              assertTrue(partitions(sim).isEmpty(), "the partition means nothing under OnDelete");
              assertEquals(1, sim.maxUnavailableSeen);
            }),
        scenario(
            "maxUnavailable 3: the controller moves batches, the engine waits them out",
            HAPPY,
            10,
            sim -> {
              sim.maxUnavailable = 3;
              sim.gitChange(T).runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, T);
              assertEquals(3, sim.maxUnavailableSeen);
              assertEquals(List.of(9, 6, 2, 0), partitions(sim));
            }),
        scenario(
            "promote-full skips the remaining steps",
            GATED,
            5,
            sim -> {
              sim.gitChange(T).runUntil(s -> s.stepIndex() == 1, MAX);
              sim.commands.add(Command.PROMOTE_FULL);
              sim.runUntilPhase(Phase.HEALTHY, MAX);
              assertAllOn(sim, T);
              assertEquals(List.of(4, 0), partitions(sim));
            }),
        scenario(
            "pause and resume hold the rollout in place",
            HAPPY,
            5,
            sim -> {
              sim.gitChange(T).runUntil(s -> s.stepIndex() == 1, MAX);
              sim.commands.add(Command.PAUSE);
              for (int i = 0; i < 100; i++) {
                sim.step(); // 100 ticks: far past the deadline, which must not count while paused
              }
              assertEquals(Phase.PAUSED, sim.state().orElseThrow().phase());
              sim.commands.add(Command.RESUME);
              sim.runUntilPhase(Phase.HEALTHY, MAX);
              assertEquals(0, sim.count("ProgressDeadlineExceeded"));
            }));
  }

  static Arguments scenario(String name, RolloutSpec spec, int replicas, Consumer<Sim> run) {
    return Arguments.of(Named.of(name, new Scenario(spec, replicas, run)));
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void wholeRollout(Scenario scenario) {
    scenario.run().accept(sim(scenario.spec(), scenario.replicas()));
  }

  /**
   * Ordinal killed after every action: a fresh engine decides from the persisted JSON each time (as
   * {@link Sim} always does) and additionally every action is once lost before it took effect. The
   * run must see the same sequence of events as an uninterrupted one.
   */
  @ParameterizedTest
  @MethodSource("scenarios")
  void crashAfterEveryActionChangesNothing(Scenario scenario) {
    Sim clean = sim(scenario.spec(), scenario.replicas());
    scenario.run().accept(clean);

    Sim crashy = new CrashingSim(scenario.spec(), scenario.replicas());
    crashy.step();
    scenario.run().accept(crashy);
    assertEquals(clean.events(), crashy.events());
    assertEquals(clean.state(), crashy.state());
  }

  /** Loses every non-Wait action once (the executor died before writing), then re-decides. */
  static final class CrashingSim extends Sim {
    CrashingSim(RolloutSpec spec, int replicas) {
      super(spec, replicas, S);
    }

    @Override
    Action step() {
      Action lost = decide();
      if (!(lost instanceof Action.Wait)) {
        Action again = decide(); // restarted Ordinal, same observation
        assertEquals(lost, again);
      }
      return super.step();
    }
  }

  @Test
  void partitionNeverLeavesItsBoundsInAnyScenario() {
    scenarios()
        .forEach(
            args -> {
              Scenario s = (Scenario) ((Named<?>) args.get()[0]).getPayload();
              Sim sim = sim(s.spec(), s.replicas());
              s.run().accept(sim);
              assertTrue(
                  partitions(sim).stream().allMatch(p -> p >= 0 && p <= 10),
                  partitions(sim).toString());
            });
  }

  @Test
  void longRolloutOfManyPodsDoesNotTripTheDeadline() {
    // 30 pods at 2 ticks each far exceed the 3m deadline in total, but each pod is progress.
    Sim sim = sim(HAPPY, 30);
    sim.gitChange(T).runUntilPhase(Phase.HEALTHY, 2000);
    assertAllOn(sim, T);
    assertTrue(IntStream.of(0).allMatch(i -> sim.count("ProgressDeadlineExceeded") == 0));
  }
}
