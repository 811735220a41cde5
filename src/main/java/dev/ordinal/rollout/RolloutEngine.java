package dev.ordinal.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Decides the next rollout action for one StatefulSet. Pure and deterministic: the same spec, state
 * and observation always give an equal action, so an Ordinal that dies after any action and decides
 * again on what it persisted neither repeats nor skips a step.
 *
 * <p>Order of concerns in one decision: bootstrap a missing state; wait for the controller to catch
 * up with the spec; react to a new update revision (new rollout, supersede, revert, known-bad
 * revision); answer one user command; then the phase's own work (steps, rollback, idle).
 */
public final class RolloutEngine {

  /**
   * A canary pod that restarted this often is crash-looping: roll back without waiting for the
   * deadline.
   */
  public static final int CRASH_LOOP_RESTARTS = 3;

  static final Duration POD_RECHECK = Duration.ofSeconds(10);
  // Verdicts are polled from the analysis runner (a map lookup): check often so a failed canary
  // rolls back, and a passed one promotes, within seconds of the verdict.
  static final Duration ANALYSIS_RECHECK = Duration.ofSeconds(3);
  // Commands and spec changes arrive as watch events, so idle states only need a slow safety poll.
  static final Duration IDLE_RECHECK = Duration.ofMinutes(5);

  private RolloutEngine() {}

  /**
   * The run id of the analysis step at {@code stepIndex} (0-based) of the state's rollout, e.g.
   * {@code db-7c9f/r2/step-3}: target revision, rollout counter (so a retry never sees the verdict
   * of an earlier attempt), and the step number as users see it in the preview.
   */
  public static String stepRunId(RolloutState state, int stepIndex) {
    return state.targetRevision() + "/r" + state.rollout() + "/step-" + (stepIndex + 1);
  }

  /** The run id of the state's rollout's background analysis. */
  public static String backgroundRunId(RolloutState state) {
    return state.targetRevision() + "/r" + state.rollout() + "/background";
  }

  /**
   * The next action.
   *
   * @param state the state persisted by the last action, empty the first time Ordinal sees the set
   */
  public static Action decide(RolloutSpec spec, Optional<RolloutState> state, Observation obs) {
    Action action = decideOnce(spec, state, obs);
    // Stopping abandoned analysis runs is housekeeping: only do it when nothing else is due, and
    // never during a sync hold, which any write ends.
    if (action instanceof Action.Wait && !(state.isPresent() && holding(state.get(), obs))) {
      Set<String> wanted = wantedRuns(spec, action.state());
      for (Map.Entry<String, AnalysisVerdict> e : obs.verdicts().entrySet()) {
        if (e.getValue() == AnalysisVerdict.RUNNING && !wanted.contains(e.getKey())) {
          return new Action.StopAnalysis(
              e.getKey(), action.state(), Set.of(), new RolloutEvent.AnalysisStopped(e.getKey()));
        }
      }
      Optional<Action> retention = BackupDecisions.retention(spec, action.state(), obs);
      if (retention.isPresent()) {
        return retention.get();
      }
    }
    return action;
  }

  private static Action decideOnce(
      RolloutSpec spec, Optional<RolloutState> stored, Observation obs) {
    if (stored.isEmpty()) {
      return bootstrap(spec, obs);
    }
    RolloutState state = stored.get();
    StatefulSetView sts = obs.sts();
    if (!Health.of(sts).observed()) {
      // Until the controller has seen the last spec write, revisions and pods describe the old one.
      return new Action.Wait(
          state,
          POD_RECHECK,
          "waiting for the StatefulSet controller to observe generation " + sts.generation());
    }
    if (holding(state, obs)) {
      Instant until = sts.syncHold().orElseThrow();
      return new Action.Wait(
          state,
          Duration.between(obs.now(), until).plusMillis(1),
          "holding the partition until " + until + ": Git is applying a new pod template");
    }
    // A restore owns the replicas until every claim is back; a backup's resume hook must run.
    Optional<Action> volumes =
        BackupDecisions.restoring(spec, state, obs)
            .or(() -> BackupDecisions.inFlight(spec, state, obs));
    if (volumes.isPresent()) {
      return volumes.get();
    }
    if (!sts.updateRevision().equals(state.targetRevision())) {
      return newTarget(spec, state, obs);
    }
    if (sts.syncHold().isPresent()) {
      // The template never landed (the sync died or Git moved on): any write ends the hold.
      return new Action.UpdateState(state, Set.of(), new RolloutEvent.SyncHoldExpired());
    }
    Optional<Action> adopted = adoptControllerRevision(state, obs);
    if (adopted.isPresent()) {
      return adopted.get();
    }
    Optional<Action> restore =
        BackupDecisions.recordScope(spec, state, obs)
            .or(() -> BackupDecisions.autoRestore(spec, state, obs));
    if (restore.isPresent()) {
      return restore.get();
    }
    for (Command c : Command.values()) {
      if (obs.commands().contains(c)) {
        return command(spec, state, obs, c);
      }
    }
    switch (state.phase()) {
      case HEALTHY:
        return closeGate(state, sts)
            .orElseGet(
                () ->
                    new Action.Wait(
                        state, IDLE_RECHECK, "healthy at revision " + state.stableRevision()));
      case DEGRADED:
      case ROLLED_BACK:
        return restoreToStable(state, obs);
      case PROGRESSING:
      case PAUSED:
      default:
        return progress(spec, state, obs);
    }
  }

  /**
   * Between rollouts the partition rests at the replica count, so that a pod template applied by
   * anyone (Argo CD, kubectl, Ordinal's own applier) moves no pod until a rollout lowers it. Only
   * once the controller has made the update revision current: a pod recreated below the partition
   * gets the current revision, which then is the stable one.
   */
  private static Optional<Action> closeGate(RolloutState state, StatefulSetView sts) {
    if (sts.strategy() != UpdateStrategy.ROLLING_UPDATE
        || sts.partition() >= sts.replicas()
        || !sts.currentRevision().equals(sts.updateRevision())) {
      return Optional.empty();
    }
    return Optional.of(
        new Action.SetPartition(
            sts.replicas(),
            state,
            Set.of(),
            new RolloutEvent.PartitionRested(sts.partition(), sts.replicas())));
  }

  /**
   * Whether the Git applier holds the partition for a template that has not landed yet: the engine
   * then writes nothing, so it cannot lower the partition the applier just raised.
   */
  private static boolean holding(RolloutState state, Observation obs) {
    StatefulSetView sts = obs.sts();
    return sts.syncHold().isPresent()
        && sts.updateRevision().equals(state.targetRevision())
        && obs.now().isBefore(sts.syncHold().get());
  }

  // ---------------------------------------------------------------- bootstrap and new targets

  private static Action bootstrap(RolloutSpec spec, Observation obs) {
    StatefulSetView sts = obs.sts();
    String update = sts.updateRevision();
    // OnDelete never advances status.currentRevision: trust the pods when all run the update.
    boolean allOnUpdate =
        inRange(obs).size() == sts.replicas()
            && inRange(obs).stream().allMatch(p -> p.revision().equals(update));
    if (sts.currentRevision().equals(update) || allOnUpdate) {
      return new Action.UpdateState(
          RolloutState.healthy(update, obs.now()).withStepCount(spec.steps().size()),
          Set.of(),
          new RolloutEvent.Initialized(sts.key(), update));
    }
    RolloutState base = RolloutState.healthy(sts.currentRevision(), obs.now());
    return newTarget(spec, base, obs);
  }

  private static Action newTarget(RolloutSpec spec, RolloutState state, Observation obs) {
    StatefulSetView sts = obs.sts();
    String update = sts.updateRevision();
    Instant now = obs.now();
    String previous = state.targetRevision();
    String stable = restorableRevision(state, sts);
    boolean inFlight =
        !previous.equals(state.stableRevision())
            && (state.phase().stepping() || state.phase() == Phase.DEGRADED);

    int steps = spec.steps().size();
    RolloutSource from = sts.source();
    if (update.equals(stable)) {
      // Git went back to what runs: no canary for a revision already proven; full promotion moves
      // any pod left on the abandoned target back (by restore or by the controller).
      if (inRange(obs).stream().allMatch(p -> p.revision().equals(update))
          && inRange(obs).size() == sts.replicas()) {
        return new Action.UpdateState(
            state.startRollout(stable, update, from, steps, steps, healthyStatus(), now),
            Set.of(),
            new RolloutEvent.Reverted(previous, update, true));
      }
      RolloutState next =
          state.startRollout(
              stable,
              update,
              from,
              steps,
              steps,
              new RolloutState.Status(
                  Phase.PROGRESSING,
                  PhaseReason.REVERTED,
                  "reverted to stable revision " + update + ": restoring pods"),
              now);
      return hold(next, obs, Set.of(), new RolloutEvent.Reverted(previous, update, false));
    }
    if (state.failedRevisions().contains(update)) {
      // Rolled back already unless pods of an abandoned rollout still need to go back.
      boolean podsElsewhere =
          sts.strategy() == UpdateStrategy.ROLLING_UPDATE
              && inRange(obs).stream().anyMatch(p -> !p.revision().equals(stable));
      String why =
          "revision "
              + update
              + " failed before; not retried until Git changes or 'ordinal retry "
              + sts.key()
              + "'";
      RolloutState next =
          state.startRollout(
              stable,
              update,
              from,
              0,
              steps,
              new RolloutState.Status(
                  podsElsewhere ? Phase.DEGRADED : Phase.ROLLED_BACK,
                  PhaseReason.REVISION_FAILED_BEFORE,
                  why),
              now);
      return hold(
          next,
          obs,
          Set.of(),
          new RolloutEvent.RevisionSkipped(update, sts.key(), podsElsewhere ? stable : null));
    }
    RolloutState next = state.startRollout(stable, update, from, 0, steps, healthyStatus(), now);
    next = BackupDecisions.startForRollout(spec, next.with(stepStatus(spec, next, obs.sts())), obs);
    RolloutEvent event =
        inFlight
            ? new RolloutEvent.Superseded(previous, update, stable)
            : new RolloutEvent.RolloutStarted(update, stable, steps, from);
    return hold(next, obs, Set.of(), event);
  }

  private static RolloutState.Status healthyStatus() {
    return new RolloutState.Status(Phase.HEALTHY, PhaseReason.NONE, "");
  }

  /**
   * The revision a new rollout starts from and a rollback returns to. Under RollingUpdate that is
   * the controller's current revision, which deleted pods below the partition come back on; it only
   * differs from the remembered stable one if the controller completed an update the engine could
   * not (e.g. a rollback that came too late). OnDelete never advances it, so there the memory
   * rules.
   */
  private static String restorableRevision(RolloutState state, StatefulSetView sts) {
    return sts.strategy() == UpdateStrategy.ROLLING_UPDATE
        ? sts.currentRevision()
        : state.stableRevision();
  }

  /** Raise the partition to replicas if it is not there, else just record the state. */
  static Action hold(
      RolloutState next, Observation obs, Set<Command> consumes, RolloutEvent event) {
    StatefulSetView sts = obs.sts();
    if (sts.strategy() == UpdateStrategy.ROLLING_UPDATE && sts.partition() < sts.replicas()) {
      return new Action.SetPartition(sts.replicas(), next, consumes, event);
    }
    return new Action.UpdateState(next, consumes, event);
  }

  /**
   * Under RollingUpdate the controller declares an update complete (status.currentRevision :=
   * updateRevision) once every pod runs it, and from then on recreates deleted pods from it. That
   * happens behind the engine's back when a StatefulSet is scaled to zero while a failed revision
   * is held off, or when a rollback came after the last pod moved. Pods can then only return to
   * that revision, so the engine adopts it as stable rather than pretend otherwise. During the
   * steps the normal flow sees the same completion and finishes the rollout itself.
   */
  private static Optional<Action> adoptControllerRevision(RolloutState state, Observation obs) {
    StatefulSetView sts = obs.sts();
    String current = sts.currentRevision();
    // When the controller's update revision is the stable one, it is converging on it: its
    // currentRevision catches up on its next sync (right after the last pod of a rollout turned
    // Ready, it still names the old revision for a moment). Adopting it would undo the rollout.
    if (sts.strategy() != UpdateStrategy.ROLLING_UPDATE
        || current.equals(state.stableRevision())
        || sts.updateRevision().equals(state.stableRevision())
        || (state.phase().stepping() && current.equals(state.targetRevision()))) {
      return Optional.empty();
    }
    if (current.equals(state.targetRevision())) {
      RolloutEvent.StableRevisionAdopted event =
          new RolloutEvent.StableRevisionAdopted(current, state.stableRevision(), true);
      return Optional.of(
          new Action.UpdateState(
              state.adopted(
                  current,
                  new RolloutState.Status(
                      Phase.HEALTHY, PhaseReason.STABLE_REVISION_ADOPTED, event.message())),
              Set.of(),
              event));
    }
    return Optional.of(
        new Action.UpdateState(
            state.adopted(current, state.status()),
            Set.of(),
            new RolloutEvent.StableRevisionAdopted(current, state.stableRevision(), false)));
  }

  // ---------------------------------------------------------------- commands

  private static Action command(RolloutSpec spec, RolloutState state, Observation obs, Command c) {
    Set<Command> consumed = Set.of(c);
    Instant now = obs.now();
    boolean stepping = state.phase().stepping();
    switch (c) {
      case RESTORE:
        return BackupDecisions.restoreCommand(spec, state, obs);
      case BACKUP:
        return BackupDecisions.manualBackup(spec, state, obs);
      case ABORT:
        if (stepping) {
          return rollback(state, obs, consumed, PhaseReason.ABORTED, "aborted by user");
        }
        return ignored(state, c, "no rollout in progress");
      case RETRY:
        if (state.phase() == Phase.ROLLED_BACK
            && !state.targetRevision().equals(state.stableRevision())) {
          Set<String> failed = new LinkedHashSet<>(state.failedRevisions());
          failed.remove(state.targetRevision());
          RolloutState next =
              state
                  .withFailedRevisions(failed)
                  .startRollout(
                      restorableRevision(state, obs.sts()),
                      state.targetRevision(),
                      state.source(),
                      0,
                      spec.steps().size(),
                      healthyStatus(),
                      now);
          next =
              BackupDecisions.startForRollout(
                  spec, next.with(stepStatus(spec, next, obs.sts())), obs);
          return hold(next, obs, consumed, new RolloutEvent.Retry(state.targetRevision()));
        }
        if (state.phase() == Phase.DEGRADED) {
          return ignored(state, c, "a rollback is in progress; retry once it has finished");
        }
        if (!state.failedRevisions().isEmpty()) {
          return new Action.UpdateState(
              state.withFailedRevisions(Set.of()),
              consumed,
              new RolloutEvent.FailedRevisionsCleared(state.failedRevisions()));
        }
        return ignored(state, c, "nothing to retry");
      case PAUSE:
        if (stepping && !state.userPaused()) {
          RolloutState paused = state.withUserPaused(true, state.progressAt());
          return new Action.UpdateState(
              paused.with(stepStatus(spec, paused, obs.sts())),
              consumed,
              new RolloutEvent.Paused(state.stepIndex() + 1));
        }
        return ignored(state, c, stepping ? "already paused" : "no rollout in progress");
      case RESUME:
        if (stepping && state.userPaused()) {
          // The deadline restarts: time spent in the user's hold is not the pods' fault.
          RolloutState unpaused = state.withUserPaused(false, now);
          return new Action.UpdateState(
              unpaused.with(stepStatus(spec, unpaused, obs.sts())),
              consumed,
              new RolloutEvent.Resumed(state.stepIndex() + 1));
        }
        return ignored(state, c, "not paused by a user");
      case PROMOTE_FULL:
        if (stepping) {
          RolloutState next =
              enterStep(
                  spec, state.withUserPaused(false, state.progressAt()), spec.steps().size(), obs);
          return new Action.UpdateState(
              next, consumed, new RolloutEvent.PromotedFull(state.targetRevision()));
        }
        return ignored(state, c, "no rollout in progress");
      case PROMOTE:
      default:
        return promote(spec, state, obs, consumed);
    }
  }

  private static Action promote(
      RolloutSpec spec, RolloutState state, Observation obs, Set<Command> consumed) {
    if (!state.phase().stepping()) {
      return ignored(state, Command.PROMOTE, "no rollout in progress");
    }
    String bg = backgroundRunId(state);
    if (obs.verdicts().get(bg) == AnalysisVerdict.INCONCLUSIVE
        && !state.acceptedRuns().contains(bg)) {
      RolloutState next =
          state
              .withAcceptedRun(bg)
              .withVerdict(
                  new VerdictRecord(
                      0,
                      templateNames(spec.backgroundAnalysis()),
                      AnalysisVerdict.INCONCLUSIVE,
                      true));
      next = next.with(stepStatus(spec, next, obs.sts()));
      return new Action.UpdateState(
          next, consumed, new RolloutEvent.Promoted(0, "background analysis", true, ""));
    }
    int i = state.stepIndex();
    if (i < spec.steps().size()) {
      Step step = spec.steps().get(i);
      if (step instanceof Step.Pause) {
        return advance(
            spec,
            state,
            obs,
            consumed,
            next -> new RolloutEvent.Promoted(i + 1, describe(step), false, next));
      }
      if (step instanceof Step.Analysis analysis
          && obs.verdicts().get(stepRunId(state, i)) == AnalysisVerdict.INCONCLUSIVE) {
        return advance(
            spec,
            state.withVerdict(
                new VerdictRecord(
                    i + 1,
                    templateNames(analysis.templates()),
                    AnalysisVerdict.INCONCLUSIVE,
                    true)),
            obs,
            consumed,
            next -> new RolloutEvent.Promoted(i + 1, describe(step), true, next));
      }
    }
    return ignored(
        state, Command.PROMOTE, "step " + (i + 1) + " is not a pause or an inconclusive analysis");
  }

  static Action ignored(RolloutState state, Command c, String why) {
    // Consumed anyway: a stale promote must not fire at some later, unrelated gate.
    return new Action.UpdateState(state, Set.of(c), new RolloutEvent.CommandIgnored(c, why));
  }

  // ---------------------------------------------------------------- steps

  private static Action progress(RolloutSpec spec, RolloutState state, Observation obs) {
    StatefulSetView sts = obs.sts();
    boolean realTarget = !state.targetRevision().equals(state.stableRevision());

    if (realTarget) {
      Optional<PodView> crashing =
          inRange(obs).stream()
              .filter(
                  p ->
                      p.revision().equals(state.targetRevision())
                          && p.restartCount() >= CRASH_LOOP_RESTARTS)
              .max(Comparator.comparingInt(PodView::ordinal));
      if (crashing.isPresent()) {
        PodView p = crashing.get();
        return rollback(
            state,
            obs,
            Set.of(),
            PhaseReason.CRASH_LOOP,
            "pod "
                + p.name()
                + " on "
                + state.targetRevision()
                + " restarted "
                + p.restartCount()
                + " times");
      }
      if (!spec.backgroundAnalysis().isEmpty()) {
        String bg = backgroundRunId(state);
        AnalysisVerdict v = obs.verdicts().get(bg);
        String names = templateNames(spec.backgroundAnalysis());
        if (v == null) {
          return new Action.StartAnalysis(
              bg,
              spec.backgroundAnalysis(),
              state,
              Set.of(),
              new RolloutEvent.AnalysisStarted(0, names));
        }
        if (v.failed()) {
          return rollback(
              state.withVerdict(new VerdictRecord(0, names, v, false)),
              obs,
              Set.of(),
              PhaseReason.ANALYSIS_FAILED,
              "background analysis "
                  + names
                  + " "
                  + v
                  + failedMetricsSuffix(obs.failedMetrics().get(bg)));
        }
      }
    }

    // Pods on neither revision are left over from a superseded rollout: back to stable first.
    // Not under OnDelete: a deleted pod comes back on the template's revision, never on stable, so
    // leftovers simply move to the new target when the steps reach them.
    // A revert (target == stable) needs none of this: full promotion moves leftovers itself.
    Optional<Action> restore =
        sts.strategy() == UpdateStrategy.ON_DELETE || !realTarget
            ? Optional.empty()
            : restoreStrays(
                state,
                obs,
                new TreeSet<>(List.of(state.stableRevision(), state.targetRevision())),
                "superseded revision");
    if (restore.isPresent()) {
      return restore.get();
    }

    // The partition this step allows: the last canary's pods (pauses and analyses keep them), all
    // of them in full promotion. Recomputed from replicas, so a scale change cannot let the
    // controller expose more pods; raised at once even while paused, lowered only by the steps.
    int allowedPartition = allowedPartition(spec, state, sts.replicas());
    if (sts.strategy() == UpdateStrategy.ROLLING_UPDATE && sts.partition() < allowedPartition) {
      return new Action.SetPartition(
          allowedPartition,
          state,
          Set.of(),
          new RolloutEvent.CanaryRescaled(sts.replicas(), sts.partition(), allowedPartition));
    }

    // The controller never moves a pod below the partition back: after a scale-up raised it, a
    // canary left below it still runs the new revision. Send it back to stable, one at a time, so
    // the canary stays the size the step allows.
    if (realTarget
        && sts.strategy() == UpdateStrategy.ROLLING_UPDATE
        && sts.partition() >= allowedPartition) {
      Optional<PodView> extra =
          inRange(obs).stream()
              .filter(p -> p.ordinal() < sts.partition())
              .filter(p -> p.revision().equals(state.targetRevision()) && !p.terminating())
              .max(Comparator.comparingInt(PodView::ordinal));
      // A pod just sent back may already be gone and not yet recreated: a missing pod counts as
      // busy too, or the next canary would be deleted before the first is back.
      boolean busy =
          obs.pods().stream().anyMatch(p -> p.terminating() || !p.ready()) || missingAny(obs);
      if (extra.isPresent() && !busy) {
        return new Action.DeletePod(
            extra.get().name(),
            extra.get().revision(),
            state,
            Set.of(),
            new RolloutEvent.CanaryPodReturned(
                extra.get().name(), state.stableRevision(), sts.partition()));
      }
    }

    if (state.userPaused()) {
      return new Action.Wait(
          state, IDLE_RECHECK, "paused by user: run 'ordinal resume " + sts.key() + "'");
    }
    if (realTarget && !spec.backgroundAnalysis().isEmpty()) {
      String bg = backgroundRunId(state);
      if (obs.verdicts().get(bg) == AnalysisVerdict.INCONCLUSIVE
          && !state.acceptedRuns().contains(bg)) {
        RolloutEvent.AnalysisInconclusive event =
            new RolloutEvent.AnalysisInconclusive(
                0, templateNames(spec.backgroundAnalysis()), sts.key());
        return inconclusive(
            state,
            event,
            new VerdictRecord(
                0, templateNames(spec.backgroundAnalysis()), AnalysisVerdict.INCONCLUSIVE, false));
      }
    }

    int i = state.stepIndex();
    if (i >= spec.steps().size()) {
      return podStep(spec, state, obs, sts.replicas(), true);
    }
    Step step = spec.steps().get(i);
    if (step instanceof Step.Canary canary) {
      return podStep(spec, state, obs, canary.canaryCount(sts.replicas()), false);
    }
    if (sts.strategy() == UpdateStrategy.ROLLING_UPDATE && sts.partition() > allowedPartition) {
      // scaled down during a pause or analysis: keep the canary at its size
      return new Action.SetPartition(
          allowedPartition,
          state,
          Set.of(),
          new RolloutEvent.CanaryRescaled(sts.replicas(), sts.partition(), allowedPartition));
    }
    if (step instanceof Step.Pause pause) {
      return pause(spec, state, obs, pause);
    }
    return analysis(spec, state, obs, (Step.Analysis) step);
  }

  /**
   * Pause on an inconclusive analysis until a person promotes or aborts; recorded once, then waited
   * on.
   */
  private static Action inconclusive(
      RolloutState state, RolloutEvent.AnalysisInconclusive event, VerdictRecord verdict) {
    RolloutState.Status paused =
        new RolloutState.Status(Phase.PAUSED, PhaseReason.ANALYSIS_INCONCLUSIVE, event.message());
    if (!state.status().equals(paused)) {
      return new Action.UpdateState(state.with(paused).withVerdict(verdict), Set.of(), event);
    }
    return new Action.Wait(state, IDLE_RECHECK, event.message());
  }

  /** The partition for the state's step: replicas minus the pods it lets run the new revision. */
  static int allowedPartition(RolloutSpec spec, RolloutState state, int replicas) {
    int index = state.stepIndex();
    int pods = index >= spec.steps().size() ? replicas : lastCanaryCount(spec, index, replicas);
    return Math.max(0, replicas - pods);
  }

  /** Pods on the new revision as of step {@code index}: the last canary at or before it. */
  static int lastCanaryCount(RolloutSpec spec, int index, int replicas) {
    for (int i = Math.min(index, spec.steps().size() - 1); i >= 0; i--) {
      if (spec.steps().get(i) instanceof Step.Canary canary) {
        return canary.canaryCount(replicas);
      }
    }
    return 0;
  }

  /** A canary step ({@code count} pods) or full promotion ({@code count == replicas}). */
  private static Action podStep(
      RolloutSpec spec, RolloutState state, Observation obs, int count, boolean full) {
    StatefulSetView sts = obs.sts();
    String target = state.targetRevision();
    int replicas = sts.replicas();
    // A scale change may leave count above replicas: keep the partition within [0, replicas].
    int partition = Math.max(0, Math.min(replicas, replicas - count));
    String stepName = full ? "full promotion" : "step " + (state.stepIndex() + 1);

    if (sts.strategy() == UpdateStrategy.ROLLING_UPDATE && sts.partition() != partition) {
      String moved =
          partition < replicas ? podRange(sts.name(), replicas - 1, partition) : "no pods";
      return new Action.SetPartition(
          partition,
          state,
          Set.of(),
          new RolloutEvent.PodsMoving(
              full, state.stepIndex() + 1, moved, target, sts.partition(), partition));
    }

    List<PodView> pending = new ArrayList<>(); // ordinals >= partition not yet updated and Ready
    List<String> missing = new ArrayList<>();
    for (int o = replicas - 1; o >= partition; o--) {
      Optional<PodView> p = obs.pod(o);
      if (p.isEmpty()) {
        missing.add(sts.name() + "-" + o);
      } else if (!p.get().revision().equals(target) || !p.get().available()) {
        pending.add(p.get());
      }
    }
    if (pending.isEmpty() && missing.isEmpty()) {
      if (full) {
        return new Action.UpdateState(
            state.completed(obs.now()),
            Set.of(),
            new RolloutEvent.RolloutCompleted(target, replicas));
      }
      int step = state.stepIndex() + 1;
      return advance(
          spec,
          state,
          obs,
          Set.of(),
          next -> new RolloutEvent.StepCompleted(step, count, target, next));
    }

    int targetReady =
        (int)
            inRange(obs).stream().filter(p -> p.revision().equals(target) && p.available()).count();
    if (targetReady != state.progressCount()) {
      // Only growth is progress; a drop is recorded so that regaining it later counts again.
      Instant at = targetReady > state.progressCount() ? obs.now() : state.progressAt();
      return new Action.UpdateState(
          state.withProgress(at, targetReady),
          Set.of(),
          new RolloutEvent.Progress(targetReady, replicas, target));
    }
    Instant since = later(state.stepStartedAt(), state.progressAt());
    if (since != null
        && Duration.between(since, obs.now()).compareTo(spec.progressDeadline()) > 0) {
      String waitingFor =
          !missing.isEmpty()
              ? missing.get(0) + " (missing)"
              : describePending(pending.get(0), target);
      return rollback(
          state,
          obs,
          Set.of(),
          PhaseReason.PROGRESS_DEADLINE_EXCEEDED,
          "no progress for "
              + human(spec.progressDeadline())
              + " at "
              + stepName
              + ", waiting for "
              + waitingFor);
    }

    if (sts.strategy() == UpdateStrategy.ON_DELETE && missing.isEmpty()) {
      // The controller moves nothing under OnDelete: delete the next old pod, one at a time.
      boolean busy =
          obs.pods().stream().anyMatch(PodView::terminating)
              || inRange(obs).size() < replicas
              || inRange(obs).stream().anyMatch(p -> p.revision().equals(target) && !p.ready());
      Optional<PodView> next =
          pending.stream()
              .filter(p -> !p.revision().equals(target) && !p.terminating())
              .findFirst();
      if (!busy && next.isPresent()) {
        return new Action.DeletePod(
            next.get().name(),
            next.get().revision(),
            state,
            Set.of(),
            new RolloutEvent.PodsMoving(
                full, state.stepIndex() + 1, next.get().name(), target, null, null));
      }
    }
    String waitingFor =
        !missing.isEmpty()
            ? missing.get(0) + " to be created"
            : describePending(pending.get(0), target);
    return new Action.Wait(
        state, untilDeadline(spec, since, obs.now()), stepName + ": waiting for " + waitingFor);
  }

  /**
   * The usual pod recheck, but never past the moment the progress deadline expires, so a short
   * deadline fires on time even when no watch event wakes the executor.
   */
  static Duration untilDeadline(RolloutSpec spec, Instant since, Instant now) {
    if (since == null) {
      return POD_RECHECK;
    }
    Duration left = spec.progressDeadline().minus(Duration.between(since, now)).plusMillis(1);
    if (left.compareTo(Duration.ofMillis(100)) < 0) {
      return Duration.ofMillis(100);
    }
    return left.compareTo(POD_RECHECK) < 0 ? left : POD_RECHECK;
  }

  private static Action pause(
      RolloutSpec spec, RolloutState state, Observation obs, Step.Pause pause) {
    int step = state.stepIndex() + 1;
    if (pause.duration().isPresent()) {
      Instant until = state.stepStartedAt().plus(pause.duration().get());
      if (!obs.now().isBefore(until)) {
        return advance(
            spec,
            state,
            obs,
            Set.of(),
            next -> new RolloutEvent.PauseElapsed(step, human(pause.duration().get()), next));
      }
      return settle(spec, state, obs, Duration.between(obs.now(), until));
    }
    return settle(spec, state, obs, IDLE_RECHECK);
  }

  /**
   * ": template/metric, ..." naming what failed, so that a step with several templates does not
   * read as if all of them had; empty when the runner named none.
   */
  private static String failedMetricsSuffix(List<String> failed) {
    return failed == null || failed.isEmpty() ? "" : ": " + String.join(", ", failed);
  }

  private static Action analysis(
      RolloutSpec spec, RolloutState state, Observation obs, Step.Analysis step) {
    int i = state.stepIndex();
    String runId = stepRunId(state, i);
    AnalysisVerdict v = obs.verdicts().get(runId);
    String names = templateNames(step.templates());
    if (v == null) {
      return new Action.StartAnalysis(
          runId, step.templates(), state, Set.of(), new RolloutEvent.AnalysisStarted(i + 1, names));
    }
    switch (v) {
      case SUCCESSFUL:
        return advance(
            spec,
            state.withVerdict(new VerdictRecord(i + 1, names, v, false)),
            obs,
            Set.of(),
            next -> new RolloutEvent.AnalysisSuccessful(i + 1, names, next));
      case FAILED:
      case ERROR:
        return rollback(
            state.withVerdict(new VerdictRecord(i + 1, names, v, false)),
            obs,
            Set.of(),
            PhaseReason.ANALYSIS_FAILED,
            "analysis "
                + names
                + " at step "
                + (i + 1)
                + " "
                + v
                + failedMetricsSuffix(obs.failedMetrics().get(runId)));
      case INCONCLUSIVE:
        return inconclusive(
            state,
            new RolloutEvent.AnalysisInconclusive(i + 1, names, obs.sts().key()),
            new VerdictRecord(i + 1, names, v, false));
      case RUNNING:
      default:
        return settle(spec, state, obs, ANALYSIS_RECHECK);
    }
  }

  /**
   * Wait at the current step, first correcting the status if it drifted (e.g. after a resume, or a
   * state from an older Ordinal that recorded no reason and no step count).
   */
  private static Action settle(
      RolloutSpec spec, RolloutState state, Observation obs, Duration recheck) {
    RolloutState.Status status = stepStatus(spec, state, obs.sts());
    if (!state.status().equals(status) || state.stepCount() != spec.steps().size()) {
      RolloutState next = state.with(status).withStepCount(spec.steps().size());
      return new Action.UpdateState(
          next, Set.of(), new RolloutEvent.StepStatus(status.phase(), next.reason()));
    }
    // A background analysis can fail at any moment, and nothing but a recheck reads its verdict:
    // a manual gate or a long pause must not leave a failed canary running for minutes.
    if (!spec.backgroundAnalysis().isEmpty() && recheck.compareTo(ANALYSIS_RECHECK) > 0) {
      recheck = ANALYSIS_RECHECK;
    }
    return new Action.Wait(state, recheck, state.reason());
  }

  /** Moves to the next step; {@code event} is told the next step's reason. */
  private static Action advance(
      RolloutSpec spec,
      RolloutState state,
      Observation obs,
      Set<Command> consumes,
      Function<String, RolloutEvent> event) {
    RolloutState next = enterStep(spec, state, state.stepIndex() + 1, obs);
    return new Action.UpdateState(next, consumes, event.apply(next.reason()));
  }

  static RolloutState enterStep(RolloutSpec spec, RolloutState state, int index, Observation obs) {
    // Progress counts from what already runs, so a finished step's pods are not new progress.
    int targetReady =
        (int)
            inRange(obs).stream()
                .filter(p -> p.revision().equals(state.targetRevision()) && p.available())
                .count();
    RolloutState next =
        state.atStep(index, spec.steps().size(), obs.now()).withProgress(obs.now(), targetReady);
    return next.with(stepStatus(spec, next, obs.sts()));
  }

  /**
   * The status for the state's step: Paused at pauses, gates and user holds, else Progressing; a
   * function of the state alone (no "time left"), so settle() does not rewrite it per tick.
   */
  static RolloutState.Status stepStatus(RolloutSpec spec, RolloutState state, StatefulSetView sts) {
    if (state.userPaused()) {
      return new RolloutState.Status(Phase.PAUSED, PhaseReason.USER_PAUSED, "");
    }
    int i = state.stepIndex();
    if (i >= spec.steps().size()) {
      return new RolloutState.Status(Phase.PROGRESSING, PhaseReason.FULL_PROMOTION, "");
    }
    Step step = spec.steps().get(i);
    if (step instanceof Step.Pause pause) {
      Optional<Duration> d = pause.duration();
      if (d.isPresent()) {
        return new RolloutState.Status(
            Phase.PAUSED,
            PhaseReason.TIMED_PAUSE,
            "pause " + human(d.get()) + " until " + state.stepStartedAt().plus(d.get()));
      }
      return new RolloutState.Status(
          Phase.PAUSED, PhaseReason.MANUAL_GATE, "waiting for 'ordinal promote " + sts.key() + "'");
    }
    return new RolloutState.Status(
        Phase.PROGRESSING,
        step instanceof Step.Canary ? PhaseReason.CANARY_STEP : PhaseReason.ANALYSIS_RUNNING,
        describe(step));
  }

  // ---------------------------------------------------------------- rollback

  private static Action rollback(
      RolloutState state, Observation obs, Set<Command> consumes, PhaseReason cause, String why) {
    StatefulSetView sts = obs.sts();
    RolloutState next = state.rollingBack(cause, why);
    if (sts.strategy() == UpdateStrategy.ON_DELETE) {
      // An OnDelete controller recreates deleted pods from the template, which Git still holds at
      // the failed revision: pods can only go back once Git does.
      next =
          next.with(
              new RolloutState.Status(
                  Phase.DEGRADED,
                  PhaseReason.ROLLBACK_NEEDS_GIT_REVERT,
                  why
                      + "; OnDelete cannot restore pods while the template is "
                      + state.targetRevision()
                      + ": no further pods move, revert the change in Git"));
    }
    return hold(next, obs, consumes, new RolloutEvent.RollbackStarted(cause, why, next.reason()));
  }

  /** DEGRADED and ROLLED_BACK: keep the hold, put every pod back on the stable revision. */
  private static Action restoreToStable(RolloutState state, Observation obs) {
    StatefulSetView sts = obs.sts();
    if (sts.strategy() == UpdateStrategy.ON_DELETE) {
      return new Action.Wait(state, IDLE_RECHECK, state.reason());
    }
    if (sts.partition() < sts.replicas()) {
      // Also after a scale-up: new ordinals must not come up on the failed revision.
      return new Action.SetPartition(
          sts.replicas(),
          state,
          Set.of(),
          new RolloutEvent.Holding(sts.replicas(), state.targetRevision(), true));
    }
    if (state.phase() == Phase.ROLLED_BACK
        && inRange(obs).stream().anyMatch(p -> !p.revision().equals(state.stableRevision()))) {
      // e.g. a scale-up raced the hold: say so while those pods go back
      RolloutState again =
          state.with(
              new RolloutState.Status(Phase.DEGRADED, state.reasonCode(), state.status().detail()));
      return new Action.UpdateState(again, Set.of(), new RolloutEvent.RollingBack(again.reason()));
    }
    Optional<Action> restore =
        restoreStrays(state, obs, Set.of(state.stableRevision()), "rollback");
    if (restore.isPresent()) {
      return restore.get();
    }
    boolean settled =
        inRange(obs).size() == sts.replicas() && inRange(obs).stream().allMatch(PodView::available);
    if (state.phase() == Phase.DEGRADED) {
      if (!settled) {
        return new Action.Wait(
            state,
            POD_RECHECK,
            "rollback: waiting for all pods to be Ready on " + state.stableRevision());
      }
      RolloutState done =
          state.with(
              new RolloutState.Status(
                  Phase.ROLLED_BACK, state.reasonCode(), state.status().detail()));
      return new Action.UpdateState(
          done,
          Set.of(),
          new RolloutEvent.RolledBack(state.stableRevision(), state.targetRevision(), sts.key()));
    }
    return new Action.Wait(state, IDLE_RECHECK, state.reason());
  }

  /** The order {@link #restoreStrays} sends pods back in: see there. */
  private static final Comparator<PodView> STRAYS_TO_RESTORE_FIRST =
      Comparator.comparing(PodView::ready)
          .thenComparingInt(p -> p.ready() ? -p.ordinal() : p.ordinal());

  /**
   * Deletes, one at a time, pods running a revision outside {@code keep}, each only once every kept
   * pod is back and Ready; the held partition makes the controller recreate them on the current
   * (stable) revision. RollingUpdate only: OnDelete recreates pods from the template.
   *
   * <p>Pods that are not Ready go first, lowest ordinal first; then the Ready ones, highest ordinal
   * first, as the controller itself would roll. Under OrderedReady the controller creates a pod
   * only once every lower ordinal is Running and Ready, so deleting a Ready db-4 while db-3 hangs
   * unready on the failed revision would leave db-4 missing for good, and the rollback with it. An
   * unready pod serves nothing, so deleting it first costs no availability.
   */
  private static Optional<Action> restoreStrays(
      RolloutState state, Observation obs, Set<String> keep, String why) {
    StatefulSetView sts = obs.sts();
    List<PodView> strays =
        inRange(obs).stream()
            .filter(p -> !keep.contains(p.revision()))
            .sorted(STRAYS_TO_RESTORE_FIRST)
            .toList();
    if (strays.isEmpty()) {
      return Optional.empty();
    }
    if (sts.partition() < sts.replicas()) {
      return Optional.of(
          new Action.SetPartition(
              sts.replicas(),
              state,
              Set.of(),
              new RolloutEvent.Holding(sts.replicas(), why, false)));
    }
    if (!sts.currentRevision().equals(state.stableRevision())) {
      // The controller recreates a deleted pod below the partition from status.currentRevision; if
      // that is no longer stable (it completed the update before we could roll back), deleting
      // would only churn pods.
      return Optional.of(
          new Action.Wait(
              state,
              IDLE_RECHECK,
              why
                  + ": cannot restore pods, the controller recreates them from "
                  + sts.currentRevision()
                  + " instead of "
                  + state.stableRevision()
                  + "; revert the change in Git"));
    }
    Optional<PodView> busy =
        obs.pods().stream()
            .filter(PodView::terminating)
            .findFirst()
            .or(
                () ->
                    inRange(obs).stream()
                        .filter(p -> keep.contains(p.revision()) && !p.ready())
                        .findFirst());
    if (busy.isPresent() || missingAny(obs)) {
      String what =
          busy.map(
                  p ->
                      p.name()
                          + (p.terminating() ? " to terminate" : " to be Ready on " + p.revision()))
              .orElse("missing pods to be recreated");
      return Optional.of(new Action.Wait(state, POD_RECHECK, why + ": waiting for " + what));
    }
    PodView victim = strays.get(0);
    return Optional.of(
        new Action.DeletePod(
            victim.name(),
            victim.revision(),
            state,
            Set.of(),
            new RolloutEvent.PodSentBack(
                why,
                victim.name(),
                victim.revision(),
                state.stableRevision(),
                why.equals("rollback"))));
  }

  // ---------------------------------------------------------------- helpers

  private static Set<String> wantedRuns(RolloutSpec spec, RolloutState state) {
    Set<String> wanted = new TreeSet<>();
    if (state.phase().stepping() && !state.targetRevision().equals(state.stableRevision())) {
      if (!spec.backgroundAnalysis().isEmpty()) {
        wanted.add(backgroundRunId(state));
      }
      int i = state.stepIndex();
      if (i < spec.steps().size() && spec.steps().get(i) instanceof Step.Analysis) {
        wanted.add(stepRunId(state, i));
      }
    }
    return wanted;
  }

  /**
   * Whether a pod the StatefulSet should have is gone and not yet recreated: a pod just deleted
   * counts as busy until the controller brings it back.
   */
  private static boolean missingAny(Observation obs) {
    return inRange(obs).size() < obs.sts().replicas();
  }

  /** Pods with an ordinal the StatefulSet currently wants (scale-down leftovers excluded). */
  static List<PodView> inRange(Observation obs) {
    int replicas = obs.sts().replicas();
    return obs.pods().stream().filter(p -> p.ordinal() >= 0 && p.ordinal() < replicas).toList();
  }

  private static Instant later(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isAfter(b) ? a : b;
  }

  private static String describePending(PodView p, String target) {
    if (p.terminating()) {
      return p.name() + " (terminating)";
    }
    if (!p.revision().equals(target)) {
      return p.name() + " (still on " + p.revision() + ")";
    }
    return p.name()
        + " (not Ready"
        + (p.restartCount() > 0 ? ", " + p.restartCount() + " restarts" : "")
        + ")";
  }

  static String podRange(String name, int from, int to) {
    if (from == to) {
      return name + "-" + from;
    }
    return name + "-" + from + ".." + name + "-" + to;
  }

  static String templateNames(List<AnalysisRef> refs) {
    return String.join(", ", refs.stream().map(AnalysisRef::templateName).toList());
  }

  static String describe(Step step) {
    if (step instanceof Step.Canary) {
      Step.Canary c = (Step.Canary) step;
      return c.replicas() != null
          ? "canary " + c.replicas() + " pod" + (c.replicas() == 1 ? "" : "s")
          : "canary " + c.percent() + "%";
    }
    if (step instanceof Step.Pause) {
      return ((Step.Pause) step).duration().map(d -> "pause " + human(d)).orElse("manual gate");
    }
    return "analysis " + templateNames(((Step.Analysis) step).templates());
  }

  /** 5m, 1h30m, 45s: the way users write durations in the rollout spec. */
  static String human(Duration d) {
    long s = d.getSeconds();
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      b.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0 || b.length() == 0) {
      b.append(s).append('s');
    }
    return b.toString();
  }
}
