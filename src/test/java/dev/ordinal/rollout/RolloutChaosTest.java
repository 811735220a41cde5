package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random runs: Git commits, user commands, scale changes, broken revisions and analysis
 * verdicts thrown at the engine mid-rollout. Invariants are checked after every decision, and once
 * the chaos stops (with gates promoted) every run must settle with the pods where the phase says.
 */
class RolloutChaosTest {
  static final List<String> REVISIONS = List.of("rev-a", "rev-b", "rev-c", "rev-d");
  static final List<AnalysisVerdict> OUTCOMES =
      List.of(
          AnalysisVerdict.SUCCESSFUL,
          AnalysisVerdict.SUCCESSFUL,
          AnalysisVerdict.SUCCESSFUL,
          AnalysisVerdict.SUCCESSFUL,
          AnalysisVerdict.FAILED,
          AnalysisVerdict.INCONCLUSIVE,
          AnalysisVerdict.ERROR);

  static final RolloutSpec SPEC =
      new RolloutSpec(
          List.of(
              Step.Canary.pods(1),
              new Step.Analysis(List.of(AnalysisRef.of("error-rate"))),
              Step.Pause.of(Duration.ofSeconds(40)),
              Step.Canary.percent(50),
              Step.Pause.untilPromoted(),
              Step.Canary.percent(75)),
          Duration.ofMinutes(2),
          List.of(AnalysisRef.of("latency")));

  static Stream<Long> seeds() {
    return IntStream.rangeClosed(1, 100).mapToObj(i -> (long) i);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void invariantsHoldAndEveryRunSettles(long seed) {
    Random rnd = new Random(seed);
    Sim sim = new Sim(SPEC, 1 + rnd.nextInt(6), "rev-0");
    sim.strategy = rnd.nextInt(4) == 0 ? UpdateStrategy.ON_DELETE : UpdateStrategy.ROLLING_UPDATE;
    sim.maxUnavailable = 1 + rnd.nextInt(3);
    if (rnd.nextInt(3) == 0) {
      sim.neverReady.add(REVISIONS.get(rnd.nextInt(REVISIONS.size())));
    }
    if (rnd.nextInt(3) == 0) {
      sim.crashing.add(REVISIONS.get(rnd.nextInt(REVISIONS.size())));
    }
    sim.analysisTicks = 1 + rnd.nextInt(3);
    sim.analysisOutcome =
        id -> OUTCOMES.get(Math.floorMod((id + seed).hashCode(), OUTCOMES.size()));

    int stateOnlyInARow = 0;
    for (int i = 0; i < 600; i++) {
      boolean chaos = i < 200;
      if (chaos) {
        int roll = rnd.nextInt(100);
        if (roll < 3) {
          sim.gitChange(
              rnd.nextInt(5) == 0 ? "rev-0" : REVISIONS.get(rnd.nextInt(REVISIONS.size())));
        } else if (roll < 6) {
          sim.commands.add(Command.values()[rnd.nextInt(Command.values().length)]);
        } else if (roll < 8) {
          sim.replicas = rnd.nextInt(7);
          sim.generation++;
        }
      } else {
        RolloutState s = sim.state().orElseThrow();
        if (s.userPaused()) {
          sim.commands.add(Command.RESUME);
        } else if (s.phase() == Phase.PAUSED) {
          sim.commands.add(Command.PROMOTE);
        }
      }
      Observation obs = sim.observe();
      Action a = sim.step();
      check(sim, obs, a);
      RolloutState now = a.state();
      if (a instanceof Action.Wait
          && sim.strategy == UpdateStrategy.ROLLING_UPDATE
          && now.phase().stepping()
          && !now.targetRevision().equals(now.stableRevision())
          && obs.sts().observedGeneration() == obs.sts().generation()) {
        int replicas = obs.sts().replicas();
        assertTrue(
            obs.sts().partition() >= replicas - allowedPods(now, replicas),
            "waiting while the partition exposes too many pods: " + obs.sts() + " " + now);
      }
      stateOnlyInARow = a instanceof Action.UpdateState ? stateOnlyInARow + 1 : 0;
      if (stateOnlyInARow > 12) {
        fail("livelock: " + a.logLine());
      }
    }
    settled(sim);
  }

  static void check(Sim sim, Observation obs, Action a) {
    RolloutState s = a.state();
    int replicas = obs.sts().replicas();
    assertFalse(s.failedRevisions().contains(s.stableRevision()), "stable marked failed: " + s);
    if (a instanceof Action.SetPartition) {
      int p = ((Action.SetPartition) a).partition();
      assertTrue(p >= 0 && p <= replicas, "partition " + p + " of " + replicas);
      assertEquals(UpdateStrategy.ROLLING_UPDATE, obs.sts().strategy());
      if (s.phase() == Phase.DEGRADED || s.phase() == Phase.ROLLED_BACK) {
        assertEquals(replicas, p, "a rollback only ever holds");
      }
    }
    if (s.phase().stepping() && !s.targetRevision().equals(s.stableRevision())) {
      // canary discipline: never expose more pods to the new revision than the step allows
      int allowed = allowedPods(s, replicas);
      if (a instanceof Action.SetPartition) {
        int p = ((Action.SetPartition) a).partition();
        assertTrue(p == replicas || p == replicas - allowed, "partition " + p + " at " + s);
      }
      if (a instanceof Action.DeletePod && a.event().reason().equals("CanaryStep")) {
        String pod = ((Action.DeletePod) a).podName();
        int ordinal = Integer.parseInt(pod.substring(pod.lastIndexOf('-') + 1));
        assertTrue(ordinal >= replicas - allowed, pod + " beyond the step at " + s);
      }
    }
    if (a instanceof Action.DeletePod) {
      Action.DeletePod d = (Action.DeletePod) a;
      assertTrue(obs.pods().stream().noneMatch(PodView::terminating), "one pod at a time");
      assertTrue(
          obs.pods().stream()
              .anyMatch(p -> p.name().equals(d.podName()) && p.revision().equals(d.podRevision())),
          "deletes a pod it saw");
    }
  }

  static int allowedPods(RolloutState s, int replicas) {
    if (s.stepIndex() >= SPEC.steps().size()) {
      return replicas;
    }
    // the largest canary at or before the current step (pauses and analyses keep the last one)
    int allowed = 0;
    for (int i = 0; i <= s.stepIndex(); i++) {
      if (SPEC.steps().get(i) instanceof Step.Canary) {
        allowed = ((Step.Canary) SPEC.steps().get(i)).canaryCount(replicas);
      }
    }
    return allowed;
  }

  static void settled(Sim sim) {
    RolloutState s = sim.state().orElseThrow();
    List<PodView> pods = List.copyOf(sim.pods.values());
    Map<String, Object> where = Map.of("state", s, "pods", pods, "strategy", sim.strategy);
    // A broken revision can become stable when the controller adopts it (scale to zero); the
    // engine manages where pods run, not whether a stable revision is healthy.
    boolean stableBroken =
        sim.neverReady.contains(s.stableRevision()) || sim.crashing.contains(s.stableRevision());
    if (stableBroken && s.phase() != Phase.HEALTHY && s.phase() != Phase.ROLLED_BACK) {
      return; // restores wait for stable pods to be Ready, which a broken stable never is
    }
    switch (s.phase()) {
      case HEALTHY:
        assertTrue(
            pods.stream()
                .allMatch(
                    p ->
                        p.revision().equals(s.stableRevision()) && (p.available() || stableBroken)),
            "healthy but pods elsewhere: " + where);
        assertEquals(s.stableRevision(), s.targetRevision());
        break;
      case ROLLED_BACK:
        // OnDelete cannot put pods back (they return on the template's revision), only hold them
        if (sim.strategy == UpdateStrategy.ROLLING_UPDATE) {
          assertTrue(
              pods.stream()
                  .allMatch(
                      p ->
                          p.revision().equals(s.stableRevision())
                              && (p.available() || stableBroken)),
              "rolled back but pods elsewhere: " + where);
        }
        break;
      case DEGRADED:
        // only where pods cannot be restored by deletion
        assertTrue(
            sim.strategy == UpdateStrategy.ON_DELETE
                || stableBroken
                || !sim.currentRevision.equals(s.stableRevision()),
            "stuck degraded: " + where);
        break;
      default:
        // steps still running: only acceptable while a broken target keeps pods un-Ready
        // and the engine is on its way to the deadline - which 400 quiet ticks exceed.
        fail("not settled: " + where);
    }
  }
}
