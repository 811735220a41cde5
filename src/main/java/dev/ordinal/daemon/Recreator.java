package dev.ordinal.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.backup.BackupManager;
import dev.ordinal.plan.ImmutableChanges;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.BackupView;
import dev.ordinal.rollout.RecreateAction;
import dev.ordinal.rollout.RecreateDecisions;
import dev.ordinal.rollout.RecreateEvent;
import dev.ordinal.rollout.RecreateObservation;
import dev.ordinal.rollout.RecreateSpec;
import dev.ordinal.rollout.RecreateState;
import dev.ordinal.rollout.VolumeOp;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Carries out a recreate ({@link RecreateDecisions}) for one StatefulSet: observe, decide, act,
 * record, publish, until the recreate ends or waits longer than this call may.
 *
 * <p>Where the state lives: one ConfigMap in Ordinal's own namespace ({@value #STORE}), a key per
 * StatefulSet. Not on the StatefulSet, as rollout state is, because between the orphan delete and
 * the create there is no StatefulSet; not on a PVC, because a recreate concerns several claims and
 * one object keeps the record atomic; not in the app's namespace, where the app's own Git could
 * overwrite or prune it. Ordinal already keeps its analysis runs in a ConfigMap there, under the
 * same RBAC.
 */
public final class Recreator {
  /** The ConfigMap in Ordinal's namespace that holds recreates in flight. */
  public static final String STORE = "ordinal-recreates";

  /** Annotations of the rollout side that a recreate carries from the old StatefulSet. */
  private static final Set<String> CARRIED = Set.of(Annotations.STATE, Annotations.TEMPLATE_COMMIT);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Cluster cluster;
  private final RememberedRecreateStore store;
  private final BackupManager backups;
  private final EventBus bus;
  private final Clock clock;
  private final Duration pollEvery;
  private final Consumer<RecreateAction> afterEachAction;
  private volatile SortedMap<String, Set<String>> namespacesByApp = new TreeMap<>();

  /**
   * @param afterEachAction told after each action is carried out and recorded (tests use it to stop
   *     the process there, as a crash would)
   */
  public Recreator(
      Cluster cluster,
      String home,
      BackupManager backups,
      EventBus bus,
      Clock clock,
      Duration pollEvery,
      Consumer<RecreateAction> afterEachAction) {
    this.cluster = cluster;
    this.store = new RememberedRecreateStore(cluster.recreateStore(home, STORE));
    this.backups = backups;
    this.bus = bus;
    this.clock = clock;
    this.pollEvery = pollEvery;
    this.afterEachAction = afterEachAction;
  }

  /** How a call ended. */
  public sealed interface Result {
    /** The new StatefulSet runs the pods; nothing is left to do. */
    record Done() implements Result {}

    /** Nothing was changed (or the recreate stopped before the StatefulSet was touched). */
    record Refused(String reason) implements Result {}

    /** Still waiting after {@code patience}: the next sync continues from the recorded state. */
    record Waiting(String why) implements Result {}

    /**
     * This instance may no longer write for the app (it lost its Lease): stopped before the next
     * step, the recorded state left for whoever writes for the app next.
     */
    record Stopped() implements Result {}
  }

  /** What {@link #finishOrphaned} did. */
  public enum Orphans {
    /** None of the app's was past its delete, or none could be finished yet. */
    NONE_FINISHED,
    /** At least one was finished: what the sync planned before is stale. */
    FINISHED,
    /** This instance may no longer write for the app: it stopped before a step. */
    STOPPED
  }

  /**
   * Reads the recorded recreates again at the next question: told by a sync that has just gained
   * the right to write for its app, since the app's previous writer (a previous leader, or the
   * replica that held the app's shard) may have recorded one since.
   */
  public void forgetRecorded() {
    store.forget();
  }

  /**
   * Told at the start of each sync: while some recreate is recorded, the store is read again once
   * per sync, so that one another Ordinal finished (and removed) does not keep this one reading the
   * store for every StatefulSet of every sync.
   */
  public void syncStarting() {
    store.forgetUnlessEmpty();
  }

  /** A recreate in flight for {@code namespace/name}, if one is recorded. */
  public Optional<RecreateState> recorded(String namespace, String name) {
    return store.load(namespace + "/" + name).map(RecreateState::fromJson);
  }

  /**
   * Runs the recreate until it ends, or until {@code patience} has passed while it waits.
   *
   * @param applied the StatefulSet to create, as the Git applier would apply it, given the
   *     partition to carry (null: Git's own)
   * @param mayWrite whether this instance may still write for the app: asked before each step and
   *     each wait, so that one which lost its Lease (the leader's, or its shard's) mid-recreate
   *     stops there ({@link Result.Stopped}) and leaves the rest to whoever gains the app, which
   *     resumes from the recorded state
   */
  public Result run(
      RecreateSpec spec,
      Function<Integer, HasMetadata> applied,
      Duration patience,
      BooleanSupplier mayWrite) {
    long deadline = System.nanoTime() + patience.toNanos();
    String key = spec.namespace() + "/" + spec.name();
    try (var ns = MDC.putCloseable("namespace", spec.namespace());
        var sts = MDC.putCloseable("statefulSet", spec.name())) {
      while (true) {
        RecreateObservation obs = observe(spec);
        RecreateAction action = RecreateDecisions.decide(spec, obs);
        if (!mayWrite.getAsBoolean()) {
          return new Result.Stopped(); // not even a refusal's Event
        }
        if (action instanceof RecreateAction.Refuse refuse) {
          publish(spec, RecreateEvent.Step.REFUSED, "", refuse.reason(), "refuse");
          return new Result.Refused(refuse.reason());
        }
        if (action instanceof RecreateAction.Wait wait) {
          if (System.nanoTime() > deadline) {
            publish(spec, RecreateEvent.Step.WAITING, "", wait.why(), "wait");
            return new Result.Waiting(wait.why());
          }
          sleep();
          continue;
        }
        boolean finished = carryOut(spec, key, action, applied);
        afterEachAction.accept(action);
        if (action instanceof RecreateAction.Record record
            && record.next().stage() == RecreateState.Stage.FAILED) {
          return new Result.Refused(record.next().message());
        }
        if (finished) {
          return new Result.Done();
        }
      }
    }
  }

  /** Does one action and records its state; true when the recreate is over. */
  private boolean carryOut(
      RecreateSpec spec,
      String key,
      RecreateAction action,
      Function<Integer, HasMetadata> applied) {
    String ns = spec.namespace();
    String name = spec.name();
    if (action instanceof RecreateAction.Record record) {
      RecreateState next = record.next();
      if (next.stage() == RecreateState.Stage.DELETING && next.statefulSet() == null) {
        // From here on the StatefulSet is created again whatever Git holds later: record it.
        next = next.withStatefulSet(JSON.valueToTree(applied.apply(null)).toString());
      }
      store.save(key, next.toJson());
      RecreateEvent.Step step =
          switch (next.stage()) {
            case BACKING_UP -> RecreateEvent.Step.STARTED;
            case RESIZING ->
                next.backupId().isEmpty() || next.startedAt().equals(next.stageSince())
                    ? RecreateEvent.Step.STARTED
                    : RecreateEvent.Step.BACKUP_READY;
            case RELABELLING ->
                next.startedAt().equals(next.stageSince())
                    ? RecreateEvent.Step.STARTED
                    : RecreateEvent.Step.CLAIMS_GROWN;
            case DELETING ->
                next.rollsPods()
                    ? RecreateEvent.Step.POD_RELABELLED
                    : RecreateEvent.Step.CLAIMS_GROWN;
            case CREATING -> RecreateEvent.Step.ORPHANED;
            case RESTARTING -> RecreateEvent.Step.CREATED;
            case FAILED -> RecreateEvent.Step.FAILED;
          };
      String message = next.stage() == RecreateState.Stage.FAILED ? next.message() : record.why();
      if (step == RecreateEvent.Step.STARTED) {
        message =
            (spec.growTo().isEmpty() ? "recreating" : "growing " + spec.target())
                + " for commit "
                + spec.commit()
                + (next.rollsPods() ? ", then rolling the pods" : "")
                + ": "
                + message;
      }
      publish(spec, step, "", message, "record-" + next.stage().name().toLowerCase(Locale.ROOT));
      return false;
    }
    if (action instanceof RecreateAction.TakeBackup take) {
      BackupManager.Outcome outcome =
          backups.carryOut(
              ns,
              name,
              new VolumeOp.TakeSnapshots(
                  take.backupId(),
                  take.claims(),
                  "",
                  spec.commit(),
                  spec.backup().flatMap(RecreateSpec.Backup::volumeSnapshotClassName)));
      publish(
          spec,
          RecreateEvent.Step.BACKUP_REQUESTED,
          "",
          "backup "
              + take.backupId()
              + " of "
              + String.join(", ", take.claims())
              + (outcome.detail() == null || outcome.detail().isEmpty()
                  ? ""
                  : ": " + outcome.detail()),
          "take-backup");
      return false;
    }
    if (action instanceof RecreateAction.GrowClaim grow) {
      Recreates.Outcome outcome = cluster.growClaim(ns, grow.claim(), grow.uid(), grow.size());
      publish(
          spec,
          RecreateEvent.Step.CLAIM_PATCHED,
          grow.claim(),
          "PersistentVolumeClaim "
              + grow.claim()
              + " requests "
              + grow.size()
              + (outcome == Recreates.Outcome.DONE ? "" : " (" + outcome + ")"),
          "grow-claim");
      return false;
    }
    if (action instanceof RecreateAction.OrphanDelete delete) {
      Recreates.Outcome outcome = cluster.orphanDelete(ns, name, delete.uid());
      publish(
          spec,
          RecreateEvent.Step.ORPHANED,
          "",
          "StatefulSet deleted with propagationPolicy Orphan; its pods and claims stay"
              + (outcome == Recreates.Outcome.DONE ? "" : " (" + outcome + ")"),
          "orphan-delete");
      return false;
    }
    if (action instanceof RecreateAction.Create create) {
      cluster.apply(creating(create.state(), applied).apply(create.partition()));
      publish(
          spec,
          RecreateEvent.Step.CREATED,
          "",
          "StatefulSet created from commit "
              + spec.commit()
              + (create.state().rollsPods()
                  ? "; it adopts the running pods"
                  : " with the grown claim templates"),
          "create");
      return false;
    }
    if (action instanceof RecreateAction.Finish finish) {
      if (finish.partition() != null && finish.partition() > 0) {
        // Created with the old partition, sent by the applier so that no pod moved. The rollout
        // side takes it over, then the applier applies Git's object as always, without it: the
        // partition stays (another manager owns it), and the applier owns nothing Git lacks, so
        // the next plan is clean. Both steps are idempotent, so a crash in between repeats them.
        cluster.keepPartition(ns, name, finish.uid(), finish.partition());
        cluster.apply(creating(finish.state(), applied).apply(null));
      }
      Optional<StatefulSet> fresh = cluster.statefulSet(key, Workloads.Read.FRESH);
      if (fresh.isPresent()
          && (!finish.carried().isEmpty() || finish.partition() != null)
          && cluster.write(
                  fresh.get(),
                  new Workloads.RolloutWrite(finish.partition(), finish.carried(), Set.of()))
              instanceof Workloads.WriteResult.Conflict) {
        return false; // written in between (the rollout side saw it): decide again
      }
      if (finish.state().stage() == RecreateState.Stage.RESTARTING) {
        store.save(key, finish.state().toJson());
        return false; // the pods are rolled next
      }
      store.remove(key);
      publish(
          spec,
          RecreateEvent.Step.FINISHED,
          "",
          "StatefulSet recreated; claims grown to " + spec.target() + ", no pod restarted",
          "finish");
      return true;
    }
    if (action instanceof RecreateAction.RelabelPod relabel) {
      Recreates.Outcome outcome =
          cluster.relabelPod(ns, relabel.pod(), relabel.uid(), relabel.labels());
      publish(
          spec,
          RecreateEvent.Step.POD_RELABELLED,
          "",
          "pod "
              + relabel.pod()
              + " labelled "
              + relabel.labels()
              + " so the recreated StatefulSet adopts it"
              + (outcome == Recreates.Outcome.DONE ? "" : " (" + outcome + ")"),
          "relabel-pod");
      return false;
    }
    if (action instanceof RecreateAction.Restart restart) {
      Recreates.Outcome outcome =
          cluster.restart(ns, name, restart.uid(), restart.stamp(), restart.partition());
      publish(
          spec,
          RecreateEvent.Step.PODS_RESTARTED,
          "",
          "pod template stamped "
              + Annotations.RECREATED_AT
              + "="
              + restart.stamp()
              + ": the pods roll to the recreated StatefulSet"
              + (restart.partition() == null ? "" : " through the rollout policy")
              + (outcome == Recreates.Outcome.DONE ? "" : " (" + outcome + ")"),
          "restart");
      return false;
    }
    if (action instanceof RecreateAction.Forget forget) {
      store.remove(key);
      publish(spec, RecreateEvent.Step.FINISHED, "", forget.why(), "finish");
      return true;
    }
    throw new IllegalStateException("not an action to carry out: " + action);
  }

  /** The StatefulSet a recreate creates: the one it recorded, else Git's as given. */
  private static Function<Integer, HasMetadata> creating(
      RecreateState state, Function<Integer, HasMetadata> applied) {
    return state.statefulSet() == null ? applied : recorded(state.statefulSet());
  }

  /** The recorded StatefulSet, with the partition {@code carry} (null: none) carried. */
  private static Function<Integer, HasMetadata> recorded(String json) {
    return partition -> {
      try {
        StatefulSet sts = JSON.readValue(json, StatefulSet.class);
        PartitionHold.carry(sts, partition);
        return sts;
      } catch (IOException e) {
        throw new IllegalStateException("unreadable recorded StatefulSet: " + e.getMessage(), e);
      }
    };
  }

  /**
   * Finishes every recreate of {@code app} recorded past its orphan delete in {@code namespaces},
   * from the StatefulSet it recorded, before anything else a sync does: whatever the commit now
   * holds (refused, invalid), the pods must not wait for a good one to get their controller back.
   *
   * <p>The recorded StatefulSet carries the inventory label of the app that started the recreate,
   * and only that app's sync finishes it. Apps may share a namespace and their syncs run at once,
   * on workers of their own: finished by every app of the namespace, one recreate would be carried
   * out twice at the same time, each step and each Event repeated. A recreate whose app is no
   * longer configured ({@link #configuredApps}), or no longer governs its namespace, is finished by
   * one app alone: of the apps that govern the namespace, the first by name. Only a recreate past
   * its delete is adopted so (one before it never started to replace the StatefulSet), and the new
   * StatefulSet keeps the label of the app that started it.
   *
   * @param mayWrite as for {@link #run}; the first step it refuses ends the call
   */
  public Orphans finishOrphaned(
      String app, Set<String> namespaces, Duration patience, BooleanSupplier mayWrite) {
    Orphans outcome = Orphans.NONE_FINISHED;
    for (String json : store.all()) {
      RecreateState state = RecreateState.fromJson(json);
      if (!state.stage().pastTheDelete() || state.statefulSet() == null) {
        continue;
      }
      HasMetadata sts = recorded(state.statefulSet()).apply(null);
      String ns = sts.getMetadata().getNamespace();
      if (!namespaces.contains(ns) || !finishes(app, sts)) {
        continue;
      }
      Result result =
          run(
              resumed(ns, sts.getMetadata().getName(), state),
              recorded(state.statefulSet()),
              patience,
              mayWrite);
      if (result instanceof Result.Stopped) {
        return Orphans.STOPPED;
      }
      if (result instanceof Result.Done) {
        outcome = Orphans.FINISHED;
      }
    }
    return outcome;
  }

  /**
   * The apps this Ordinal is configured with, by name, and the namespaces each governs: a recreate
   * past its delete recorded by an app no longer among them (renamed, or removed mid-recreate), or
   * no longer governing its namespace, is adopted by the first of them by name that governs the
   * namespace. Without them (empty), none is adopted.
   */
  public Recreator configuredApps(Map<String, Set<String>> namespacesByApp) {
    this.namespacesByApp = new TreeMap<>(namespacesByApp);
    return this;
  }

  /** Whether {@code app}'s sync finishes the recreate of {@code recorded}, in its namespace. */
  private boolean finishes(String app, HasMetadata recorded) {
    Map<String, String> labels = recorded.getMetadata().getLabels();
    String startedBy = labels == null ? null : labels.get(PlanOptions.APP_LABEL);
    if (app.equals(startedBy)) {
      return true;
    }
    SortedMap<String, Set<String>> apps = namespacesByApp;
    String ns = recorded.getMetadata().getNamespace();
    if (apps.isEmpty()
        || (startedBy != null && apps.getOrDefault(startedBy, Set.of()).contains(ns))) {
      return false; // its own app finishes it
    }
    return apps.entrySet().stream()
        .filter(e -> e.getValue().contains(ns))
        .map(Map.Entry::getKey)
        .findFirst()
        .map(app::equals)
        .orElse(false);
  }

  /** What a recreate recorded past its delete still does: only its target matters by then. */
  public static RecreateSpec resumed(String namespace, String name, RecreateState state) {
    return new RecreateSpec(
        namespace,
        name,
        state.commit(),
        growTo(state.target()),
        Optional.empty(),
        RecreateSpec.DEFAULT_RESIZE_TIMEOUT,
        Optional.ofNullable(state.restartStamp())
            .map(
                stamp -> new RecreateSpec.Roll(state.selector(), stamp, state.restartPartition())));
  }

  private void publish(
      RecreateSpec spec, RecreateEvent.Step step, String claim, String message, String action) {
    RecreateEvent event =
        new RecreateEvent(spec.namespace(), spec.name(), spec.commit(), step, claim, message);
    bus.publish(
        new EventBus.Occurrence(
            clock.instant(), spec.namespace(), spec.name(), null, action, event, Optional.empty()));
  }

  RecreateObservation observe(RecreateSpec spec) {
    String key = spec.namespace() + "/" + spec.name();
    Optional<RecreateState> recorded = recorded(spec.namespace(), spec.name());
    Optional<StatefulSet> current = cluster.statefulSet(key, Workloads.Read.FRESH);
    Optional<RecreateObservation.Live> live = current.map(Recreator::live);
    List<RecreateObservation.Claim> claims = new ArrayList<>();
    Map<String, Boolean> expansion = new HashMap<>();
    for (PersistentVolumeClaim pvc : cluster.claims(spec.namespace())) {
      String template = templateOf(pvc.getMetadata().getName(), spec);
      if (template == null) {
        continue;
      }
      String storageClass =
          pvc.getSpec().getStorageClassName() == null ? "" : pvc.getSpec().getStorageClassName();
      if (!storageClass.isEmpty() && !expansion.containsKey(storageClass)) {
        cluster
            .allowsVolumeExpansion(storageClass)
            .ifPresent(allows -> expansion.put(storageClass, allows));
      }
      claims.add(claim(pvc, template, storageClass));
    }
    Optional<RecreateObservation.BackupStatus> backup = Optional.empty();
    String backupId = recorded.map(RecreateState::backupId).orElse("");
    if (!backupId.isEmpty()) {
      BackupView.SnapshotSet set =
          backups.view(spec.namespace(), spec.name(), Optional.empty()).sets().get(backupId);
      if (set != null) {
        backup = Optional.of(new RecreateObservation.BackupStatus(set.complete(), set.failure()));
      }
    }
    List<RecreateObservation.PodLabels> pods = new ArrayList<>();
    boolean rolls =
        spec.roll().isPresent() || recorded.filter(RecreateState::rollsPods).isPresent();
    if (rolls && current.isPresent()) {
      Pattern own = Pattern.compile(Pattern.quote(spec.name() + "-") + "[0-9]+");
      for (var pod : cluster.pods(current.get(), Workloads.Read.FRESH)) {
        if (own.matcher(pod.getMetadata().getName()).matches()) {
          pods.add(
              new RecreateObservation.PodLabels(
                  pod.getMetadata().getName(),
                  pod.getMetadata().getUid(),
                  pod.getMetadata().getLabels() == null
                      ? Map.of()
                      : pod.getMetadata().getLabels()));
        }
      }
    }
    return new RecreateObservation(
        clock.instant(), live, claims, expansion, backup, recorded, pods);
  }

  private static RecreateObservation.Live live(StatefulSet sts) {
    Map<String, String> carried = new HashMap<>();
    Map<String, String> annotations = sts.getMetadata().getAnnotations();
    if (annotations != null) {
      annotations.forEach(
          (k, v) -> {
            if (CARRIED.contains(k)) {
              carried.put(k, v);
            }
          });
    }
    Integer partition =
        sts.getSpec().getUpdateStrategy() == null
                || sts.getSpec().getUpdateStrategy().getRollingUpdate() == null
            ? null
            : sts.getSpec().getUpdateStrategy().getRollingUpdate().getPartition();
    Map<String, String> template =
        sts.getSpec().getTemplate() == null || sts.getSpec().getTemplate().getMetadata() == null
            ? null
            : sts.getSpec().getTemplate().getMetadata().getAnnotations();
    var status = sts.getStatus();
    Long generation = sts.getMetadata().getGeneration();
    boolean observed =
        status != null
            && status.getCurrentRevision() != null
            && status.getObservedGeneration() != null
            && status.getObservedGeneration() >= (generation == null ? 0 : generation);
    // OnDelete never advances the current revision: some pod not updated is what tells.
    boolean rolling =
        status != null
            && status.getCurrentRevision() != null
            && status.getUpdateRevision() != null
            && !status.getCurrentRevision().equals(status.getUpdateRevision())
            && !Objects.equals(status.getUpdatedReplicas(), status.getReplicas());
    return new RecreateObservation.Live(
        sts.getMetadata().getUid(),
        sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas(),
        partition,
        sts.getMetadata().getDeletionTimestamp() != null,
        carried,
        template == null ? "" : template.getOrDefault(Annotations.RECREATED_AT, ""),
        observed,
        rolling);
  }

  private static RecreateObservation.Claim claim(
      PersistentVolumeClaim pvc, String template, String storageClass) {
    Quantity requested = ImmutableChanges.storage(pvc);
    Quantity capacity =
        pvc.getStatus() == null || pvc.getStatus().getCapacity() == null
            ? null
            : pvc.getStatus().getCapacity().get("storage");
    boolean pending = false;
    if (pvc.getStatus() != null && pvc.getStatus().getConditions() != null) {
      for (PersistentVolumeClaimCondition c : pvc.getStatus().getConditions()) {
        pending |= "FileSystemResizePending".equals(c.getType()) && "True".equals(c.getStatus());
      }
    }
    return new RecreateObservation.Claim(
        pvc.getMetadata().getName(),
        pvc.getMetadata().getUid(),
        template,
        storageClass,
        pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase()),
        requested == null ? 0 : ImmutableChanges.bytes(requested).longValue(),
        capacity == null ? -1 : ImmutableChanges.bytes(capacity).longValue(),
        pending);
  }

  /** The template of a claim named {@code <template>-<sts>-<ordinal>}; null for other claims. */
  private static String templateOf(String claim, RecreateSpec spec) {
    for (String template : spec.growTo().keySet()) {
      if (Pattern.matches(Pattern.quote(template + "-" + spec.name() + "-") + "[0-9]+", claim)) {
        return template;
      }
    }
    return null;
  }

  /**
   * Why the recreate cannot start, decided on what the cluster shows now; empty when it can, or is
   * under way already. Changes nothing.
   */
  public Optional<String> preflight(RecreateSpec spec) {
    RecreateAction first = RecreateDecisions.decide(spec, observe(spec));
    return first instanceof RecreateAction.Refuse refuse
        ? Optional.of(refuse.reason())
        : Optional.empty();
  }

  /** The sizes of a recorded target, {@code data=2Gi,wal=1Gi}. */
  public static Map<String, RecreateSpec.Size> growTo(String target) {
    Map<String, RecreateSpec.Size> sizes = new HashMap<>();
    for (String part : target.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        String size = part.substring(eq + 1);
        sizes.put(
            part.substring(0, eq),
            new RecreateSpec.Size(size, ImmutableChanges.bytes(new Quantity(size)).longValue()));
      }
    }
    return sizes;
  }

  /** The sizes a recreate grows to, from a plan's volume growth. */
  public static Map<String, RecreateSpec.Size> growTo(ImmutableChanges changes) {
    Map<String, RecreateSpec.Size> sizes = new HashMap<>();
    for (ImmutableChanges.VolumeResize growth : changes.growths()) {
      sizes.put(
          growth.template(),
          new RecreateSpec.Size(
              growth.to(), ImmutableChanges.bytes(new Quantity(growth.to())).longValue()));
    }
    return sizes;
  }

  private void sleep() {
    try {
      Thread.sleep(pollEvery.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a recreate waits", e);
    }
  }
}
