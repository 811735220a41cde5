package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A tiny StatefulSet controller, kubelet and analysis runner: enough of the cluster to drive whole
 * rollouts through the engine. Unit tests also use it as a mutable observation builder.
 */
class Sim {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  final RolloutSpec spec;
  Instant now = T0;
  Duration tick = Duration.ofSeconds(10);
  String namespace = "prod";
  String name = "db";
  int replicas;
  UpdateStrategy strategy = UpdateStrategy.ROLLING_UPDATE;
  int partition;
  int maxUnavailable = 1;
  String currentRevision;
  String updateRevision;
  long generation = 1;
  long observedGeneration = 1;
  final TreeMap<Integer, PodView> pods = new TreeMap<>();
  final Map<String, AnalysisVerdict> verdicts = new TreeMap<>();
  final Map<String, List<String>> failedMetrics = new TreeMap<>();
  final Set<Command> commands = EnumSet.noneOf(Command.class);
  final Map<Command, String> commandArgs = new TreeMap<>();

  // ---- the volume side: claims, snapshot sets, hooks ----

  List<String> claimTemplates = List.of();
  boolean claimsDeletedOnScaleDown;
  final Map<String, BackupView.SnapshotSet> sets = new TreeMap<>();
  final Map<String, BackupView.HookRun> hooks = new TreeMap<>();
  final Map<String, BackupView.Claim> claims = new TreeMap<>();

  /** Claims the controller made empty, from a template, for a pod it created. */
  final List<String> emptyClaimsMade = new ArrayList<>();

  /** Why a claim's snapshot fails ("" when it does not). */
  Function<String, String> snapshotFailure = claim -> "";

  /** Claims whose snapshots are taken but never become ready. */
  final Set<String> stuckSnapshots = new HashSet<>();

  /** The outcome of a hook run, by run id. */
  Function<String, BackupView.HookPhase> hookOutcome = id -> BackupView.HookPhase.SUCCEEDED;

  private int claimUids;

  /** Pods of these revisions never become Ready. */
  final Set<String> neverReady = new HashSet<>();

  /** Pods of these revisions restart every tick and never become Ready. */
  final Set<String> crashing = new HashSet<>();

  /** Verdict an analysis run reaches after {@link #analysisTicks}. */
  Function<String, AnalysisVerdict> analysisOutcome = id -> AnalysisVerdict.SUCCESSFUL;

  int analysisTicks = 2;
  private final Map<String, Integer> runAge = new HashMap<>();

  /** The persisted annotation, always through JSON as in the cluster. */
  String storedJson;

  final List<Action> actions = new ArrayList<>();

  /** When set, every decision is also re-made after a simulated crash and must come out equal. */
  boolean crashChecks = true;

  Sim(RolloutSpec spec, int replicas, String revision) {
    this.spec = spec;
    this.replicas = replicas;
    this.partition = 0;
    this.currentRevision = revision;
    this.updateRevision = revision;
    for (int i = 0; i < replicas; i++) {
      pods.put(i, new PodView(name + "-" + i, i, revision, true, 0, false));
    }
  }

  Optional<RolloutState> state() {
    return storedJson == null ? Optional.empty() : Optional.of(RolloutState.fromJson(storedJson));
  }

  void store(RolloutState s) {
    storedJson = s.toJson();
  }

  StatefulSetView stsView() {
    return new StatefulSetView(
        namespace,
        name,
        replicas,
        strategy,
        partition,
        maxUnavailable,
        currentRevision,
        updateRevision,
        generation,
        observedGeneration,
        0,
        0,
        RolloutSource.UNKNOWN,
        null,
        claimTemplates,
        claimsDeletedOnScaleDown);
  }

  Observation observe() {
    return new Observation(
        now,
        stsView(),
        new ArrayList<>(pods.values()),
        verdicts,
        commands,
        commandArgs,
        new BackupView(sets, hooks, claims),
        failedMetrics);
  }

  /** Gives the pods claims of these templates (call before the state exists). */
  Sim withClaims(String... templates) {
    claimTemplates = List.of(templates);
    for (int o = 0; o < replicas; o++) {
      makeClaims(o, "");
    }
    return this;
  }

  private void makeClaims(int ordinal, String restoreId) {
    for (String t : claimTemplates) {
      String claim = t + "-" + name + "-" + ordinal;
      if (!claims.containsKey(claim)) {
        claims.put(claim, new BackupView.Claim(claim, "uid-" + (++claimUids), false, restoreId));
        if (restoreId.isEmpty() && actions.size() > 0) {
          emptyClaimsMade.add(claim);
        }
      }
    }
  }

  private boolean claimTerminating(int ordinal) {
    return claimTemplates.stream()
        .map(t -> claims.get(t + "-" + name + "-" + ordinal))
        .anyMatch(c -> c != null && c.terminating());
  }

  Action decide() {
    return RolloutEngine.decide(spec, state(), observe());
  }

  // ---- pod helpers for unit tests ----

  Sim pod(int ordinal, String revision, boolean ready, int restarts, boolean terminating) {
    pods.put(
        ordinal,
        new PodView(name + "-" + ordinal, ordinal, revision, ready, restarts, terminating));
    return this;
  }

  Sim podsOn(String revision, int fromOrdinal) {
    for (int i = fromOrdinal; i < replicas; i++) {
      pod(i, revision, true, 0, false);
    }
    return this;
  }

  /** What the executor does for a Git change: hold the partition, then apply the template. */
  Sim gitChange(String revision) {
    if (strategy == UpdateStrategy.ROLLING_UPDATE) {
      partition = replicas;
    }
    updateRevision = revision;
    generation++;
    return this;
  }

  // ---- applying actions ----

  void apply(Action a) {
    Optional<RolloutState> prev = state();
    RolloutState next = a.state();
    if (prev.isPresent()
        && prev.get().rollout() == next.rollout()
        && prev.get().stepIndex() != next.stepIndex()) {
      // never skip or repeat a step: one step forward, or a user's promote-full to full promotion
      boolean oneForward = next.stepIndex() == prev.get().stepIndex() + 1;
      boolean promotedFull =
          a.consumes().contains(Command.PROMOTE_FULL) && next.stepIndex() == spec.steps().size();
      if (!oneForward && !promotedFull) {
        fail(
            "step jumped from "
                + prev.get().stepIndex()
                + " to "
                + next.stepIndex()
                + " by "
                + a.logLine());
      }
    }
    commands.removeAll(a.consumes());
    store(a.state());
    if (a instanceof Action.SetPartition) {
      partition = ((Action.SetPartition) a).partition();
      generation++;
    } else if (a instanceof Action.DeletePod) {
      String pod = ((Action.DeletePod) a).podName();
      pods.replaceAll(
          (o, p) ->
              p.name().equals(pod)
                  ? new PodView(
                      p.name(), p.ordinal(), p.revision(), p.ready(), p.restartCount(), true)
                  : p);
    } else if (a instanceof Action.StartAnalysis) {
      String id = ((Action.StartAnalysis) a).runId();
      if (!verdicts.containsKey(id)) {
        verdicts.put(id, AnalysisVerdict.RUNNING);
        runAge.put(id, 0);
      }
    } else if (a instanceof Action.StopAnalysis) {
      verdicts.remove(((Action.StopAnalysis) a).runId());
    } else if (a instanceof Action.SetReplicas scale) {
      replicas = scale.replicas();
      if (scale.partition() != null) {
        partition = scale.partition();
      }
      generation++;
    } else if (a instanceof Action.Volume volume) {
      applyVolume(volume.op());
    }
  }

  /** What the backup side does for a request; snapshots and hooks finish on later ticks. */
  private void applyVolume(VolumeOp op) {
    if (op instanceof VolumeOp.RunHook hook) {
      hooks.putIfAbsent(hook.runId(), new BackupView.HookRun(BackupView.HookPhase.RUNNING, ""));
    } else if (op instanceof VolumeOp.TakeSnapshots take) {
      BackupView.SnapshotSet set =
          sets.getOrDefault(
              take.backupId(),
              new BackupView.SnapshotSet(
                  take.backupId(),
                  now,
                  take.claims().size(),
                  take.revision(),
                  take.commit(),
                  Map.of()));
      Map<String, BackupView.Snapshot> byClaim = new TreeMap<>(set.byClaim());
      for (String claim : take.claims()) {
        byClaim.putIfAbsent(
            claim, new BackupView.Snapshot(claim + "-snap", false, false, "", false));
      }
      sets.put(take.backupId(), withSnapshots(set, byClaim));
    } else if (op instanceof VolumeOp.DeleteSet delete) {
      sets.remove(delete.backupId());
    } else if (op instanceof VolumeOp.DeleteClaim delete) {
      BackupView.Claim c = claims.get(delete.claim());
      if (c != null && c.uid().equals(delete.uid())) {
        claims.put(c.name(), new BackupView.Claim(c.name(), c.uid(), true, c.restoreId()));
      }
    } else if (op instanceof VolumeOp.RestoreClaim restore) {
      claims.putIfAbsent(
          restore.claim(),
          new BackupView.Claim(
              restore.claim(), "uid-" + (++claimUids), false, restore.restoreId()));
    }
  }

  private static BackupView.SnapshotSet withSnapshots(
      BackupView.SnapshotSet set, Map<String, BackupView.Snapshot> byClaim) {
    return new BackupView.SnapshotSet(
        set.id(), set.createdAt(), set.size(), set.revision(), set.commit(), byClaim);
  }

  /** The snapshotter and hook runners move one tick. */
  private void volumeTick() {
    hooks.replaceAll(
        (id, run) ->
            run.phase() == BackupView.HookPhase.RUNNING
                ? new BackupView.HookRun(
                    hookOutcome.apply(id),
                    hookOutcome.apply(id) == BackupView.HookPhase.FAILED ? "exit 1" : "")
                : run);
    sets.replaceAll(
        (id, set) -> {
          Map<String, BackupView.Snapshot> byClaim = new TreeMap<>();
          set.byClaim()
              .forEach(
                  (claim, snap) -> {
                    String failure = snapshotFailure.apply(claim);
                    byClaim.put(
                        claim,
                        !failure.isEmpty()
                            ? new BackupView.Snapshot(snap.name(), false, false, failure, false)
                            : new BackupView.Snapshot(
                                snap.name(), true, !stuckSnapshots.contains(claim), "", false));
                  });
          return withSnapshots(set, byClaim);
        });
  }

  /** Applies an action as if the controller had already observed it (for unit tests). */
  void applySynced(Action a) {
    apply(a);
    observedGeneration = generation;
  }

  /** One decision: decide, check it survives a crash, apply it, let the cluster move. */
  Action step() {
    Observation obs = observe();
    Optional<RolloutState> before = state();
    Action a = RolloutEngine.decide(spec, before, obs);
    if (crashChecks) {
      // Crash before the write: the same inputs must give the same action.
      assertEquals(
          a,
          RolloutEngine.decide(spec, before.map(s -> RolloutState.fromJson(s.toJson())), obs),
          "not deterministic");
      // Crash after the state write but before a pod deletion or run start took effect: same
      // request again.
      if (a instanceof Action.DeletePod
          || a instanceof Action.StartAnalysis
          || a instanceof Action.Volume) {
        Action again =
            RolloutEngine.decide(spec, Optional.of(RolloutState.fromJson(a.state().toJson())), obs);
        assertEquals(a, again, "re-decision after a crash differs");
      }
    }
    actions.add(a);
    apply(a);
    if (a instanceof Action.Wait || a instanceof Action.StopAnalysis) {
      advanceTime(a);
    } else if (a instanceof Action.SetPartition || a instanceof Action.SetReplicas) {
      controllerTick();
    }
    return a;
  }

  private void advanceTime(Action a) {
    now = now.plus(tick);
    controllerTick();
  }

  /** Runs until the predicate holds on the stored state; fails after {@code maxSteps}. */
  Sim runUntil(Predicate<RolloutState> done, int maxSteps) {
    for (int i = 0; i < maxSteps; i++) {
      Action a = step();
      // phases change only through state-changing actions; a Wait still shows the state from before
      if (!(a instanceof Action.Wait) && state().isPresent() && done.test(state().get())) {
        return this;
      }
    }
    fail(
        "not done after "
            + maxSteps
            + " decisions; last: "
            + actions.subList(Math.max(0, actions.size() - 5), actions.size()).stream()
                .map(Action::logLine)
                .toList());
    return this;
  }

  Sim runUntilPhase(Phase phase, int maxSteps) {
    return runUntil(s -> s.phase() == phase, maxSteps);
  }

  List<String> events() {
    return actions.stream()
        .filter(a -> !(a instanceof Action.Wait))
        .map(a -> a.event().reason())
        .toList();
  }

  long count(String eventReason) {
    return events().stream().filter(eventReason::equals).count();
  }

  List<String> deletedPods() {
    return actions.stream()
        .filter(a -> a instanceof Action.DeletePod)
        .map(a -> ((Action.DeletePod) a).podName())
        .toList();
  }

  private static int ordinalOf(String claim) {
    return Integer.parseInt(claim.substring(claim.lastIndexOf('-') + 1));
  }

  // ---- the controller, kubelet and runner ----

  /** The most pods that were unavailable at once, to see maxUnavailable batches happen. */
  int maxUnavailableSeen;

  void controllerTick() {
    observedGeneration = generation;
    maxUnavailableSeen =
        Math.max(
            maxUnavailableSeen,
            (int) pods.values().stream().filter(p -> !p.available()).count()
                + (replicas - pods.size()));
    for (Map.Entry<String, Integer> e : runAge.entrySet()) {
      if (verdicts.get(e.getKey()) == AnalysisVerdict.RUNNING) {
        e.setValue(e.getValue() + 1);
        if (e.getValue() >= analysisTicks) {
          verdicts.put(e.getKey(), analysisOutcome.apply(e.getKey()));
        }
      }
    }
    // kubelet: pods that exist become Ready unless their revision is broken
    pods.replaceAll(
        (o, p) -> {
          if (p.terminating() || p.ready()) {
            return p;
          }
          if (crashing.contains(p.revision())) {
            return new PodView(p.name(), o, p.revision(), false, p.restartCount() + 1, false);
          }
          return neverReady.contains(p.revision())
              ? p
              : new PodView(p.name(), o, p.revision(), true, p.restartCount(), false);
        });
    volumeTick();
    pods.values().removeIf(PodView::terminating);
    for (int o : new ArrayList<>(pods.keySet())) {
      if (o >= replicas) {
        pods.remove(o);
        if (claimsDeletedOnScaleDown) {
          for (String t : claimTemplates) {
            claims.remove(t + "-" + name + "-" + o);
          }
        }
      }
    }
    // pvc-protection: a claim being deleted goes once its pod is gone
    claims.values().removeIf(c -> c.terminating() && !pods.containsKey(ordinalOf(c.name())));
    for (int o = 0; o < replicas; o++) {
      if (!pods.containsKey(o) && claimTerminating(o)) {
        continue; // the controller cannot create a pod whose claim is being deleted
      }
      if (!pods.containsKey(o)) {
        makeClaims(o, "");
        // newVersionedStatefulSetPod: below the partition from currentRevision, else updateRevision
        boolean current = strategy == UpdateStrategy.ROLLING_UPDATE && o < partition;
        pods.put(
            o,
            new PodView(
                name + "-" + o, o, current ? currentRevision : updateRevision, false, 0, false));
      }
    }
    if (strategy == UpdateStrategy.ROLLING_UPDATE) {
      int unavailable = (int) pods.values().stream().filter(p -> !p.available()).count();
      for (int o = replicas - 1; o >= partition && unavailable < maxUnavailable; o--) {
        PodView p = pods.get(o);
        if (!p.revision().equals(updateRevision) && !p.terminating()) {
          pods.put(o, new PodView(p.name(), o, p.revision(), p.ready(), p.restartCount(), true));
          unavailable++;
        }
      }
      if (pods.values().stream()
          .allMatch(p -> p.revision().equals(updateRevision) && p.available())) {
        currentRevision = updateRevision;
      }
    }
  }
}
