package dev.ordinal.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ManifestObject;
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
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
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
  private static final ObjectMapper COPIER = new ObjectMapper();

  /** Plans made and applied for one sync when objects keep changing under it. */
  static final int CONFLICT_ATTEMPTS = 5;

  private final String app;
  private final String namespace;
  private final AppBoundary boundary;
  private final boolean prune;
  private final ManifestLoader loader;
  private final LiveObjects cluster;
  private final Clock clock;
  private final BooleanSupplier mayWrite;
  private final Executor applyPool;
  private final PlanMemo memo = new PlanMemo();
  private volatile Map<HasMetadata, Decorated> decorated = new IdentityHashMap<>();
  private volatile DesiredState lastApplied;

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

  /** Loads and plans a revision without changing anything (what {@code ordinal diff} shows). */
  public synchronized Planned plan(SourceTree tree) {
    LoadResult loaded = loader.load(tree);
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
            .withRolloutPolicy(sts -> state.policyFor(sts).isPresent());
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
            return LiveFingerprint.of(object);
          }
        };
    Map<ObjectKey, HasMetadata> liveObjects = new HashMap<>();
    live.forEach((key, ref) -> liveObjects.put(key, ref.object()));
    List<String> outside =
        boundary.refusals(
            desired.stream().map(d -> ObjectKey.of(d, namespace)).toList(), liveObjects);
    return new Planned(
        tree.revision(),
        state,
        null,
        Planner.plan(desired, source, inventory, options, memo),
        outside);
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
      } catch (KubernetesClientException e) {
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
    if (!refused.isEmpty() || !planned.outsideBoundary().isEmpty()) {
      List<String> reasons = new ArrayList<>(planned.outsideBoundary());
      refused.stream().map(ObjectPlan.Refused::message).forEach(reasons::add);
      reasons.forEach(
          r ->
              log.warn(
                  "app={} namespace={} revision={} decision=refuse reason=\"{}\"",
                  app,
                  namespace,
                  revision,
                  r));
      return new SyncResult.Refused(revision, reasons);
    }
    if (!mayWrite.getAsBoolean()) {
      return new SyncResult.Standby(revision, plan.counts());
    }
    SyncResult result = apply(revision, planned, plan);
    if (result instanceof SyncResult.Applied) {
      lastApplied = planned.state();
    }
    return result;
  }

  /** The plans this app remembers between syncs (hits, misses). */
  PlanMemo memo() {
    return memo;
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
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (ObjectPlan step : wave) {
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
    } catch (KubernetesClientException e) {
      log.warn(
          "app={} namespace={} revision={} decision=retry reason=\"prune failed: {}\"",
          app,
          namespace,
          revision,
          e.getMessage());
      return new SyncResult.Failed(revision, "prune failed: " + e.getMessage(), e.getCode() == 409);
    }
    return new SyncResult.Applied(
        revision,
        tally.created.get(),
        tally.updated.get(),
        tally.held.get(),
        tally.unchanged.get(),
        tally.pruned.get());
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
        task.join();
      } catch (CompletionException e) {
        if (unexpected == null) {
          unexpected =
              e.getCause() instanceof RuntimeException cause
                  ? cause
                  : new IllegalStateException(e.getCause());
        }
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
      } else if (step instanceof ObjectPlan.Update update) {
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
        remember(
            update.desired(),
            cluster.apply(asApplied(update.desired(), update, revision, state)),
            options);
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
    } catch (KubernetesClientException e) {
      log.warn(
          "app={} namespace={} object={} revision={} decision=retry reason=\"apply failed: {}\"",
          app,
          namespace,
          step.key().path(),
          revision,
          e.getMessage());
      if (e.getCode() == 409) {
        memo.forget(step.key());
      }
      tally.fail(step.key(), e.getMessage(), e.getCode() == 409);
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
    HasMetadata copy = COPIER.convertValue(desired, desired.getClass());
    Map<String, String> annotations =
        copy.getMetadata().getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(copy.getMetadata().getAnnotations());
    annotations.put(Annotations.TEMPLATE_COMMIT, commit);
    copy.getMetadata().setAnnotations(annotations);
    return copy;
  }

  /**
   * A desired object as Ordinal applies it: a private copy with namespace and inventory label, and
   * for a StatefulSet under a rollout policy no partition ({@link PartitionHold}).
   */
  HasMetadata decorate(HasMetadata loaded, boolean underPolicy) {
    HasMetadata copy = COPIER.convertValue(loaded, loaded.getClass());
    if (isNamespaced(copy) && copy.getMetadata().getNamespace() == null) {
      copy.getMetadata().setNamespace(namespace);
    }
    Map<String, String> labels =
        copy.getMetadata().getLabels() == null
            ? new HashMap<>()
            : new HashMap<>(copy.getMetadata().getLabels());
    labels.put(PlanOptions.APP_LABEL, app);
    copy.getMetadata().setLabels(labels);
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
      List<String> outsideBoundary) {}
}
