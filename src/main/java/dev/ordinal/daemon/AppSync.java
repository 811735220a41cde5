package dev.ordinal.daemon;

import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ManifestObject;
import dev.ordinal.manifest.RolloutPolicy;
import dev.ordinal.manifest.SourceTree;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.plan.ChangeClass;
import dev.ordinal.plan.LiveFingerprint;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.plan.ObjectPlan;
import dev.ordinal.plan.Plan;
import dev.ordinal.plan.PlanMemo;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.plan.Planner;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RecreateSpec;
import dev.ordinal.rollout.RecreateState;
import dev.ordinal.rollout.SyncEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app's GitOps loop body: load the manifests of a revision, plan them against the live objects
 * and apply the plan. A revision that fails to load, or whose plan holds a change Kubernetes
 * forbids, applies nothing at all, so a policy change and the app change it goes with land together
 * or not at all. StatefulSets under a rollout policy follow the {@link PartitionHold} rule.
 */
public final class AppSync implements AppRegistry.AppView {
  private static final Logger log = LoggerFactory.getLogger(AppSync.class);

  /** Plans made and applied for one sync when objects keep changing under it. */
  static final int CONFLICT_ATTEMPTS = 5;

  /** How a refusal names a RolloutPolicy: Ordinal's own kind, read from Git. */
  private static final String POLICY_GROUP = "ordinal.dev";

  private static final String POLICY_KIND = "RolloutPolicy";

  private final String app;
  private final String namespace;
  private final AppBoundary boundary;
  private final boolean prune;
  private volatile boolean allowEmpty;
  private final ManifestLoader loader;
  private final LiveObjects cluster;
  private final Clock clock;
  private final BooleanSupplier mayWrite;
  private final Executor applyPool;
  private final PlanMemo memo = new PlanMemo();
  private volatile Map<HasMetadata, Decorated> decorated = new IdentityHashMap<>();
  private volatile DesiredState lastApplied;

  /**
   * Whether this instance could write for the app when it last carried out a plan (guarded by
   * this).
   */
  private boolean mayWriteAtLastSync;

  private volatile Recreator recreator;
  private volatile Duration recreatePatience = Duration.ofMinutes(1);

  /**
   * @param mayWrite whether this instance may write to the cluster now (the leader); a standby
   *     plans but applies nothing
   * @param applyPool where the objects of one apply wave are applied at once; its size bounds how
   *     many
   */
  public AppSync(
      String app,
      String namespace,
      AppBoundary boundary,
      boolean prune,
      ManifestLoader loader,
      LiveObjects cluster,
      Clock clock,
      BooleanSupplier mayWrite,
      Executor applyPool) {
    this.app = app;
    this.namespace = namespace;
    this.boundary = boundary;
    this.prune = prune;
    this.loader = loader;
    this.cluster = cluster;
    this.clock = clock;
    this.mayWrite = mayWrite;
    this.applyPool = applyPool;
  }

  /** As above, applying one object at a time on the calling thread. */
  public AppSync(
      String app,
      String namespace,
      AppBoundary boundary,
      boolean prune,
      ManifestLoader loader,
      LiveObjects cluster,
      Clock clock,
      BooleanSupplier mayWrite) {
    this(app, namespace, boundary, prune, loader, cluster, clock, mayWrite, Runnable::run);
  }

  /** An AppSync with the default boundary that always may write (one-shot commands and tests). */
  public AppSync(
      String app, String namespace, boolean prune, ManifestLoader loader, LiveObjects cluster) {
    this(
        app,
        namespace,
        AppBoundary.defaults(app, namespace),
        prune,
        loader,
        cluster,
        Clock.systemUTC(),
        () -> true);
  }

  /**
   * Lets this sync carry out changes Kubernetes forbids for StatefulSets that opted in ({@code
   * immutableChanges: recreate}); without it such plans are refused. {@code patience} is how long
   * one sync waits on a recreate (claims growing) before leaving the rest to the next sync.
   */
  public AppSync recreatingWith(Recreator recreator, Duration patience) {
    this.recreator = recreator;
    this.recreatePatience = patience;
    return this;
  }

  /**
   * Lets a revision that declares no objects prune every object of the app; without it such a
   * revision is refused (apps[].allowEmpty).
   */
  public AppSync allowingEmpty(boolean allow) {
    this.allowEmpty = allow;
    return this;
  }

  /** Loads and plans a revision without changing anything (what {@code ordinal diff} shows). */
  public synchronized Planned plan(SourceTree tree) {
    LoadResult loaded = loader.load(app, tree);
    if (loaded instanceof LoadResult.Invalid invalid) {
      return new Planned(tree.revision(), null, invalid, null, List.of());
    }
    DesiredState state = ((LoadResult.Loaded) loaded).state();
    List<HasMetadata> desired = new ArrayList<>();
    Map<HasMetadata, Decorated> decoratedNow = new IdentityHashMap<>();
    for (ManifestObject object : state.objects()) {
      // The loader returns the same instance for an unchanged blob; reusing its decorated copy
      // lets the plan memo skip objects that did not change.
      boolean underPolicy = underPolicy(object.resource(), state);
      Decorated copy = decorated.get(object.resource());
      if (copy == null || copy.underPolicy() != underPolicy) {
        copy = new Decorated(decorate(object.resource(), underPolicy), underPolicy);
      }
      decoratedNow.put(object.resource(), copy);
      desired.add(copy.object());
    }
    decorated = decoratedNow;
    Map<ObjectKey, LiveObjects.Live> live = cluster.lookup(desired, namespace);
    List<HasMetadata> inventory =
        prune
            ? cluster.inventory(app, namespace, KindsInUse.of(boundary, desired)).stream()
                .map(LiveObjects.Live::object)
                .toList()
            : List.of();
    PlanOptions options =
        PlanOptions.of(namespace, app)
            .withPruneEnabled(prune)
            .withRolloutPolicy(sts -> state.policyFor(sts).isPresent())
            .withRecreate(sts -> RolloutPolicy.allowsRecreate(sts, state.policyFor(sts)));
    Planner.LiveSource source =
        new Planner.LiveSource() {
          @Override
          public String version(ObjectKey key) {
            LiveObjects.Live ref = live.get(key);
            return ref == null ? null : ref.fingerprint();
          }

          @Override
          public HasMetadata read(ObjectKey key) {
            LiveObjects.Live ref = live.get(key);
            return ref == null ? null : cluster.full(ref).orElse(null);
          }

          @Override
          public String versionOfRead(HasMetadata object) {
            // An object the lookup read whole comes with its fingerprint; hash only what was
            // read since.
            LiveObjects.Live ref = live.get(ObjectKey.of(object, namespace));
            return ref != null && ref.complete() && ref.object() == object
                ? ref.fingerprint()
                : LiveFingerprint.of(object);
          }
        };
    Map<ObjectKey, HasMetadata> liveObjects = new HashMap<>();
    live.forEach((key, ref) -> liveObjects.put(key, ref.object()));
    List<AppBoundary.Refusal> outside =
        new ArrayList<>(
            boundary.refusals(
                desired.stream().map(d -> ObjectKey.of(d, namespace)).toList(), liveObjects));
    for (RolloutPolicy policy : state.policies().values()) {
      ObjectKey key =
          new ObjectKey(
              POLICY_GROUP, POLICY_KIND, policy.namespace().orElse(namespace), policy.name());
      policy
          .backup()
          .flatMap(b -> boundary.backupRefusal(policy.name(), hookKinds(b)))
          .ifPresent(why -> outside.add(new AppBoundary.Refusal(key, why)));
    }
    Plan plan = Planner.plan(desired, source, inventory, options, memo);
    for (ObjectPlan.Recreate recreate : plan.ofType(ObjectPlan.Recreate.class)) {
      boundary
          .recreateRefusal(recreate.key())
          .ifPresent(why -> outside.add(new AppBoundary.Refusal(recreate.key(), why)));
    }
    return new Planned(tree.revision(), state, null, plan, outside);
  }

  private static Set<String> hookKinds(RolloutPolicy.Backup backup) {
    Set<String> kinds = new TreeSet<>();
    for (Optional<RolloutPolicy.Hook> hook : List.of(backup.quiesce(), backup.resume())) {
      hook.ifPresent(
          h ->
              kinds.add(
                  h instanceof RolloutPolicy.ExecHook
                      ? AppBoundary.Backups.EXEC
                      : AppBoundary.Backups.JOB));
    }
    return kinds;
  }

  /**
   * Loads, plans and applies a revision. A 409 on apply, or a hold that finds the partition moved,
   * means the world moved between the plan and the write: the plan is made again from fresh state
   * and applied at once, up to {@value #CONFLICT_ATTEMPTS} times in all.
   */
  public synchronized SyncResult sync(SourceTree tree) {
    String revision = tree.revision();
    SyncResult result = null;
    for (int attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt++) {
      Planned planned;
      try {
        planned = plan(tree);
      } catch (ClusterRequestException e) {
        log.warn(
            "app={} namespace={} revision={} decision=retry reason=\"cannot read the cluster: {}\"",
            app,
            namespace,
            revision,
            e.getMessage());
        return new SyncResult.Failed(revision, "cannot read the cluster: " + e.getMessage());
      }
      result = carryOut(planned);
      if (!(result instanceof SyncResult.Failed failed) || !failed.conflict()) {
        return result;
      }
      log.info(
          "app={} namespace={} revision={} decision=replan attempt={} reason=\"{}\"",
          app,
          namespace,
          revision,
          attempt,
          failed.error());
    }
    return result;
  }

  /**
   * Carries out a plan made by {@link #plan}: nothing when its revision was invalid or holds a
   * forbidden change, or when this instance may not write; otherwise every create, update and
   * prune.
   */
  synchronized SyncResult carryOut(Planned planned) {
    String revision = planned.revision();
    Recreator recreates = recreator;
    boolean leader = mayWrite.getAsBoolean();
    if (recreates != null) {
      recreates.syncStarting();
      if (leader && !mayWriteAtLastSync) {
        // Whoever wrote for this app before may have recorded a recreate this one has not seen.
        // (The daemon also forgets whenever it gains a shard or the lead, with no sync between.)
        recreates.forgetRecorded();
      }
    }
    mayWriteAtLastSync = leader;
    if (recreates != null && leader) {
      Recreator.Orphans orphans;
      try {
        orphans = recreates.finishOrphaned(app, boundary.namespaces(), recreatePatience, mayWrite);
      } catch (ClusterRequestException e) {
        return new SyncResult.Failed(revision, "finishing a recreate failed: " + e.getMessage());
      }
      if (orphans == Recreator.Orphans.FINISHED) {
        // The plan saw the StatefulSet missing or unfinished: plan again.
        return new SyncResult.Failed(revision, "finished a recreate; planning again", true);
      }
      if (orphans == Recreator.Orphans.STOPPED) {
        logLostMidRecreate(revision, null);
        return new SyncResult.Standby(
            revision,
            planned.plan() != null ? planned.plan().counts() : new Plan.Counts(0, 0, 0, 0, 0));
      }
    }
    if (planned.invalid() != null) {
      planned
          .invalid()
          .errors()
          .forEach(e -> log.warn("app={} revision={} invalid manifest: {}", app, revision, e));
      log.warn(
          "app={} namespace={} revision={} decision=skip reason=\"{} manifest error(s); the last good revision stays in force\"",
          app,
          namespace,
          revision,
          planned.invalid().errors().size());
      return new SyncResult.Invalid(revision, planned.invalid().errors());
    }
    Plan plan = planned.plan();
    List<ObjectPlan.Refused> refused = plan.ofType(ObjectPlan.Refused.class);
    List<SyncEvent.Refusal> cannotRecreate = new ArrayList<>();
    for (ObjectPlan.Recreate recreate : plan.ofType(ObjectPlan.Recreate.class)) {
      // Checked before anything is applied, so a recreate that cannot run refuses the commit.
      preflight(planned, recreate)
          .ifPresent(why -> cannotRecreate.add(refusal(recreate.key(), why)));
    }
    if (!refused.isEmpty() || !planned.outsideBoundary().isEmpty() || !cannotRecreate.isEmpty()) {
      // Boundary refusals and changes Kubernetes forbids alike, as data for Events and /status.
      List<SyncEvent.Refusal> refusals = new ArrayList<>();
      planned.outsideBoundary().forEach(r -> refusals.add(refusal(r.key(), r.reason())));
      refused.forEach(r -> refusals.add(refusal(r.key(), r.message())));
      refusals.addAll(cannotRecreate);
      refusals.forEach(
          r ->
              log.warn(
                  "app={} namespace={} revision={} decision=refuse reason=\"{}\"",
                  app,
                  namespace,
                  revision,
                  r.reason()));
      return new SyncResult.Refused(revision, refusals);
    }
    List<ObjectPlan.PruneCandidate> prunes = plan.ofType(ObjectPlan.PruneCandidate.class);
    if (!allowEmpty && !prunes.isEmpty() && prunes.size() == plan.objects().size()) {
      // Nothing declared and everything to delete: a wrong path or an emptied folder far more
      // often than a wish to remove the app, so it takes the app's explicit allowEmpty.
      String why =
          "the revision declares no objects, so applying it would prune all "
              + prunes.size()
              + " of the app's objects; nothing was applied. If that is meant, set allowEmpty:"
              + " true on the app in Ordinal's config";
      log.warn(
          "app={} namespace={} revision={} decision=refuse reason=\"{}\"",
          app,
          namespace,
          revision,
          why);
      // One refusal, on the first object: one Event per object would be thousands per sync.
      return new SyncResult.Refused(revision, List.of(refusal(prunes.get(0).key(), why)));
    }
    if (!mayWrite.getAsBoolean()) {
      return new SyncResult.Standby(revision, plan.counts());
    }
    SyncResult result = apply(revision, planned, plan);
    if (result instanceof SyncResult.Applied applied && !applied.partial()) {
      // A StatefulSet left alone during a restore keeps the policies it was applied with.
      lastApplied = planned.state();
    }
    return result;
  }

  /** The plans this app remembers between syncs (hits, misses). */
  PlanMemo memo() {
    return memo;
  }

  /** The loader of this app's trees, with its parse cache (shared with the daemon's other apps). */
  ManifestLoader loader() {
    return loader;
  }

  /** The app this sync serves. */
  @Override
  public String app() {
    return app;
  }

  /** The destination namespace of the app. */
  @Override
  public String namespace() {
    return namespace;
  }

  /**
   * The desired state of the revision last applied in full: its policies and analysis templates are
   * the ones in force for rollouts while a newer commit is invalid or refused.
   */
  @Override
  public Optional<DesiredState> lastApplied() {
    return Optional.ofNullable(lastApplied);
  }

  /**
   * Applies a plan wave by wave ({@link ObjectKey#applyWave}): the objects of one wave at once on
   * the apply pool, a wave only after the one before it succeeded in full. A failure lets the
   * objects already started finish, starts no other, and fails the sync, which the next sync
   * repairs. Prunes run last, one at a time, dependents before what they depend on.
   */
  private SyncResult apply(String revision, Planned planned, Plan plan) {
    Tally tally = new Tally();
    for (List<ObjectPlan> wave : waves(plan)) {
      // Recreates go first, one at a time on this thread: their records share one ConfigMap, and a
      // recreate may wait on its claims. The rest of the wave is applied at once after them.
      List<ObjectPlan> ordinary = new ArrayList<>();
      for (ObjectPlan step : wave) {
        Optional<SyncResult> ended;
        try {
          ended = recreateStep(step, revision, planned, plan, tally, ordinary);
        } catch (ClusterRequestException e) {
          log.warn(
              "app={} namespace={} object={} revision={} decision=retry reason=\"recreate failed:"
                  + " {}\"",
              app,
              namespace,
              step.key().path(),
              revision,
              e.getMessage());
          return new SyncResult.Failed(
              revision,
              "recreate failed: " + step.key().path() + ": " + e.getMessage(),
              e.conflict());
        }
        if (ended.isPresent()) {
          return ended.get();
        }
      }
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (ObjectPlan step : ordinary) {
        if (step instanceof ObjectPlan.Unchanged) {
          tally.unchanged.incrementAndGet();
        } else {
          running.add(
              CompletableFuture.runAsync(
                  () -> applyOne(step, revision, planned.state(), plan.options(), tally),
                  applyPool));
        }
      }
      awaitAll(running);
      if (tally.standby.get()) {
        // Leadership was lost mid-sync: the new leader applies the rest.
        return new SyncResult.Standby(revision, plan.counts());
      }
      if (!tally.failures.isEmpty()) {
        return tally.failed(revision);
      }
    }
    try {
      for (ObjectPlan.PruneCandidate candidate : plan.pruneCandidatesInDeletionOrder()) {
        if (!mayWrite.getAsBoolean()) {
          return new SyncResult.Standby(revision, plan.counts());
        }
        cluster.delete(new LiveObjects.Live(candidate.key(), "", candidate.live(), false));
        log.info(
            "app={} namespace={} object={} revision={} decision=prune",
            app,
            namespace,
            describe(candidate.live()),
            revision);
        tally.pruned.incrementAndGet();
      }
    } catch (ClusterRequestException e) {
      log.warn(
          "app={} namespace={} revision={} decision=retry reason=\"prune failed: {}\"",
          app,
          namespace,
          revision,
          e.getMessage());
      return new SyncResult.Failed(revision, "prune failed: " + e.getMessage(), e.conflict());
    }
    return new SyncResult.Applied(
        revision,
        tally.created.get(),
        tally.updated.get(),
        tally.held.get(),
        tally.unchanged.get(),
        tally.pruned.get(),
        tally.restoring.get());
  }

  /** The plan's objects grouped by apply wave, in wave order. */
  private static List<List<ObjectPlan>> waves(Plan plan) {
    Map<Integer, List<ObjectPlan>> byWave = new TreeMap<>();
    for (ObjectPlan step : plan.objects()) {
      byWave.computeIfAbsent(step.key().applyWave(), w -> new ArrayList<>()).add(step);
    }
    return List.copyOf(byWave.values());
  }

  /** Waits for every task; an unexpected exception in one is rethrown once all have ended. */
  private static void awaitAll(List<CompletableFuture<Void>> running) {
    RuntimeException unexpected = null;
    for (CompletableFuture<Void> task : running) {
      try {
        // get, not join: a daemon that stops interrupts its sync workers, and the apply pool may
        // drop queued tasks whose futures would then never complete.
        task.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.forEach(t -> t.cancel(true));
        throw new IllegalStateException("the sync was interrupted (Ordinal is stopping)", e);
      } catch (ExecutionException | CompletionException e) {
        if (unexpected == null) {
          unexpected =
              e.getCause() instanceof RuntimeException cause
                  ? cause
                  : new IllegalStateException(e.getCause());
        }
      } catch (CancellationException e) {
        // cancelled above by an interrupted sync; nothing of it counts
      }
    }
    if (unexpected != null) {
      throw unexpected;
    }
  }

  /** Creates or updates one object; a failure is recorded in the tally and stops what is left. */
  private void applyOne(
      ObjectPlan step, String revision, DesiredState state, PlanOptions options, Tally tally) {
    if (tally.stopped()) {
      return;
    }
    if (!mayWrite.getAsBoolean()) {
      tally.standby.set(true);
      return;
    }
    try {
      if (step instanceof ObjectPlan.Create create) {
        remember(
            create.desired(),
            cluster.apply(asApplied(create.desired(), null, revision, state)),
            options);
        log.info(
            "app={} namespace={} object={} revision={} decision=create",
            app,
            namespace,
            describe(create.desired()),
            revision);
        tally.created.incrementAndGet();
      } else if (step instanceof ObjectPlan.Update planned) {
        ObjectPlan.Update update = planned;
        // A StatefulSet whose policy can restore is read fresh and applied under that read's
        // resourceVersion: a restore that starts in between makes the apply a conflict, and the
        // plan made again sees its mark. The cache alone could be a write behind.
        String guard = null;
        if (restorable(update.desired(), state)) {
          Optional<HasMetadata> fresh =
              cluster.full(new LiveObjects.Live(update.key(), "", update.live(), false));
          if (fresh.isEmpty()) {
            memo.forget(update.key());
            tally.fail(update.key(), "it is gone since the plan", true);
            return;
          }
          update =
              new ObjectPlan.Update(
                  update.key(), update.desired(), fresh.get(), update.changes(), update.classes());
          guard = fresh.get().getMetadata().getResourceVersion();
        }
        if (PartitionHold.restoring(update)) {
          // Applying Git's replicas now could bring back a pod, and an empty claim with it.
          log.info(
              "app={} namespace={} object={} revision={} decision=hold-for-restore",
              app,
              namespace,
              describe(update.desired()),
              revision);
          tally.held.incrementAndGet();
          tally.restoring.set(true);
          return;
        }
        Optional<PartitionHold.Hold> hold =
            underPolicy(update.desired(), state) ? PartitionHold.before(update) : Optional.empty();
        if (hold.isPresent()) {
          LiveObjects.HoldResult outcome =
              cluster.hold(
                  update.key(),
                  hold.get().seen(),
                  hold.get().to(),
                  PartitionHold.markUntil(clock.instant()));
          if (outcome == LiveObjects.HoldResult.MOVED) {
            memo.forget(update.key());
            tally.fail(update.key(), "the partition moved since the plan read it", true);
            return;
          }
        }
        HasMetadata applied = asApplied(update.desired(), update, revision, state);
        if (guard != null) {
          applied = loader.copy(applied);
          applied.getMetadata().setResourceVersion(guard);
        }
        remember(update.desired(), cluster.apply(applied), options);
        boolean isHeld =
            update.classes().contains(ChangeClass.POD_TEMPLATE)
                && underPolicy(update.desired(), state);
        log.info(
            "app={} namespace={} object={} revision={} decision={} changes={}",
            app,
            namespace,
            describe(update.desired()),
            revision,
            isHeld ? "hold-partition" : "update",
            update.classes());
        (isHeld ? tally.held : tally.updated).incrementAndGet();
      }
    } catch (ClusterRequestException e) {
      log.warn(
          "app={} namespace={} object={} revision={} decision=retry reason=\"apply failed: {}\"",
          app,
          namespace,
          step.key().path(),
          revision,
          e.getMessage());
      if (e.conflict()) {
        memo.forget(step.key());
      }
      tally.fail(step.key(), e.getMessage(), e.conflict());
    }
  }

  /**
   * Plans the next sync's view of an object now, from the server's answer to its apply, so that
   * sync reads nothing this one wrote.
   */
  private void remember(HasMetadata desired, HasMetadata applied, PlanOptions options) {
    if (applied != null) {
      Planner.rememberApplied(memo, desired, applied, options);
    }
  }

  /** What the objects of one sync came to, written from the apply pool's threads. */
  private static final class Tally {
    final AtomicInteger created = new AtomicInteger();
    final AtomicInteger updated = new AtomicInteger();
    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger unchanged = new AtomicInteger();
    final AtomicInteger pruned = new AtomicInteger();
    final AtomicBoolean standby = new AtomicBoolean();
    // Something was left for the next sync on purpose: a recreate waiting, a restore holding.
    final AtomicBoolean restoring = new AtomicBoolean();
    final ConcurrentSkipListMap<ObjectKey, Failure> failures = new ConcurrentSkipListMap<>();

    record Failure(String error, boolean conflict) {}

    void fail(ObjectKey key, String error, boolean conflict) {
      failures.put(key, new Failure(error, conflict));
    }

    boolean stopped() {
      return standby.get() || !failures.isEmpty();
    }

    /**
     * The sync's failure: the first object (in apply order) and its error, how many more failed; a
     * conflict (plan again at once) only when every failure was one.
     */
    SyncResult.Failed failed(String revision) {
      Map.Entry<ObjectKey, Failure> first = failures.firstEntry();
      String more = failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : "";
      boolean conflict = failures.values().stream().allMatch(Failure::conflict);
      return new SyncResult.Failed(
          revision,
          "apply failed: " + first.getKey().path() + ": " + first.getValue().error() + more,
          conflict);
    }
  }

  /**
   * Carries out the recreate in a step, if it has one, on this thread; a step with nothing (more)
   * to recreate is added to {@code ordinary} for the apply pool. Returns the sync's result when the
   * step ends the sync.
   */
  private Optional<SyncResult> recreateStep(
      ObjectPlan step,
      String revision,
      Planned planned,
      Plan plan,
      Tally tally,
      List<ObjectPlan> ordinary) {
    Optional<HasMetadata> resumable = desiredOf(step);
    Optional<RecreateState> inFlight = resumable.flatMap(d -> recordedRecreate(step.key()));
    if (inFlight.isEmpty() && !(step instanceof ObjectPlan.Recreate)) {
      ordinary.add(step);
      return Optional.empty();
    }
    if (!mayWrite.getAsBoolean()) {
      // Leadership was lost mid-sync: the new leader applies the rest.
      return Optional.of(new SyncResult.Standby(revision, plan.counts()));
    }
    if (!(step instanceof ObjectPlan.Create)
        && inFlight.filter(s -> s.stage() == RecreateState.Stage.RESTARTING).isPresent()) {
      // Killed after a recreate's create, before its pods were set to roll: finish that first,
      // and apply nothing else to the StatefulSet until it is done. Asked whether or not the
      // StatefulSet still opts in: a commit that drops the opt-in after the create must not leave
      // the pods unrolled.
      Recreator.Result done = resumeRecreate(step.key(), resumable.get(), planned, inFlight.get());
      if (lostMidRecreate(done, revision, step.key())) {
        return Optional.of(new SyncResult.Standby(revision, plan.counts()));
      }
      if (!(done instanceof Recreator.Result.Done)) {
        tally.restoring.set(true);
        tally.held.incrementAndGet();
        return Optional.empty();
      }
    }
    if (inFlight.filter(s -> s.stage().pastTheDelete()).isPresent()) {
      // Killed past the orphan delete: the old StatefulSet may be gone (the plan says create) or
      // the new one created but not finished (the plan says unchanged or update, and its rollout
      // state is not carried over yet). Finish that recreate first.
      Recreator.Result done = resumeRecreate(step.key(), resumable.get(), planned, inFlight.get());
      memo.forget(step.key());
      if (lostMidRecreate(done, revision, step.key())) {
        return Optional.of(new SyncResult.Standby(revision, plan.counts()));
      }
      if (!(done instanceof Recreator.Result.Done)) {
        tally.restoring.set(true);
      } else if (step instanceof ObjectPlan.Create) {
        tally.created.incrementAndGet();
      } else if (step instanceof ObjectPlan.Update) {
        tally.restoring.set(true); // planned against the object before the finish: plan it again
      } else {
        tally.unchanged.incrementAndGet();
      }
    } else if (step instanceof ObjectPlan.Recreate recreate) {
      Recreator.Result done = recreate(recreate, planned);
      memo.forget(step.key());
      if (lostMidRecreate(done, revision, step.key())) {
        return Optional.of(new SyncResult.Standby(revision, plan.counts()));
      }
      if (done instanceof Recreator.Result.Refused no) {
        return Optional.of(new SyncResult.Failed(revision, no.reason()));
      }
      if (done instanceof Recreator.Result.Waiting) {
        tally.restoring.set(true); // partial: the next sync continues the recreate
      }
      tally.updated.incrementAndGet();
    } else {
      ordinary.add(step); // its recreate is done: now the ordinary apply
    }
    return Optional.empty();
  }

  /**
   * Whether a recreate stopped short because this instance may no longer write for the app (its
   * Lease was lost mid-recreate): whoever gains the app resumes it, and this sync ends as a
   * standby's. Logged, as the decision it is.
   */
  private boolean lostMidRecreate(Recreator.Result done, String revision, ObjectKey key) {
    if (done instanceof Recreator.Result.Stopped) {
      logLostMidRecreate(revision, key);
      return true;
    }
    return false;
  }

  /** {@code key}: the StatefulSet recreated; null for the recorded ones a sync finishes first. */
  private void logLostMidRecreate(String revision, ObjectKey key) {
    log.info(
        "app={} namespace={} object={} revision={} decision=standby reason=\"this instance may no"
            + " longer write for the app: a recreate stopped before its next step, recorded for"
            + " whoever writes for the app next\"",
        app,
        namespace,
        key == null ? "-" : key.path(),
        revision);
  }

  /** Why a recreate cannot run; empty when it can (or is under way). */
  private Optional<String> preflight(Planned planned, ObjectPlan.Recreate recreate) {
    Recreator r = recreator;
    if (r == null) {
      return Optional.of(
          "StatefulSet "
              + recreate.key().namespacedName()
              + ": recreating it runs only in the daemon (ordinal run)");
    }
    return r.preflight(recreateSpec(recreate.key(), recreate, planned));
  }

  private Recreator.Result recreate(ObjectPlan.Recreate recreate, Planned planned) {
    return recreator.run(
        recreateSpec(recreate.key(), recreate, planned),
        partition -> asRecreated(recreate.desired(), recreate.live(), partition, planned),
        recreatePatience,
        mayWrite);
  }

  /** The desired StatefulSet of a create, an update or an unchanged object; empty otherwise. */
  private static Optional<HasMetadata> desiredOf(ObjectPlan step) {
    HasMetadata desired = null;
    if (step instanceof ObjectPlan.Create c) {
      desired = c.desired();
    } else if (step instanceof ObjectPlan.Update u) {
      desired = u.desired();
    } else if (step instanceof ObjectPlan.Unchanged u) {
      desired = u.desired();
    }
    return desired instanceof StatefulSet ? Optional.of(desired) : Optional.empty();
  }

  /**
   * The recreate recorded for this StatefulSet, if any. The store answers from memory while no
   * recreate is recorded ({@link RememberedRecreateStore}), so asking for every StatefulSet of
   * every sync costs no request.
   */
  private Optional<RecreateState> recordedRecreate(ObjectKey key) {
    Recreator r = recreator;
    return r == null ? Optional.empty() : r.recorded(key.namespace(), key.name());
  }

  private Recreator.Result resumeRecreate(
      ObjectKey key, HasMetadata desired, Planned planned, RecreateState state) {
    return recreator.run(
        Recreator.resumed(key.namespace(), key.name(), state),
        partition -> asRecreated(desired, null, partition, planned, state),
        recreatePatience,
        mayWrite);
  }

  private RecreateSpec recreateSpec(ObjectKey key, ObjectPlan.Recreate recreate, Planned planned) {
    Optional<RolloutPolicy> policy =
        recreate.desired() instanceof StatefulSet sts
            ? planned.state().policyFor(sts)
            : Optional.empty();
    return new RecreateSpec(
        key.namespace(),
        key.name(),
        planned.revision(),
        Recreator.growTo(recreate.changes()),
        policy
            .flatMap(RolloutPolicy::backup)
            .map(b -> new RecreateSpec.Backup(b.volumeSnapshotClassName(), b.timeout())),
        RecreateSpec.DEFAULT_RESIZE_TIMEOUT,
        recreate.rollsPods() && recreate.desired() instanceof StatefulSet desired
            ? Optional.of(RecreateRolls.roll(desired, recreate.live(), planned.revision(), policy))
            : Optional.empty());
  }

  private HasMetadata asRecreated(
      HasMetadata desired, HasMetadata live, Integer partition, Planned planned) {
    return asRecreated(desired, live, partition, planned, null);
  }

  /**
   * The StatefulSet a recreate creates: Git's, as the applier applies it, with the Git commit of
   * the pod template it replaces (the template did not change) and the old partition, so that no
   * pod moves.
   */
  private HasMetadata asRecreated(
      HasMetadata desired,
      HasMetadata live,
      Integer partition,
      Planned planned,
      RecreateState state) {
    HasMetadata copy = loader.copy(desired);
    if (underPolicy(desired, planned.state())) {
      Map<String, String> liveAnnotations =
          live == null ? null : live.getMetadata().getAnnotations();
      String commit =
          liveAnnotations != null && liveAnnotations.containsKey(Annotations.TEMPLATE_COMMIT)
              ? liveAnnotations.get(Annotations.TEMPLATE_COMMIT)
              : state != null ? state.carried().get(Annotations.TEMPLATE_COMMIT) : null;
      if (commit != null) {
        annotate(copy, Annotations.TEMPLATE_COMMIT, commit);
      }
    }
    if (copy instanceof StatefulSet sts) {
      PartitionHold.carry(sts, partition);
    }
    return copy;
  }

  /** A StatefulSet whose policy has a backup section: a restore may hold it. */
  private static boolean restorable(HasMetadata desired, DesiredState state) {
    return desired instanceof StatefulSet sts
        && state.policyFor(sts).flatMap(RolloutPolicy::backup).isPresent();
  }

  private static boolean underPolicy(HasMetadata desired, DesiredState state) {
    return desired instanceof StatefulSet sts && state.policyFor(sts).isPresent();
  }

  /**
   * The object to send for a create or update. A StatefulSet under a rollout policy carries the Git
   * commit of its pod template: this revision when the template is new, else the live value, so
   * that the applier's ownership of the annotation stays stable.
   */
  private HasMetadata asApplied(
      HasMetadata desired, ObjectPlan.Update update, String revision, DesiredState state) {
    if (!underPolicy(desired, state)) {
      return desired;
    }
    String commit;
    if (update == null || update.classes().contains(ChangeClass.POD_TEMPLATE)) {
      commit = revision;
    } else {
      Map<String, String> live = update.live().getMetadata().getAnnotations();
      commit = live == null ? null : live.get(Annotations.TEMPLATE_COMMIT);
    }
    if (commit == null) {
      return desired;
    }
    HasMetadata copy = loader.copy(desired);
    annotate(copy, Annotations.TEMPLATE_COMMIT, commit);
    return copy;
  }

  private static void annotate(HasMetadata object, String key, String value) {
    Map<String, String> annotations =
        object.getMetadata().getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(object.getMetadata().getAnnotations());
    annotations.put(key, value);
    object.getMetadata().setAnnotations(annotations);
  }

  /**
   * A desired object as Ordinal applies it: a copy with namespace and inventory label, and for a
   * StatefulSet under a rollout policy no partition ({@link PartitionHold}). Only its metadata and
   * update strategy are its own ({@link ManifestLoader#copyMetadata}); change anything else only in
   * a {@link ManifestLoader#copy deep copy} of it.
   */
  HasMetadata decorate(HasMetadata loaded, boolean underPolicy) {
    // Only the metadata and the partition change: the rest is shared with the loader's original.
    HasMetadata copy = loader.copyMetadata(loaded);
    if (isNamespaced(copy) && copy.getMetadata().getNamespace() == null) {
      copy.getMetadata().setNamespace(namespace);
    }
    Map<String, String> labels =
        copy.getMetadata().getLabels() == null
            ? new HashMap<>()
            : new HashMap<>(copy.getMetadata().getLabels());
    labels.put(PlanOptions.APP_LABEL, app);
    // Immutable, and a third of a HashMap's size: the daemon keeps one per object it manages. A
    // label written without a value (`tier: ~`) is a null Map.copyOf refuses; the planner drops it.
    copy.getMetadata()
        .setLabels(
            labels.containsValue(null) ? Collections.unmodifiableMap(labels) : Map.copyOf(labels));
    if (copy instanceof StatefulSet sts && underPolicy) {
      PartitionHold.stripPartition(sts);
    }
    return copy;
  }

  private static boolean isNamespaced(HasMetadata object) {
    if (object instanceof GenericKubernetesResource) {
      return !ObjectKey.isClusterScoped(object.getKind());
    }
    return object instanceof Namespaced;
  }

  private static SyncEvent.Refusal refusal(ObjectKey key, String reason) {
    return new SyncEvent.Refusal(key.group(), key.kind(), key.namespace(), key.name(), reason);
  }

  private static String describe(HasMetadata o) {
    return o.getKind() + "/" + o.getMetadata().getName();
  }

  private record Decorated(HasMetadata object, boolean underPolicy) {}

  /**
   * A plan (or the load errors that prevented one) for a revision.
   *
   * @param outsideBoundary objects the app may not apply or take over: any refuses the commit
   */
  public record Planned(
      String revision,
      DesiredState state,
      LoadResult.Invalid invalid,
      Plan plan,
      List<AppBoundary.Refusal> outsideBoundary) {}
}
