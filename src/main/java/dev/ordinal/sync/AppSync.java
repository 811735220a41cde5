package dev.ordinal.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.kube.RolloutExecutor;
import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ManifestObject;
import dev.ordinal.manifest.SourceTree;
import dev.ordinal.plan.ChangeClass;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.plan.ObjectPlan;
import dev.ordinal.plan.Plan;
import dev.ordinal.plan.PlanMemo;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.plan.Planner;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app's GitOps loop body: load the manifests of a revision, plan them against the cluster and
 * apply the plan. A revision that fails to load, or whose plan holds a change Kubernetes forbids,
 * applies nothing at all, so a policy change and the app change it goes with land together or not
 * at all.
 *
 * <p>A pod-template change of a StatefulSet under a rollout policy is applied with the partition
 * held at the replica count, so the StatefulSet controller moves no pod until the rollout engine
 * lowers it; for such StatefulSets the live partition is otherwise preserved, never reset to Git's.
 */
public final class AppSync {
  private static final Logger log = LoggerFactory.getLogger(AppSync.class);
  private static final ObjectMapper COPIER = new ObjectMapper();

  /** Plans made and applied for one sync when objects keep changing under it. */
  static final int CONFLICT_ATTEMPTS = 5;

  private final String app;
  private final String namespace;
  private final boolean prune;
  private final ManifestLoader loader;
  private final KubeCluster cluster;
  private final PlanMemo memo = new PlanMemo();
  private volatile Map<HasMetadata, HasMetadata> decorated = new IdentityHashMap<>();
  private volatile DesiredState lastApplied;

  public AppSync(
      String app, String namespace, boolean prune, ManifestLoader loader, KubeCluster cluster) {
    this.app = app;
    this.namespace = namespace;
    this.prune = prune;
    this.loader = loader;
    this.cluster = cluster;
  }

  /** Loads and plans a revision without changing anything (what {@code ordinal diff} shows). */
  public synchronized Planned plan(SourceTree tree) {
    LoadResult loaded = loader.load(tree);
    if (loaded instanceof LoadResult.Invalid invalid) {
      return new Planned(tree.revision(), null, invalid, null);
    }
    DesiredState state = ((LoadResult.Loaded) loaded).state();
    List<HasMetadata> desired = new ArrayList<>();
    Map<HasMetadata, HasMetadata> decoratedNow = new IdentityHashMap<>();
    for (ManifestObject object : state.objects()) {
      // The loader returns the same instance for an unchanged blob; reusing its decorated copy
      // lets the plan memo skip objects that did not change.
      HasMetadata copy = decorated.get(object.resource());
      if (copy == null) {
        copy = decorate(object.resource());
      }
      decoratedNow.put(object.resource(), copy);
      desired.add(copy);
    }
    decorated = decoratedNow;
    List<HasMetadata> live = new ArrayList<>(cluster.liveFor(desired));
    carryLivePartition(desired, live, state);
    if (prune) {
      live.addAll(cluster.inventory(app, namespace, KubeCluster.kindsOf(desired)));
    }
    PlanOptions options =
        PlanOptions.of(namespace, app)
            .withPruneEnabled(prune)
            .withRolloutPolicy(sts -> state.policyFor(sts).isPresent());
    return new Planned(tree.revision(), state, null, Planner.plan(desired, live, options, memo));
  }

  /**
   * Loads, plans and applies a revision. A 409 on apply means the world moved between the plan and
   * the write (a controller's status write, the rollout engine's partition): the plan is made again
   * from fresh state and applied at once, up to {@value #CONFLICT_ATTEMPTS} times in all.
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
   * forbidden change, otherwise every create, update and prune. StatefulSets under a policy are
   * applied only if unchanged since they were read for the plan.
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
    if (!refused.isEmpty()) {
      List<String> reasons = refused.stream().map(ObjectPlan.Refused::message).toList();
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
    SyncResult result = apply(revision, planned, plan);
    if (result instanceof SyncResult.Applied) {
      lastApplied = planned.state();
    }
    return result;
  }

  /** The app this sync serves. */
  public String app() {
    return app;
  }

  /** The destination namespace of the app. */
  public String namespace() {
    return namespace;
  }

  /**
   * The desired state of the revision last applied in full: its policies and analysis templates are
   * the ones in force for rollouts while a newer commit is invalid or refused.
   */
  public java.util.Optional<DesiredState> lastApplied() {
    return java.util.Optional.ofNullable(lastApplied);
  }

  private SyncResult apply(String revision, Planned planned, Plan plan) {
    int created = 0, updated = 0, held = 0, unchanged = 0, pruned = 0;
    try {
      List<ObjectPlan.PruneCandidate> toPrune = new ArrayList<>();
      for (ObjectPlan step : plan.objects()) {
        if (step instanceof ObjectPlan.Create create) {
          cluster.apply(create.desired());
          log.info(
              "app={} namespace={} object={} revision={} decision=create",
              app,
              namespace,
              describe(create.desired()),
              revision);
          created++;
        } else if (step instanceof ObjectPlan.Update update) {
          HasMetadata toApply = update.desired();
          boolean hold = false;
          if (toApply instanceof StatefulSet sts && planned.state().policyFor(sts).isPresent()) {
            hold = update.classes().contains(ChangeClass.POD_TEMPLATE);
            setPartition(
                sts,
                hold
                    ? replicas(sts)
                    : RolloutExecutor.currentPartition((StatefulSet) update.live()));
            // The partition read at plan time may be stale by now: the rollout controller may
            // have raised it (an abort) or lowered it. Apply only if the object is unchanged
            // since; a conflict makes the sync plan again from fresh state.
            sts.getMetadata().setResourceVersion(update.live().getMetadata().getResourceVersion());
          }
          try {
            cluster.apply(toApply);
          } finally {
            // The copy is reused by later plans; the precondition belongs to this apply only.
            toApply.getMetadata().setResourceVersion(null);
          }
          log.info(
              "app={} namespace={} object={} revision={} decision={} changes={}",
              app,
              namespace,
              describe(toApply),
              revision,
              hold ? "hold-partition" : "update",
              update.classes());
          if (hold) {
            held++;
          } else {
            updated++;
          }
        } else if (step instanceof ObjectPlan.Unchanged) {
          unchanged++;
        } else if (step instanceof ObjectPlan.PruneCandidate candidate) {
          toPrune.add(candidate);
        }
      }
      // Prune last, dependents before what they depend on.
      for (int i = toPrune.size() - 1; i >= 0; i--) {
        HasMetadata live = toPrune.get(i).live();
        cluster.delete(live);
        log.info(
            "app={} namespace={} object={} revision={} decision=prune",
            app,
            namespace,
            describe(live),
            revision);
        pruned++;
      }
    } catch (KubernetesClientException e) {
      log.warn(
          "app={} namespace={} revision={} decision=retry reason=\"apply failed: {}\"",
          app,
          namespace,
          revision,
          e.getMessage());
      return new SyncResult.Failed(revision, "apply failed: " + e.getMessage(), e.getCode() == 409);
    }
    return new SyncResult.Applied(revision, created, updated, held, unchanged, pruned);
  }

  /** A desired object as Ordinal applies it: a private copy with namespace and inventory label. */
  HasMetadata decorate(HasMetadata loaded) {
    HasMetadata copy = COPIER.convertValue(loaded, loaded.getClass());
    if (isNamespaced(copy) && copy.getMetadata().getNamespace() == null) {
      copy.getMetadata().setNamespace(namespace);
    }
    Map<String, String> labels =
        copy.getMetadata().getLabels() == null
            ? new HashMap<>()
            : new HashMap<>(copy.getMetadata().getLabels());
    labels.put(KubeCluster.INVENTORY_LABEL, app);
    copy.getMetadata().setLabels(labels);
    return copy;
  }

  /**
   * The partition of a StatefulSet under a rollout policy belongs to the rollout engine, not to
   * Git: desired copies carry the live value, so applying them never resets a rollout in flight and
   * Ordinal's field ownership of the update strategy stays stable from one apply to the next.
   */
  private static void carryLivePartition(
      List<HasMetadata> desired, List<HasMetadata> live, DesiredState state) {
    Map<String, StatefulSet> liveSets = new HashMap<>();
    for (HasMetadata object : live) {
      if (object instanceof StatefulSet sts) {
        liveSets.put(sts.getMetadata().getNamespace() + "/" + sts.getMetadata().getName(), sts);
      }
    }
    for (HasMetadata object : desired) {
      if (object instanceof StatefulSet sts && state.policyFor(sts).isPresent()) {
        StatefulSet current =
            liveSets.get(sts.getMetadata().getNamespace() + "/" + sts.getMetadata().getName());
        if (current != null) {
          setPartition(sts, RolloutExecutor.currentPartition(current));
        }
      }
    }
  }

  private static boolean isNamespaced(HasMetadata object) {
    if (object instanceof GenericKubernetesResource) {
      return !ObjectKey.isClusterScoped(object.getKind());
    }
    return object instanceof Namespaced;
  }

  private static int replicas(StatefulSet sts) {
    Integer replicas = sts.getSpec().getReplicas();
    return replicas == null ? 1 : replicas;
  }

  private static void setPartition(StatefulSet sts, int partition) {
    StatefulSetSpec spec = sts.getSpec();
    if (spec.getUpdateStrategy() == null) {
      spec.setUpdateStrategy(new StatefulSetUpdateStrategy());
    }
    if ("OnDelete".equals(spec.getUpdateStrategy().getType())) {
      return;
    }
    spec.getUpdateStrategy().setType("RollingUpdate");
    if (spec.getUpdateStrategy().getRollingUpdate() == null) {
      spec.getUpdateStrategy().setRollingUpdate(new RollingUpdateStatefulSetStrategy());
    }
    spec.getUpdateStrategy().getRollingUpdate().setPartition(partition);
  }

  private static String describe(HasMetadata o) {
    return o.getKind() + "/" + o.getMetadata().getName();
  }

  /** A plan (or the load errors that prevented one) for a revision. */
  public record Planned(
      String revision, DesiredState state, LoadResult.Invalid invalid, Plan plan) {}
}
