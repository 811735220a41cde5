package dev.ordinal.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.rollout.BackupSpec;
import dev.ordinal.rollout.BackupView;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.VolumeOp;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the engine's volume requests ({@link VolumeOp}) through the {@link Volumes} port and
 * reports what the cluster shows as a {@link BackupView}, the way the analysis runner does for
 * analysis runs. Every request is idempotent: snapshots, claims and Jobs have names derived from
 * the backup id, so a request repeated after a crash finds what the first one made.
 *
 * <p>Hooks run on threads of their own, so a slow quiesce never holds up other StatefulSets. An
 * exec hook's outcome lives in this process only: after a restart the engine asks for it again and
 * the hook runs again, so exec hooks must be safe to repeat. A Job hook's outcome is the Job
 * itself.
 */
public final class BackupManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackupManager.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int OUTPUT_TAIL = 300;

  /** Slack past a Job's own deadline before Ordinal counts it as timed out. */
  static final Duration JOB_GRACE = Duration.ofSeconds(30);

  /** What one request did: {@code done} false when it was refused, {@code detail} says why. */
  public record Outcome(boolean done, String detail) {
    static final Outcome DONE = new Outcome(true, "");

    static Outcome refused(String why) {
      return new Outcome(false, why);
    }
  }

  /**
   * The claim a snapshot copies, recorded on the snapshot so a restore can create it again even
   * when the claim is already gone.
   */
  record ClaimSpec(
      String storageClassName,
      List<String> accessModes,
      String volumeMode,
      String storage,
      Map<String, String> labels) {}

  private record JobRun(String namespace, String name, Duration timeout) {}

  private final Volumes volumes;
  private final Clock clock;
  private final ExecutorService hooks;
  private final Map<String, BackupView.HookRun> runs = new ConcurrentHashMap<>();
  private final Map<String, JobRun> jobs = new ConcurrentHashMap<>();

  /**
   * Snapshots this process created that the cache may not list yet, and the ones it could not
   * create (with the error), by {@code namespace/name}: so a decision right after a request sees
   * it.
   */
  private final Map<String, VolumeSnapshot> requested = new ConcurrentHashMap<>();

  private final Map<String, String> claimOwners = new ConcurrentHashMap<>();
  private volatile Consumer<String> changed = key -> {};

  /**
   * Where backups may happen, and so what is watched: the operator allows backups per app, and
   * Ordinal's RBAC grants snapshots, claims and Jobs only there.
   *
   * @param any no limit: every namespace of the rollout loop, Jobs included
   * @param namespaces where apps may take backups (when not {@code any})
   * @param jobs those of them whose policies may run Job hooks
   */
  public record Scope(boolean any, Set<String> namespaces, Set<String> jobs) {
    public static final Scope ANY = new Scope(true, Set.of(), Set.of());

    public Scope {
      namespaces = Set.copyOf(namespaces);
      jobs = Set.copyOf(jobs);
    }

    /** Whether backups may happen in {@code namespace}. */
    public boolean allows(String namespace) {
      return any || namespaces.contains(namespace);
    }

    /** Backups in {@code namespaces}, Job hooks in {@code jobs}. */
    public static Scope of(Set<String> namespaces, Set<String> jobs) {
      return new Scope(false, namespaces, jobs);
    }
  }

  private final Scope scope;

  /** A manager that may act and watch in every namespace of the rollout loop. */
  public BackupManager(Volumes volumes, Clock clock) {
    this(volumes, clock, Scope.ANY);
  }

  public BackupManager(Volumes volumes, Clock clock, Scope scope) {
    this.volumes = Objects.requireNonNull(volumes);
    this.clock = Objects.requireNonNull(clock);
    this.scope = Objects.requireNonNull(scope);
    this.hooks =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "ordinal-backup-hook");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts telling {@code changed} the key ({@code namespace/name}) of a StatefulSet whose
   * snapshots, hook runs or restored claims changed.
   */
  public AutoCloseable watch(Set<String> namespaces, Consumer<String> changed) {
    this.changed = Objects.requireNonNull(changed);
    Volumes.VolumeListener listener = listener(changed);
    if (scope.any()) {
      return volumes.watchVolumes(namespaces, true, listener);
    }
    // Only where backups may happen: elsewhere Ordinal has no right to list snapshots or Jobs.
    Set<String> watched = new TreeSet<>(scope.namespaces());
    if (!namespaces.isEmpty()) {
      watched.retainAll(namespaces);
    }
    Set<String> withJobs = new TreeSet<>(watched);
    withJobs.retainAll(scope.jobs());
    Set<String> withoutJobs = new TreeSet<>(watched);
    withoutJobs.removeAll(withJobs);
    List<AutoCloseable> handles = new ArrayList<>();
    if (!withJobs.isEmpty()) {
      handles.add(volumes.watchVolumes(withJobs, true, listener));
    }
    if (!withoutJobs.isEmpty()) {
      handles.add(volumes.watchVolumes(withoutJobs, false, listener));
    }
    return () -> {
      for (AutoCloseable handle : handles) {
        handle.close();
      }
    };
  }

  private Volumes.VolumeListener listener(Consumer<String> changed) {
    return new Volumes.VolumeListener() {
      @Override
      public void snapshotChanged(String namespace, String statefulSet) {
        changed.accept(namespace + "/" + statefulSet);
      }

      @Override
      public void claimChanged(String namespace, String claim) {
        String owner = claimOwners.get(namespace + "/" + claim);
        if (owner != null) {
          changed.accept(owner);
        }
      }

      @Override
      public void jobChanged(String namespace, String statefulSet) {
        changed.accept(namespace + "/" + statefulSet);
      }
    };
  }

  // ------------------------------------------------------------------ what the engine sees

  /**
   * The StatefulSet's sets, the hook runs of the state's backup in flight, and the claims of the
   * state's restore.
   */
  public BackupView view(String namespace, String statefulSet, Optional<RolloutState> state) {
    if (!scope.allows(namespace)) {
      return BackupView.NONE; // nothing to read there, and no right to
    }
    Map<String, BackupSets.Listed> listed = sets(namespace, statefulSet);
    Map<String, BackupView.SnapshotSet> sets = new LinkedHashMap<>();
    listed.forEach((id, set) -> sets.put(id, BackupSets.view(set)));
    Map<String, BackupView.HookRun> hookRuns = new HashMap<>();
    Map<String, BackupView.Claim> claims = new HashMap<>();
    RolloutState.Backup backup = state.flatMap(RolloutState::lastBackup).orElse(null);
    if (backup != null && backup.stage().inFlight()) {
      for (String phase : BackupNames.HOOK_PHASES) {
        String runId = backup.id() + "/" + phase;
        hookRun(namespace, statefulSet, runId).ifPresent(run -> hookRuns.put(runId, run));
      }
    }
    RolloutState.Restore restore = state.flatMap(RolloutState::restoring).orElse(null);
    BackupSets.Listed set = restore == null ? null : listed.get(restore.backupId());
    if (set != null) {
      for (VolumeSnapshot s : set.snapshots()) {
        for (int o : restore.ordinals()) {
          if (s.claim().endsWith("-" + statefulSet + "-" + o)) {
            claimOwners.put(namespace + "/" + s.claim(), namespace + "/" + statefulSet);
            claim(namespace, s.claim()).ifPresent(c -> claims.put(c.name(), c));
          }
        }
      }
    }
    return new BackupView(sets, hookRuns, claims);
  }

  /**
   * The StatefulSet's sets as the cluster lists them, with the snapshots this process created and
   * the cache does not show yet, and the ones it could not create.
   */
  Map<String, BackupSets.Listed> sets(String namespace, String statefulSet) {
    List<VolumeSnapshot> listed =
        new ArrayList<>(volumes.snapshots(namespace, BackupNames.ofStatefulSet(statefulSet)));
    Set<String> names = new HashSet<>();
    listed.forEach(s -> names.add(s.name()));
    String prefix = namespace + "/";
    requested.forEach(
        (key, s) -> {
          if (!key.startsWith(prefix) || !s.label(BackupNames.STATEFULSET).equals(statefulSet)) {
            return;
          }
          if (names.contains(s.name())) {
            requested.remove(key); // the cache has caught up
          } else {
            listed.add(s);
          }
        });
    return BackupSets.group(listed);
  }

  private Optional<BackupView.HookRun> hookRun(String namespace, String sts, String runId) {
    String key = namespace + "/" + sts + "/" + runId;
    BackupView.HookRun run = runs.get(key);
    if (run == null || run.phase() != BackupView.HookPhase.RUNNING || !jobs.containsKey(key)) {
      return Optional.ofNullable(run);
    }
    JobRun job = jobs.get(key);
    BackupView.HookRun now = jobStatus(job);
    if (now.phase() != BackupView.HookPhase.RUNNING) {
      runs.put(key, now);
    }
    return Optional.of(now);
  }

  private BackupView.HookRun jobStatus(JobRun run) {
    Optional<Job> job = volumes.job(run.namespace(), run.name());
    if (job.isEmpty()) {
      return new BackupView.HookRun(BackupView.HookPhase.FAILED, "job " + run.name() + " is gone");
    }
    Job j = job.get();
    if (j.getStatus() != null && j.getStatus().getConditions() != null) {
      for (JobCondition c : j.getStatus().getConditions()) {
        if ("True".equals(c.getStatus()) && "Complete".equals(c.getType())) {
          return new BackupView.HookRun(BackupView.HookPhase.SUCCEEDED, "");
        }
        if ("True".equals(c.getStatus()) && "Failed".equals(c.getType())) {
          return new BackupView.HookRun(
              BackupView.HookPhase.FAILED,
              "job "
                  + run.name()
                  + " failed"
                  + (c.getReason() == null ? "" : " (" + c.getReason() + ")")
                  + (c.getMessage() == null ? "" : ": " + c.getMessage()));
        }
      }
    }
    Instant created =
        j.getMetadata().getCreationTimestamp() == null
            ? clock.instant()
            : Instant.parse(j.getMetadata().getCreationTimestamp());
    if (clock.instant().isAfter(created.plus(run.timeout()).plus(JOB_GRACE))) {
      return new BackupView.HookRun(
          BackupView.HookPhase.FAILED,
          "job " + run.name() + " timed out after " + run.timeout().toSeconds() + "s");
    }
    return new BackupView.HookRun(BackupView.HookPhase.RUNNING, "");
  }

  private Optional<BackupView.Claim> claim(String namespace, String name) {
    return volumes
        .claim(namespace, name)
        .map(
            c ->
                new BackupView.Claim(
                    name,
                    c.getMetadata().getUid(),
                    c.getMetadata().getDeletionTimestamp() != null,
                    c.getMetadata().getAnnotations() == null
                        ? ""
                        : c.getMetadata().getAnnotations().get(BackupNames.RESTORE_ID)));
  }

  // ------------------------------------------------------------------ requests

  /** Carries out one request of the engine for StatefulSet {@code statefulSet}. */
  public Outcome carryOut(String namespace, String statefulSet, VolumeOp op) {
    if (!scope.allows(namespace)) {
      return Outcome.refused(
          "Ordinal's config allows no backups in namespace "
              + namespace
              + " (apps[].boundary.backups)");
    }
    if (op instanceof VolumeOp.RunHook hook) {
      return runHook(namespace, statefulSet, hook);
    }
    if (op instanceof VolumeOp.TakeSnapshots take) {
      return takeSnapshots(namespace, statefulSet, take);
    }
    if (op instanceof VolumeOp.DeleteSet delete) {
      return deleteSet(namespace, statefulSet, delete.backupId());
    }
    if (op instanceof VolumeOp.DeleteClaim delete) {
      return deleteClaim(namespace, statefulSet, delete);
    }
    return restoreClaim(namespace, statefulSet, (VolumeOp.RestoreClaim) op);
  }

  private Outcome runHook(String namespace, String sts, VolumeOp.RunHook op) {
    String key = namespace + "/" + sts + "/" + op.runId();
    if (runs.putIfAbsent(key, new BackupView.HookRun(BackupView.HookPhase.RUNNING, "")) != null) {
      return Outcome.DONE;
    }
    if (op.hook() instanceof BackupSpec.Exec exec) {
      hooks.execute(() -> finish(key, namespace, sts, execInPods(namespace, op, exec)));
      return Outcome.DONE;
    }
    BackupSpec.Job hook = (BackupSpec.Job) op.hook();
    String name = BackupNames.job(sts, op.phase(), op.runId());
    try {
      volumes.createJob(job(namespace, sts, name, op, hook));
      jobs.put(key, new JobRun(namespace, name, hook.timeout()));
    } catch (RuntimeException e) {
      runs.put(
          key,
          new BackupView.HookRun(
              BackupView.HookPhase.FAILED, "cannot create job " + name + ": " + e.getMessage()));
    }
    return Outcome.DONE;
  }

  private void finish(String key, String namespace, String sts, BackupView.HookRun run) {
    runs.put(key, run);
    changed.accept(namespace + "/" + sts);
  }

  /** Every pod at once; the hook failed if any of them did. */
  private BackupView.HookRun execInPods(
      String namespace, VolumeOp.RunHook op, BackupSpec.Exec exec) {
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (String pod : op.pods()) {
      calls.add(CompletableFuture.supplyAsync(() -> execIn(namespace, pod, exec), hooks));
    }
    List<String> failures = new ArrayList<>();
    for (CompletableFuture<String> call : calls) {
      String failure = call.join();
      if (!failure.isEmpty()) {
        failures.add(failure);
      }
    }
    return failures.isEmpty()
        ? new BackupView.HookRun(BackupView.HookPhase.SUCCEEDED, "")
        : new BackupView.HookRun(BackupView.HookPhase.FAILED, String.join("; ", failures));
  }

  /** Runs the command in one pod: "" when it succeeded, else what went wrong. */
  private String execIn(String namespace, String pod, BackupSpec.Exec exec) {
    try {
      Volumes.ExecResult result =
          volumes.exec(namespace, pod, exec.container().orElse(""), exec.command(), exec.timeout());
      if (result.timedOut()) {
        return pod + ": timed out after " + exec.timeout().toSeconds() + "s";
      }
      if (result.exitCode() != 0) {
        return pod + ": exit " + result.exitCode() + tail(result.output());
      }
      return "";
    } catch (RuntimeException e) {
      return pod + ": " + e.getMessage();
    }
  }

  private static String tail(String output) {
    String text = output == null ? "" : output.strip();
    if (text.isEmpty()) {
      return "";
    }
    return ": "
        + (text.length() <= OUTPUT_TAIL
            ? text
            : "..." + text.substring(text.length() - OUTPUT_TAIL));
  }

  /**
   * The hook's Job: the policy's pod template, run once, told which backup and pods it is for
   * through {@code ORDINAL_*} environment variables.
   */
  private static Job job(
      String namespace, String sts, String name, VolumeOp.RunHook op, BackupSpec.Job hook) {
    PodTemplateSpec template;
    try {
      template = JSON.readValue(hook.template(), PodTemplateSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the hook's pod template does not read: " + e.getMessage());
    }
    if (template.getSpec().getRestartPolicy() == null) {
      template.getSpec().setRestartPolicy("Never");
    }
    List<EnvVar> env =
        List.of(
            new EnvVar("ORDINAL_NAMESPACE", namespace, null),
            new EnvVar("ORDINAL_STATEFULSET", sts, null),
            new EnvVar("ORDINAL_BACKUP_ID", op.backupId(), null),
            new EnvVar("ORDINAL_HOOK", op.phase(), null),
            new EnvVar("ORDINAL_PODS", String.join(" ", op.pods()), null));
    for (Container c : template.getSpec().getContainers()) {
      List<EnvVar> all = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
      all.addAll(env);
      c.setEnv(all);
    }
    Map<String, String> labels = new LinkedHashMap<>(BackupNames.ofSet(sts, op.backupId()));
    labels.put(BackupNames.HOOK, op.phase());
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(Math.max(1, hook.timeout().toSeconds()))
        .withTemplate(template)
        .endSpec()
        .build();
  }

  private Outcome takeSnapshots(String namespace, String sts, VolumeOp.TakeSnapshots op) {
    BackupSets.Listed existing = sets(namespace, sts).get(op.backupId());
    Set<String> have = new HashSet<>();
    if (existing != null) {
      existing.snapshots().forEach(s -> have.add(s.claim()));
    }
    for (String claim : op.claims()) {
      if (have.contains(claim)) {
        continue;
      }
      String name = BackupNames.snapshot(claim, sts, op.backupId());
      Map<String, String> labels = new LinkedHashMap<>(BackupNames.ofSet(sts, op.backupId()));
      labels.put(BackupNames.REVISION, op.revision());
      labels.put(BackupNames.COMMIT, op.commit());
      String error;
      try {
        error = snapshot(namespace, claim, name, labels, op);
      } catch (RuntimeException e) {
        error = "cannot create VolumeSnapshot " + name + ": " + e.getMessage();
      }
      requested.put(
          namespace + "/" + name,
          new VolumeSnapshot(
              name,
              "",
              labels,
              Map.of(BackupNames.SET_SIZE, Integer.toString(op.claims().size())),
              claim,
              op.volumeSnapshotClassName().orElse(""),
              false,
              false,
              error,
              "",
              clock.instant(),
              false));
    }
    return Outcome.DONE;
  }

  /** Creates the snapshot of one claim; "" when it exists now, else why it could not. */
  private String snapshot(
      String namespace,
      String claim,
      String name,
      Map<String, String> labels,
      VolumeOp.TakeSnapshots op) {
    Optional<PersistentVolumeClaim> pvc = volumes.claim(namespace, claim);
    if (pvc.isEmpty()) {
      return "claim " + claim + " not found";
    }
    Map<String, String> annotations =
        Map.of(
            BackupNames.SET_SIZE,
            Integer.toString(op.claims().size()),
            BackupNames.CLAIM,
            claimSpec(pvc.get()));
    VolumeSnapshot.Request request =
        new VolumeSnapshot.Request(
            namespace, name, claim, op.volumeSnapshotClassName().orElse(""), labels, annotations);
    if (volumes.createSnapshot(request) == Volumes.Created.EXISTS) {
      Optional<VolumeSnapshot> there = volumes.snapshot(namespace, name);
      if (there.isPresent()
          && !(there.get().label(BackupNames.BACKUP_ID).equals(op.backupId())
              && there.get().claim().equals(claim))) {
        return "a VolumeSnapshot named "
            + name
            + " exists and is not backup "
            + op.backupId()
            + "'s";
      }
    }
    return "";
  }

  private static String claimSpec(PersistentVolumeClaim pvc) {
    var spec = pvc.getSpec();
    Quantity storage =
        spec.getResources() == null || spec.getResources().getRequests() == null
            ? null
            : spec.getResources().getRequests().get("storage");
    try {
      return JSON.writeValueAsString(
          new ClaimSpec(
              spec.getStorageClassName(),
              spec.getAccessModes(),
              spec.getVolumeMode(),
              storage == null ? null : storage.toString(),
              pvc.getMetadata().getLabels()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Outcome deleteSet(String namespace, String sts, String backupId) {
    BackupSets.Listed set = sets(namespace, sts).get(backupId);
    if (set != null) {
      for (VolumeSnapshot s : set.snapshots()) {
        if (!s.terminating()) {
          volumes.deleteSnapshot(namespace, s.name());
        }
        requested.remove(namespace + "/" + s.name());
      }
    }
    for (String job : BackupNames.hookJobs(sts, backupId)) {
      volumes.deleteJob(namespace, job);
    }
    return Outcome.DONE;
  }

  /** A restorable snapshot of the claim in the set, read fresh; empty when there is none. */
  private Optional<VolumeSnapshot> restorable(
      String namespace, String sts, String claim, String backupId) {
    String name = BackupNames.snapshot(claim, sts, backupId);
    return volumes
        .snapshot(namespace, name)
        .filter(s -> s.ready() && !s.terminating())
        .filter(s -> s.claim().equals(claim))
        .filter(s -> s.label(BackupNames.BACKUP_ID).equals(backupId));
  }

  private Outcome deleteClaim(String namespace, String sts, VolumeOp.DeleteClaim op) {
    claimOwners.put(namespace + "/" + op.claim(), namespace + "/" + sts);
    if (restorable(namespace, sts, op.claim(), op.backupId()).isEmpty()) {
      // the rule this whole feature rests on: no claim goes without a copy that can bring it back
      return Outcome.refused(
          "not deleting "
              + op.claim()
              + ": backup "
              + op.backupId()
              + " has no readyToUse snapshot of it now");
    }
    Volumes.ClaimDeletion result = volumes.deleteClaim(namespace, op.claim(), op.uid());
    return result == Volumes.ClaimDeletion.CHANGED
        ? Outcome.refused("claim " + op.claim() + " is not the one observed (uid " + op.uid() + ")")
        : Outcome.DONE;
  }

  private Outcome restoreClaim(String namespace, String sts, VolumeOp.RestoreClaim op) {
    claimOwners.put(namespace + "/" + op.claim(), namespace + "/" + sts);
    Optional<VolumeSnapshot> snapshot = restorable(namespace, sts, op.claim(), op.backupId());
    if (snapshot.isEmpty()) {
      return Outcome.refused(
          "backup " + op.backupId() + " has no readyToUse snapshot of " + op.claim());
    }
    ClaimSpec spec;
    try {
      spec = JSON.readValue(snapshot.get().annotation(BackupNames.CLAIM), ClaimSpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return Outcome.refused(
          "snapshot " + snapshot.get().name() + " does not record the claim it copies");
    }
    volumes.createClaim(restored(namespace, op, snapshot.get(), spec));
    return Outcome.DONE;
  }

  /**
   * The claim as it was, created from the snapshot: same name, class, access modes and labels, at
   * least the snapshot's size. Its owner references are left to the StatefulSet controller, which
   * sets them from the persistentVolumeClaimRetentionPolicy when the pod comes back.
   */
  static PersistentVolumeClaim restored(
      String namespace, VolumeOp.RestoreClaim op, VolumeSnapshot snapshot, ClaimSpec spec) {
    String size = larger(spec.storage(), snapshot.restoreSize());
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(op.claim())
        .withNamespace(namespace)
        .withLabels(spec.labels())
        .withAnnotations(
            Map.of(
                BackupNames.RESTORE_ID, op.restoreId(), BackupNames.RESTORED_FROM, snapshot.name()))
        .endMetadata()
        .withNewSpec()
        .withAccessModes(spec.accessModes())
        .withStorageClassName(spec.storageClassName())
        .withVolumeMode(spec.volumeMode())
        .withNewResources()
        .addToRequests("storage", new Quantity(size))
        .endResources()
        .withNewDataSource()
        .withApiGroup(BackupNames.SNAPSHOT_GROUP)
        .withKind("VolumeSnapshot")
        .withName(snapshot.name())
        .endDataSource()
        .endSpec()
        .build();
  }

  private static String larger(String requested, String restoreSize) {
    if (requested == null || requested.isEmpty()) {
      return restoreSize.isEmpty() ? "1Gi" : restoreSize;
    }
    if (restoreSize.isEmpty()) {
      return requested;
    }
    return new Quantity(restoreSize)
                .getNumericalAmount()
                .compareTo(new Quantity(requested).getNumericalAmount())
            > 0
        ? restoreSize
        : requested;
  }

  /** Hook runs known to this process (for tests). */
  Collection<BackupView.HookRun> hookRuns() {
    return runs.values();
  }

  @Override
  public void close() {
    hooks.shutdownNow();
  }
}
