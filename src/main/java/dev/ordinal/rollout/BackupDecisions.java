package dev.ordinal.rollout;

import dev.ordinal.rollout.BackupView.HookRun;
import dev.ordinal.rollout.BackupView.SnapshotSet;
import dev.ordinal.rollout.RolloutState.Backup;
import dev.ordinal.rollout.RolloutState.BackupStage;
import dev.ordinal.rollout.RolloutState.Restore;
import dev.ordinal.rollout.RolloutState.RestoreStage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The engine's decisions about volumes: the backup before the first pod moves, what a restore
 * covers, the restore itself, and retention. Pure like the rest of the engine; the state records
 * each step in the write that carries it out, and the observation says what the cluster did.
 *
 * <p>A restore never lets a restored ordinal come up on an empty claim: the ordinals it restores
 * are the highest (canary pods move highest first), so lowering {@code spec.replicas} below them
 * takes their pods out of the set, and the StatefulSet controller, which creates a missing claim
 * only when it creates a pod, cannot create theirs. Replicas go back only once every claim exists
 * again, created from its snapshot.
 */
final class BackupDecisions {
  static final Duration RECHECK = Duration.ofSeconds(10);
  static final String QUIESCE = "quiesce";
  static final String RESUME = "resume";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final int ID_PREFIX = 40;

  private BackupDecisions() {}

  /** The run id of a backup's hook: {@code <backup id>/quiesce}. */
  static String hookRunId(String backupId, String phase) {
    return backupId + "/" + phase;
  }

  /**
   * A new backup id, {@code <statefulset>-<yyyyMMdd-HHmmss>} of the decision's time, with a suffix
   * when a set of that id exists already, so an id never names two sets.
   */
  static String newId(Observation obs, RolloutState state) {
    String base = idBase(obs.sts().name(), obs.now());
    String id = base;
    String last = state.lastBackup().map(Backup::id).orElse("");
    for (int n = 2; obs.backups().sets().containsKey(id) || id.equals(last); n++) {
      id = base + "-" + n;
    }
    return id;
  }

  /**
   * {@code <statefulset>-<yyyyMMdd-HHmmss>} of {@code now}, the StatefulSet's name cut to 40
   * characters: every backup id starts so, before a rollout and before a recreate alike.
   */
  static String idBase(String statefulSet, Instant now) {
    String name = statefulSet;
    if (name.length() > ID_PREFIX) {
      name = name.substring(0, ID_PREFIX).replaceAll("-+$", "");
    }
    return name + "-" + STAMP.format(now);
  }

  /** The claims a backup snapshots: every pod's claim of each covered volumeClaimTemplate. */
  static List<String> claims(BackupSpec spec, StatefulSetView sts) {
    List<String> claims = new ArrayList<>();
    for (int o = 0; o < sts.replicas(); o++) {
      for (String template : sts.claimTemplates()) {
        if (spec.covers(template)) {
          claims.add(sts.claimName(template, o));
        }
      }
    }
    return claims;
  }

  /** The state of a rollout that starts with a backup: its id, and the status that says so. */
  static RolloutState startForRollout(RolloutSpec spec, RolloutState next, Observation obs) {
    if (spec.backup().isEmpty()) {
      return next;
    }
    BackupSpec b = spec.backup().get();
    Backup backup = Backup.starting(newId(obs, next), firstStage(b), obs.now(), false);
    int claims = claims(b, obs.sts()).size();
    return next.withBackup(backup)
        .with(
            new RolloutState.Status(
                Phase.PROGRESSING,
                PhaseReason.BACKING_UP,
                backup.id()
                    + ", "
                    + claims
                    + " claim"
                    + (claims == 1 ? "" : "s")
                    + ", up to "
                    + RolloutEngine.human(b.timeout())));
  }

  private static BackupStage firstStage(BackupSpec spec) {
    return spec.quiesce().isPresent() ? BackupStage.QUIESCE : BackupStage.SNAPSHOT;
  }

  // ---------------------------------------------------------------- the backup in flight

  /**
   * The next step of a backup in flight. It goes before Git changes and commands: once a quiesce
   * hook ran, the resume hook must run whatever else happens, and the timeout bounds the wait.
   */
  static Optional<Action> inFlight(RolloutSpec spec, RolloutState state, Observation obs) {
    Backup b = state.backup();
    if (b == null || !b.stage().inFlight()) {
      return Optional.empty();
    }
    if (spec.backup().isEmpty()) {
      return Optional.of(
          fail(spec, state, obs, b, "policy", "the policy no longer asks for backups"));
    }
    BackupSpec bs = spec.backup().get();
    Instant now = obs.now();
    Instant deadline = b.startedAt().plus(bs.timeout());
    boolean timedOut = now.isAfter(deadline);
    String timeout = "timed out after " + RolloutEngine.human(bs.timeout());
    List<String> claims = claims(bs, obs.sts());
    SnapshotSet set = obs.backups().sets().get(b.id());
    switch (b.stage()) {
      case QUIESCE -> {
        if (bs.quiesce().isEmpty()) {
          return Optional.of(take(bs, state, b.at(BackupStage.SNAPSHOT), claims, obs));
        }
        HookRun run = obs.backups().hooks().get(hookRunId(b.id(), QUIESCE));
        if (run == null || run.phase() == BackupView.HookPhase.RUNNING) {
          if (timedOut) {
            return Optional.of(
                afterSnapshots(spec, state, obs, b.failing("quiesce hook: " + timeout)));
          }
          if (run == null) {
            return Optional.of(hook(state, obs, b, QUIESCE, bs.quiesce().get()));
          }
          return Optional.of(
              wait(state, now, deadline, "backup " + b.id() + ": quiesce hook running"));
        }
        if (run.phase() == BackupView.HookPhase.FAILED) {
          // no snapshot of data the hook did not quiesce; resume all the same
          return Optional.of(
              afterSnapshots(spec, state, obs, b.failing("quiesce hook: " + run.message())));
        }
        return Optional.of(take(bs, state, b.at(BackupStage.SNAPSHOT), claims, obs));
      }
      case SNAPSHOT -> {
        List<String> missing = missing(claims, set);
        Optional<String> failure = set == null ? Optional.empty() : set.failure();
        if (failure.isPresent()) {
          return Optional.of(afterSnapshots(spec, state, obs, b.failing(failure.get())));
        }
        if (!missing.isEmpty()) {
          if (timedOut) {
            return Optional.of(
                afterSnapshots(
                    spec,
                    state,
                    obs,
                    b.failing(missing.get(0) + ": " + timeout + ", never created")));
          }
          return Optional.of(take(bs, state, b, claims, obs));
        }
        Optional<String> uncut =
            claims.stream().filter(c -> !set.byClaim().get(c).cut()).findFirst();
        if (uncut.isEmpty()) {
          return Optional.of(afterSnapshots(spec, state, obs, b));
        }
        if (timedOut) {
          return Optional.of(
              afterSnapshots(
                  spec, state, obs, b.failing(uncut.get() + ": " + timeout + ", not taken")));
        }
        return Optional.of(
            wait(
                state,
                now,
                deadline,
                "backup " + b.id() + ": waiting for " + uncut.get() + " to be taken"));
      }
      case RESUME -> {
        if (bs.resume().isEmpty()) {
          return Optional.of(afterResume(spec, state, obs, b));
        }
        HookRun run = obs.backups().hooks().get(hookRunId(b.id(), RESUME));
        if (run == null) {
          return Optional.of(hook(state, obs, b, RESUME, bs.resume().get()));
        }
        if (run.phase() == BackupView.HookPhase.RUNNING) {
          // not bounded by the backup's timeout: a resume hook has its own, and must finish
          return Optional.of(
              new Action.Wait(state, RECHECK, "backup " + b.id() + ": resume hook running"));
        }
        if (run.phase() == BackupView.HookPhase.FAILED) {
          String why = "resume hook: " + run.message();
          return Optional.of(
              afterResume(
                  spec,
                  state,
                  obs,
                  b.failing(b.failure().isEmpty() ? why : b.failure() + "; " + why)));
        }
        return Optional.of(afterResume(spec, state, obs, b));
      }
      default -> {
        // READYING: the snapshots are cut; wait until each is readyToUse
        Optional<String> failure = set == null ? Optional.empty() : set.failure();
        if (failure.isPresent()) {
          return Optional.of(fail(spec, state, obs, b, failure.get()));
        }
        Optional<String> unready =
            claims.stream().filter(c -> set == null || !set.restorable(c)).findFirst();
        if (unready.isEmpty()) {
          return Optional.of(ready(spec, state, obs, b, claims.size()));
        }
        if (timedOut) {
          return Optional.of(
              fail(spec, state, obs, b, unready.get() + ": " + timeout + ", not readyToUse"));
        }
        return Optional.of(
            wait(
                state,
                now,
                deadline,
                "backup " + b.id() + ": waiting for " + unready.get() + " to be readyToUse"));
      }
    }
  }

  private static List<String> missing(List<String> claims, SnapshotSet set) {
    return claims.stream().filter(c -> set == null || !set.byClaim().containsKey(c)).toList();
  }

  private static Action hook(
      RolloutState state, Observation obs, Backup b, String phase, BackupSpec.Hook hook) {
    List<String> pods = new ArrayList<>();
    for (int o = 0; o < obs.sts().replicas(); o++) {
      pods.add(obs.sts().name() + "-" + o);
    }
    BackupStage stage = phase.equals(QUIESCE) ? BackupStage.QUIESCE : BackupStage.RESUME;
    return new Action.Volume(
        new VolumeOp.RunHook(hookRunId(b.id(), phase), b.id(), phase, hook, pods),
        state.withBackup(b.at(stage)),
        Set.of(),
        new RolloutEvent.BackupHook(b.id(), phase, hook.describe(), pods.size()));
  }

  private static Action take(
      BackupSpec bs, RolloutState state, Backup b, List<String> claims, Observation obs) {
    return new Action.Volume(
        new VolumeOp.TakeSnapshots(
            b.id(),
            claims,
            obs.sts().currentRevision(),
            b.manual() ? "" : state.source().commit(),
            bs.volumeSnapshotClassName()),
        state.withBackup(b),
        Set.of(),
        new RolloutEvent.SnapshotsRequested(b.id(), claims));
  }

  /** The snapshots are cut (or failed): resume, or go on to readiness or failure. */
  private static Action afterSnapshots(
      RolloutSpec spec, RolloutState state, Observation obs, Backup b) {
    BackupSpec bs = spec.backup().orElseThrow();
    if (bs.resume().isPresent()) {
      return hook(state, obs, b, RESUME, bs.resume().get());
    }
    return afterResume(spec, state, obs, b);
  }

  private static Action afterResume(
      RolloutSpec spec, RolloutState state, Observation obs, Backup b) {
    if (!b.failure().isEmpty()) {
      return fail(spec, state, obs, b, b.failure());
    }
    return new Action.UpdateState(
        state.withBackup(b.at(BackupStage.READYING)),
        Set.of(),
        new RolloutEvent.SnapshotsTaken(
            b.id(), claims(spec.backup().orElseThrow(), obs.sts()).size()));
  }

  private static Action wait(RolloutState state, Instant now, Instant deadline, String why) {
    Duration left = Duration.between(now, deadline).plusMillis(1);
    return new Action.Wait(state, left.compareTo(RECHECK) < 0 ? left : RECHECK, why);
  }

  private static Action ready(
      RolloutSpec spec, RolloutState state, Observation obs, Backup b, int claims) {
    Backup done = b.at(BackupStage.READY);
    RolloutEvent event =
        new RolloutEvent.BackupReady(
            b.id(), claims, Duration.between(b.startedAt(), obs.now()), b.manual());
    if (b.manual()) {
      return new Action.UpdateState(state.withBackup(done), Set.of(), event);
    }
    // The rollout's clock starts now: the progress deadline is about pods, not about snapshots.
    RolloutState next =
        RolloutEngine.enterStep(spec, state.withBackup(done), state.stepIndex(), obs);
    return new Action.UpdateState(next, Set.of(), event);
  }

  private static Action fail(
      RolloutSpec spec, RolloutState state, Observation obs, Backup b, String failure) {
    int colon = failure.indexOf(": ");
    String what = colon < 0 ? "backup" : failure.substring(0, colon);
    String why = colon < 0 ? failure : failure.substring(colon + 2);
    return fail(spec, state, obs, b, what, why);
  }

  private static Action fail(
      RolloutSpec spec, RolloutState state, Observation obs, Backup b, String what, String why) {
    Backup failed = b.failing(what + ": " + why).at(BackupStage.FAILED);
    Duration took = Duration.between(b.startedAt(), obs.now());
    if (b.manual() || spec.backup().isEmpty()) {
      RolloutState next = state.withBackup(failed);
      if (!b.manual()) {
        next = next.with(RolloutEngine.stepStatus(spec, next, obs.sts()));
      }
      return new Action.UpdateState(
          next, Set.of(), new RolloutEvent.BackupFailed(b.id(), what, why, took, false));
    }
    String detail =
        "backup "
            + b.id()
            + " failed ("
            + what
            + ": "
            + why
            + "); the rollout to "
            + state.targetRevision()
            + " did not start";
    RolloutState next = state.withBackup(failed).rollingBack(PhaseReason.BACKUP_FAILED, detail);
    boolean nothingMoved =
        RolloutEngine.inRange(obs).stream()
            .allMatch(p -> p.revision().equals(state.stableRevision()));
    if (nothingMoved) {
      next =
          next.with(new RolloutState.Status(Phase.ROLLED_BACK, PhaseReason.BACKUP_FAILED, detail));
    }
    return RolloutEngine.hold(
        next, obs, Set.of(), new RolloutEvent.BackupFailed(b.id(), what, why, took, true));
  }

  // ---------------------------------------------------------------- manual backups

  /** {@code ordinal backup create}: a backup now, outside a rollout. */
  static Action manualBackup(RolloutSpec spec, RolloutState state, Observation obs) {
    Set<Command> consumed = Set.of(Command.BACKUP);
    if (spec.backup().isEmpty()) {
      return RolloutEngine.ignored(state, Command.BACKUP, "the policy has no backup section");
    }
    if (state.phase() != Phase.HEALTHY) {
      // A rolled-back rollout keeps its backup referenced: a restore from it may still come.
      return RolloutEngine.ignored(
          state,
          Command.BACKUP,
          state.phase().stepping() || state.phase() == Phase.DEGRADED
              ? "a rollout is in progress; it took its backup when it started"
              : "the rolled-back rollout's backup stays the one a restore uses; back up once"
                  + " Git moves on");
    }
    BackupSpec bs = spec.backup().get();
    Backup previous = state.backup();
    Backup b = Backup.starting(newId(obs, state), firstStage(bs), obs.now(), true);
    if (previous != null) {
      // what a restore would cover stays with the rollout it belongs to
      b = b.withRanTarget(previous.ranTarget()).withRestored(previous.restored());
    }
    return new Action.UpdateState(
        state.withBackup(b),
        consumed,
        new RolloutEvent.BackupStarted(b.id(), claims(bs, obs.sts()).size(), ""));
  }

  // ---------------------------------------------------------------- what a restore covers

  /**
   * Records pods seen on the target revision since the backup: their volumes hold what the target
   * wrote, so a restore must cover them. Recorded before anything else is decided about them (a
   * rollback may delete them next).
   */
  static Optional<Action> recordScope(RolloutSpec spec, RolloutState state, Observation obs) {
    Backup b = state.backup();
    if (b == null
        || b.manual()
        || b.stage() != BackupStage.READY
        || spec.backup().isEmpty()
        || spec.backup().get().restoreOnRollback() == BackupSpec.RestoreOnRollback.NEVER
        || state.targetRevision().equals(state.stableRevision())
        || !(state.phase().stepping() || state.phase() == Phase.DEGRADED)) {
      return Optional.empty();
    }
    TreeSet<Integer> ran = new TreeSet<>(b.ranTarget());
    boolean grew = false;
    for (PodView p : obs.pods()) {
      if (p.revision().equals(state.targetRevision()) && ran.add(p.ordinal())) {
        grew = true;
      }
    }
    if (!grew) {
      return Optional.empty();
    }
    List<String> pods = ran.stream().map(o -> obs.sts().name() + "-" + o).toList();
    return Optional.of(
        new Action.UpdateState(
            state.withBackup(b.withRanTarget(ran)),
            Set.of(),
            new RolloutEvent.RestoreScope(b.id(), pods)));
  }

  // ---------------------------------------------------------------- starting a restore

  /** A rollback under {@code restoreOnRollback: auto} restores once, when the hold is in place. */
  static Optional<Action> autoRestore(RolloutSpec spec, RolloutState state, Observation obs) {
    Backup b = state.backup();
    StatefulSetView sts = obs.sts();
    if (state.phase() != Phase.DEGRADED
        || spec.backup().isEmpty()
        || spec.backup().get().restoreOnRollback() != BackupSpec.RestoreOnRollback.AUTO
        || b == null
        || b.manual()
        || b.stage() != BackupStage.READY
        || b.ranTarget().isEmpty()
        || !b.restored().isEmpty()
        || sts.strategy() != UpdateStrategy.ROLLING_UPDATE
        || sts.partition() < sts.replicas()) {
      return Optional.empty();
    }
    return Optional.of(restore(spec, state, obs, b.id(), true, Set.of()));
  }

  /** {@code ordinal backup restore ID}, or the {@code restore} annotation. */
  static Action restoreCommand(RolloutSpec spec, RolloutState state, Observation obs) {
    String id = obs.commandArgs().getOrDefault(Command.RESTORE, "");
    if (id.isEmpty() && state.backup() != null) {
      id = state.backup().id();
    }
    return restore(spec, state, obs, id, false, Set.of(Command.RESTORE));
  }

  private static Action restore(
      RolloutSpec spec,
      RolloutState state,
      Observation obs,
      String backupId,
      boolean auto,
      Set<Command> consumes) {
    StatefulSetView sts = obs.sts();
    Optional<String> refusal = refusal(spec, state, obs, backupId);
    if (refusal.isPresent()) {
      if (auto) {
        // never retried on its own: the rollback goes on pod by pod, the volumes stay as they are
        String id = restoreId(state, backupId, obs.now());
        return new Action.UpdateState(
            state.withBackup(state.backup().withRestored(id)),
            consumes,
            new RolloutEvent.RestoreFailed(id, backupId, refusal.get(), Duration.ZERO));
      }
      return RolloutEngine.ignored(state, Command.RESTORE, refusal.get());
    }
    SnapshotSet set = obs.backups().sets().get(backupId);
    List<Integer> ordinals = restorableOrdinals(state.backup().ranTarget(), set, sts);
    String id = restoreId(state, backupId, obs.now());
    Restore r =
        new Restore(
            id,
            backupId,
            ordinals,
            sts.replicas(),
            RestoreStage.SCALE_DOWN,
            obs.now(),
            obs.now(),
            auto);
    List<String> claims = claimsOf(r, set, sts);
    RolloutState next = state.withRestore(r).withBackup(state.backup().withRestored(id));
    return new Action.SetReplicas(
        r.lowest(),
        Math.max(sts.partition(), sts.replicas()),
        next,
        consumes,
        new RolloutEvent.RestoreStarted(id, backupId, claims, r.lowest(), auto));
  }

  /** Why a restore from {@code backupId} cannot start now; empty when it can. */
  private static Optional<String> refusal(
      RolloutSpec spec, RolloutState state, Observation obs, String backupId) {
    StatefulSetView sts = obs.sts();
    Backup b = state.backup();
    if (spec.backup().isEmpty()) {
      return Optional.of("the policy has no backup section");
    }
    if (spec.backup().get().restoreOnRollback() == BackupSpec.RestoreOnRollback.NEVER) {
      return Optional.of("the policy says restoreOnRollback: never");
    }
    if (state.phase() != Phase.DEGRADED && state.phase() != Phase.ROLLED_BACK) {
      return Optional.of(
          "restores undo a rolled-back revision's writes, and "
              + sts.key()
              + " is "
              + state.phase().displayName());
    }
    if (b == null || b.ranTarget().isEmpty()) {
      return Optional.of("no pod ran " + state.targetRevision() + " on its volumes since a backup");
    }
    if (sts.strategy() != UpdateStrategy.ROLLING_UPDATE) {
      return Optional.of(
          "OnDelete recreates pods from the template, which is "
              + state.targetRevision()
              + "; revert the change in Git");
    }
    if (!sts.currentRevision().equals(state.stableRevision())) {
      return Optional.of(
          "the StatefulSet controller would bring the pods back on "
              + sts.currentRevision()
              + ", not "
              + state.stableRevision());
    }
    SnapshotSet set = obs.backups().sets().get(backupId);
    if (backupId.isEmpty() || set == null) {
      return Optional.of("no backup '" + backupId + "' of " + sts.key());
    }
    List<Integer> ordinals = restorableOrdinals(b.ranTarget(), set, sts);
    if (ordinals.isEmpty()) {
      return Optional.of(
          "backup " + backupId + " has no snapshot of the claims of " + pods(b.ranTarget(), sts));
    }
    if (ordinals.get(0) == 0) {
      // At zero replicas the controller would take the update revision as current and bring every
      // pod back on the failed one.
      return Optional.of(
          sts.name()
              + "-0 ran "
              + state.targetRevision()
              + ": replacing its claims needs zero replicas, at which the StatefulSet controller"
              + " would adopt that revision; revert the change in Git, then restore by hand");
    }
    for (String claim : claimsOf(ordinals, set, sts)) {
      if (!set.restorable(claim)) {
        return Optional.of("backup " + backupId + " has no readyToUse snapshot of " + claim);
      }
    }
    return Optional.empty();
  }

  private static String restoreId(RolloutState state, String backupId, Instant now) {
    String base = backupId + "@" + now.getEpochSecond();
    String last = state.backup() == null ? "" : state.backup().restored();
    String id = base;
    for (int n = 2; id.equals(last); n++) {
      id = base + "-" + n;
    }
    return id;
  }

  /**
   * The ordinals that ran the target and have claims in the set: an ordinal the StatefulSet grew
   * during the rollout has no pre-rollout copy, so its claim is left as it is.
   */
  private static List<Integer> restorableOrdinals(
      List<Integer> ranTarget, SnapshotSet set, StatefulSetView sts) {
    List<Integer> ordinals = new ArrayList<>();
    if (set == null) {
      return ordinals;
    }
    for (int o : ranTarget) {
      if (!claimsOf(List.of(o), set, sts).isEmpty()) {
        ordinals.add(o);
      }
    }
    return ordinals;
  }

  /** The set's claims of these ordinals, sorted. */
  private static List<String> claimsOf(
      List<Integer> ordinals, SnapshotSet set, StatefulSetView sts) {
    List<String> claims = new ArrayList<>();
    for (String claim : set.byClaim().keySet()) {
      for (int o : ordinals) {
        if (claim.endsWith("-" + sts.name() + "-" + o)) {
          claims.add(claim);
        }
      }
    }
    claims.sort(null);
    return claims;
  }

  private static List<String> claimsOf(Restore r, SnapshotSet set, StatefulSetView sts) {
    return set == null ? List.of() : claimsOf(r.ordinals(), set, sts);
  }

  private static String pods(List<Integer> ordinals, StatefulSetView sts) {
    return String.join(", ", ordinals.stream().map(o -> sts.name() + "-" + o).toList());
  }

  // ---------------------------------------------------------------- the restore in progress

  /** The next step of the restore in progress; it goes before everything else. */
  static Optional<Action> restoring(RolloutSpec spec, RolloutState state, Observation obs) {
    Restore r = state.restore();
    if (r == null) {
      return Optional.empty();
    }
    StatefulSetView sts = obs.sts();
    int low = r.lowest();
    SnapshotSet set = obs.backups().sets().get(r.backupId());
    List<String> claims = claimsOf(r, set, sts);
    Instant now = obs.now();
    Duration stepLimit = spec.backup().map(BackupSpec::timeout).orElse(BackupSpec.DEFAULT_TIMEOUT);
    switch (r.stage()) {
      case SCALE_DOWN -> {
        if (sts.replicas() != low) {
          return Optional.of(replicas(state, low, null, "holding replicas at " + low));
        }
        Optional<PodView> left = obs.pods().stream().filter(p -> p.ordinal() >= low).findFirst();
        if (left.isEmpty()) {
          return Optional.of(
              new Action.UpdateState(
                  state.withRestore(r.at(RestoreStage.REPLACE, now)),
                  Set.of(),
                  new RolloutEvent.RestoreProgress(
                      r.id(),
                      pods(r.ordinals(), sts) + " gone; replacing " + String.join(", ", claims))));
        }
        if (now.isAfter(r.stageAt().plus(stepLimit))) {
          // no claim was touched yet: give up safely and bring the pods back as they were
          return Optional.of(
              abandon(
                  state,
                  obs,
                  r,
                  left.get().name()
                      + " did not go within "
                      + RolloutEngine.human(stepLimit)
                      + "; no claim was touched"));
        }
        return Optional.of(
            new Action.Wait(
                state,
                RECHECK,
                "restore " + r.id() + ": waiting for " + left.get().name() + " to go"));
      }
      case REPLACE -> {
        if (sts.replicas() != low) {
          return Optional.of(replicas(state, low, null, "holding replicas at " + low));
        }
        Optional<PodView> back = obs.pods().stream().filter(p -> p.ordinal() >= low).findFirst();
        if (back.isPresent()) {
          // a pod must never use a claim being replaced
          return Optional.of(
              new Action.Wait(
                  state,
                  RECHECK,
                  "restore " + r.id() + ": waiting for " + back.get().name() + " to go"));
        }
        return Optional.of(replace(state, obs, r, set, claims));
      }
      default -> {
        // SCALE_UP: the replicas are back; wait for the restored pods
        List<String> waiting = new ArrayList<>();
        for (int o : r.ordinals()) {
          if (o >= sts.replicas()) {
            continue;
          }
          Optional<PodView> p = obs.pod(o);
          if (p.isEmpty()
              || !p.get().available()
              || !p.get().revision().equals(state.stableRevision())) {
            waiting.add(sts.name() + "-" + o);
          }
        }
        Duration took = Duration.between(r.startedAt(), now);
        if (waiting.isEmpty()) {
          return Optional.of(
              new Action.UpdateState(
                  state.withRestore(null),
                  Set.of(),
                  new RolloutEvent.RestoreCompleted(r.id(), r.backupId(), claims, took, true)));
        }
        Instant deadline = r.stageAt().plus(spec.progressDeadline());
        if (!now.isBefore(deadline)) {
          return Optional.of(
              new Action.UpdateState(
                  state.withRestore(null),
                  Set.of(),
                  new RolloutEvent.RestoreCompleted(r.id(), r.backupId(), claims, took, false)));
        }
        return Optional.of(
            wait(
                state,
                now,
                deadline,
                "restore "
                    + r.id()
                    + ": waiting for "
                    + waiting.get(0)
                    + " to be Ready on "
                    + state.stableRevision()));
      }
    }
  }

  /**
   * One claim step: delete the claims still holding the target's writes (each only with a ready
   * snapshot of it), wait until they are gone, create each from its snapshot, then bring the
   * replicas back. Deletions come first so the steps are the same whatever the timing.
   */
  private static Action replace(
      RolloutState state, Observation obs, Restore r, SnapshotSet set, List<String> claims) {
    StatefulSetView sts = obs.sts();
    List<String> skipped = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    List<String> absent = new ArrayList<>();
    for (String claim : claims) {
      BackupView.Claim c = obs.backups().claims().get(claim);
      boolean restorable = set != null && set.restorable(claim);
      if (c == null) {
        if (ordinalOf(claim) >= r.replicas() && sts.claimsDeletedOnScaleDown()) {
          continue; // whenScaled: Delete; no pod will use it, so none is made
        }
        absent.add(claim);
      } else if (c.terminating()) {
        pending.add(claim);
      } else if (!c.restoreId().equals(r.id())) {
        if (!restorable) {
          skipped.add(claim); // no ready snapshot: never deleted
          continue;
        }
        return new Action.Volume(
            new VolumeOp.DeleteClaim(claim, c.uid(), r.backupId()),
            state,
            Set.of(),
            new RolloutEvent.RestoreProgress(
                r.id(), "deleting " + claim + " (its snapshot is readyToUse)"));
      }
    }
    if (!pending.isEmpty()) {
      return new Action.Wait(
          state,
          RECHECK,
          "restore " + r.id() + ": waiting for " + pending.get(0) + " to be deleted");
    }
    for (String claim : absent) {
      if (set != null && set.restorable(claim)) {
        return new Action.Volume(
            new VolumeOp.RestoreClaim(claim, r.backupId(), r.id()),
            state,
            Set.of(),
            new RolloutEvent.RestoreProgress(
                r.id(), "creating " + claim + " from " + set.byClaim().get(claim).name()));
      }
    }
    if (!absent.isEmpty()) {
      // Replicas stay down: a pod would come up on an empty claim.
      return new Action.Wait(
          state,
          RECHECK,
          "restore "
              + r.id()
              + ": "
              + absent.get(0)
              + " is gone and backup "
              + r.backupId()
              + " has no readyToUse snapshot of it; replicas stay at "
              + sts.replicas()
              + " until the claim exists");
    }
    if (!skipped.isEmpty() && skipped.size() == claims.size()) {
      return abandon(state, obs, r, "no readyToUse snapshot of " + String.join(", ", skipped));
    }
    String step =
        "claims restored"
            + (skipped.isEmpty()
                ? ""
                : " (left as they were, no ready snapshot: " + String.join(", ", skipped) + ")")
            + "; replicas back to "
            + r.replicas();
    return replicas(
        state.withRestore(r.at(RestoreStage.SCALE_UP, obs.now())),
        r.replicas(),
        sts.strategy() == UpdateStrategy.ROLLING_UPDATE
            ? Math.max(sts.partition(), r.replicas())
            : null,
        step);
  }

  /** Ends a restore that touched no claim: the replicas go back, the restore is over. */
  private static Action abandon(RolloutState state, Observation obs, Restore r, String why) {
    return new Action.SetReplicas(
        r.replicas(),
        null,
        state.withRestore(null),
        Set.of(),
        new RolloutEvent.RestoreFailed(
            r.id(), r.backupId(), why, Duration.between(r.startedAt(), obs.now())));
  }

  private static Action replicas(RolloutState state, int replicas, Integer partition, String step) {
    return new Action.SetReplicas(
        replicas,
        partition,
        state,
        Set.of(),
        new RolloutEvent.RestoreProgress(state.restore().id(), step));
  }

  private static int ordinalOf(String claim) {
    try {
      return Integer.parseInt(claim.substring(claim.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ---------------------------------------------------------------- retention

  /**
   * Housekeeping when nothing else is due: delete sets that failed or are incomplete, then complete
   * sets older than the newest {@code keep}, oldest first. Never the state's backup (unless it
   * failed) or the set a restore uses: those stay beyond {@code keep}.
   */
  static Optional<Action> retention(RolloutSpec spec, RolloutState state, Observation obs) {
    if (spec.backup().isEmpty() || obs.backups().sets().isEmpty()) {
      return Optional.empty();
    }
    Set<String> referenced = new TreeSet<>();
    if (state.backup() != null && state.backup().stage() != BackupStage.FAILED) {
      referenced.add(state.backup().id());
    }
    if (state.restore() != null) {
      referenced.add(state.restore().backupId());
    }
    List<SnapshotSet> sets =
        obs.backups().sets().values().stream()
            .sorted(Comparator.comparing(SnapshotSet::createdAt).thenComparing(SnapshotSet::id))
            .toList();
    String failedHere =
        state.backup() != null && state.backup().stage() == BackupStage.FAILED
            ? state.backup().id()
            : "";
    Duration timeout = spec.backup().get().timeout();
    for (SnapshotSet set : sets) {
      if (referenced.contains(set.id()) || set.deleting() || set.complete()) {
        continue;
      }
      // An incomplete set nothing failed may still be on its way (someone else's): only once it
      // is older than a backup may take is it garbage.
      boolean stale = obs.now().isAfter(set.createdAt().plus(timeout));
      if (set.failure().isPresent() || set.id().equals(failedHere) || stale) {
        return Optional.of(
            deleteSet(
                state,
                set.id(),
                set.failure()
                    .map(f -> "it failed (" + f + ")")
                    .orElse(set.id().equals(failedHere) ? "it failed" : "it never completed")));
      }
    }
    // The newest keep complete sets stay, and so does any set the state references.
    List<SnapshotSet> complete = sets.stream().filter(SnapshotSet::complete).toList();
    int keep = spec.backup().get().keep();
    for (SnapshotSet set : complete.subList(0, Math.max(0, complete.size() - keep))) {
      if (!referenced.contains(set.id())) {
        return Optional.of(
            deleteSet(state, set.id(), "older than the newest " + keep + " (keep: " + keep + ")"));
      }
    }
    return Optional.empty();
  }

  private static Action deleteSet(RolloutState state, String id, String why) {
    return new Action.Volume(
        new VolumeOp.DeleteSet(id), state, Set.of(), new RolloutEvent.BackupDeleted(id, why));
  }
}
