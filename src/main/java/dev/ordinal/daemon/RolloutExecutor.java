package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.backup.BackupManager;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.VolumeOp;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one engine {@link Action} out through the {@link Workloads} port (see the executor
 * contract in {@code dev.ordinal.rollout}). Every StatefulSet write carries the resourceVersion
 * read for the observation, so a change since makes it a {@link Next#CONFLICT}: the caller then
 * re-reads, re-observes and re-decides instead of retrying. A decision is logged once its write
 * succeeded.
 *
 * <p>An {@link Action.UpdateState} is not written on its own: it changes annotations only, so the
 * caller decides again at once on the object as its write would leave it ({@link Next#CARRY}), and
 * the next decision's write carries it along ({@link Carried}). A pod becoming Ready thus costs one
 * write (step completed, state and next partition together) instead of two in a row, each a round
 * trip to the API server. The state still goes in the same write as the step it belongs to, under
 * the resourceVersion of the observation both decisions were made on; a crash before that write
 * leaves the stored state as it was, from which the engine decides the same again.
 */
final class RolloutExecutor {
  private static final Logger log = LoggerFactory.getLogger(RolloutExecutor.class);

  /** What the caller does next. */
  enum Next {
    /** Decide again at once with {@link Result#sts()}. */
    DECIDE_AGAIN,
    /**
     * Nothing written yet: decide again at once with {@link Result#sts()}, the object as the write
     * would leave it, and pass {@link Result#carried()} to the next execution, which writes it.
     */
    CARRY,
    /** Decide again after {@link Result#recheckAfter()} or on the next watch event. */
    WAIT,
    /** The StatefulSet changed under us: re-read it, re-observe, re-decide. */
    CONFLICT
  }

  /**
   * The outcome of one execution; {@code sts} is the object as last written (or the input, or for
   * {@link Next#CARRY} as it would be written); {@code written} the carried actions this execution
   * wrote, to be told about before the action itself; {@code carriedOut} whether the action itself
   * was (a pod already gone was not deleted, a volume request refused was not carried out: their
   * state was written, but nothing happened to tell of).
   */
  record Result(
      Next next,
      StatefulSet sts,
      Duration recheckAfter,
      Carried carried,
      List<Action> written,
      boolean carriedOut) {
    Result(Next next, StatefulSet sts, Duration recheckAfter, List<Action> written) {
      this(next, sts, recheckAfter, Carried.NONE, written, true);
    }

    Result(
        Next next, StatefulSet sts, Duration recheckAfter, Carried carried, List<Action> written) {
      this(next, sts, recheckAfter, carried, written, true);
    }

    /** As the action's own result, with nothing of it carried out. */
    Result notCarriedOut() {
      return new Result(next, sts, recheckAfter, carried, written, false);
    }
  }

  /**
   * UpdateStates decided but not yet written, in order, with their write relative to the object
   * observed (whose resourceVersion the write that carries them will be under).
   */
  record Carried(Workloads.RolloutWrite write, List<Action> actions) {
    static final Carried NONE =
        new Carried(new Workloads.RolloutWrite(null, Map.of(), Set.of()), List.of());

    Carried {
      actions = List.copyOf(actions);
    }

    boolean isEmpty() {
      return actions.isEmpty();
    }

    /** These, then {@code action} whose write {@code next} was made on the projected object. */
    Carried and(Workloads.RolloutWrite next, Action action) {
      List<Action> all = new ArrayList<>(actions);
      all.add(action);
      return new Carried(then(next), all);
    }

    /**
     * One write with the effect of this one followed by {@code next}: a later set or removal of an
     * annotation wins, as do a later partition and replicas.
     */
    Workloads.RolloutWrite then(Workloads.RolloutWrite next) {
      Map<String, String> set = new HashMap<>(write.set());
      Set<String> remove = new HashSet<>(write.remove());
      next.set()
          .forEach(
              (k, v) -> {
                set.put(k, v);
                remove.remove(k);
              });
      next.remove()
          .forEach(
              k -> {
                set.remove(k);
                remove.add(k);
              });
      return new Workloads.RolloutWrite(
          next.partition() != null ? next.partition() : write.partition(),
          next.replicas() != null ? next.replicas() : write.replicas(),
          set,
          remove);
    }
  }

  private final Workloads workloads;
  private final EventBus bus;
  private final AnalysisRuns analysis;
  private final BackupManager backups;
  private final Clock clock;

  /**
   * @param backups carries out volume requests; null when this Ordinal has no backup support, and
   *     then every volume request is refused (a backup fails closed on its timeout)
   */
  RolloutExecutor(
      Workloads workloads,
      EventBus bus,
      AnalysisRuns analysis,
      BackupManager backups,
      Clock clock) {
    this.workloads = Objects.requireNonNull(workloads);
    this.bus = Objects.requireNonNull(bus);
    this.analysis = Objects.requireNonNull(analysis);
    this.backups = backups;
    this.clock = Objects.requireNonNull(clock);
  }

  /**
   * Executes {@code action} decided from {@code observed} (the object whose resourceVersion the
   * write must match, or its projection after {@code carried}), writing {@code carried} along, then
   * publishes the events of the carried actions and of this one: a decision is told once its write
   * succeeded.
   */
  Result execute(Action action, StatefulSet observed, Carried carried) {
    String ns = observed.getMetadata().getNamespace();
    String name = observed.getMetadata().getName();
    if (action instanceof Action.UpdateState) {
      Workloads.RolloutWrite own = write(observed, action, null);
      return new Result(
          Next.CARRY, projected(observed, own), Duration.ZERO, carried.and(own, action), List.of());
    }
    if (action instanceof Action.Wait wait) {
      if (!writeCarried(observed, carried)) {
        return new Result(Next.CONFLICT, observed, Duration.ZERO, List.of());
      }
      publish(observed, action);
      return new Result(Next.WAIT, observed, wait.recheckAfter(), carried.actions());
    }
    Integer partition = null;
    Integer replicas = null;
    if (action instanceof Action.SetPartition set) {
      partition = set.partition();
    } else if (action instanceof Action.SetReplicas scale) {
      partition = scale.partition();
      replicas = scale.replicas();
    }
    Workloads.WriteResult outcome =
        workloads.write(observed, carried.then(write(observed, action, partition, replicas)));
    if (!(outcome instanceof Workloads.WriteResult.Written done)) {
      log.info(
          "{}/{} conflict writing {}: re-reading and deciding again",
          ns,
          name,
          action.getClass().getSimpleName());
      return new Result(Next.CONFLICT, observed, Duration.ZERO, List.of());
    }
    carried.actions().forEach(a -> publish(observed, a));
    List<Action> written = carried.actions();
    StatefulSet sts = done.sts();
    if (action instanceof Action.DeletePod delete) {
      Workloads.PodDeletion deletion =
          workloads.deletePod(ns, delete.podName(), delete.podRevision());
      // wait for the pod's watch events rather than deciding on a cache that still lists it
      Result waiting = new Result(Next.WAIT, sts, Duration.ofSeconds(10), written);
      if (deletion == Workloads.PodDeletion.DELETED) {
        publish(observed, action);
        return waiting;
      }
      log.info("{}/{} pod {} not deleted: {}", ns, name, delete.podName(), deletion);
      return waiting.notCarriedOut();
    }
    if (action instanceof Action.Volume volume) {
      BackupManager.Outcome carriedOut =
          backups == null
              ? new BackupManager.Outcome(false, "this Ordinal runs without backup support")
              : backups.carryOut(ns, name, volume.op());
      if (!carriedOut.done()) {
        log.warn(
            "{}/{} {} not carried out: {}",
            ns,
            name,
            volume.op().getClass().getSimpleName(),
            carriedOut.detail());
        return new Result(Next.WAIT, sts, Duration.ofSeconds(10), written).notCarriedOut();
      }
      publish(observed, action);
      // claims and snapshots change on the server's time: their watch events wake the loop
      boolean waits =
          volume.op() instanceof VolumeOp.DeleteClaim
              || volume.op() instanceof VolumeOp.RestoreClaim
              || volume.op() instanceof VolumeOp.DeleteSet;
      return waits
          ? new Result(Next.WAIT, sts, Duration.ofSeconds(10), written)
          : new Result(Next.DECIDE_AGAIN, sts, Duration.ZERO, written);
    }
    if (action instanceof Action.StartAnalysis start) {
      analysis.start(
          StatefulSetObserver.scopedRunId(ns, name, start.runId()),
          start.templates(),
          new AnalysisRuns.RolloutContext(
              ns,
              name,
              start.state().targetRevision(),
              start.state().stableRevision(),
              podsOn(observed, start.state().targetRevision()),
              podsOn(observed, start.state().stableRevision())));
    } else if (action instanceof Action.StopAnalysis stop) {
      analysis.stop(StatefulSetObserver.scopedRunId(ns, name, stop.runId()));
    }
    publish(observed, action);
    return new Result(Next.DECIDE_AGAIN, sts, Duration.ZERO, written);
  }

  /**
   * Writes what {@code carried} holds on its own (when the decisions after it write nothing) and
   * publishes its events; false when the object changed since it was observed.
   */
  boolean writeCarried(StatefulSet observed, Carried carried) {
    if (carried.isEmpty()) {
      return true;
    }
    if (!(workloads.write(observed, carried.write()) instanceof Workloads.WriteResult.Written)) {
      log.info(
          "{}/{} conflict writing the rollout state: re-reading and deciding again",
          observed.getMetadata().getNamespace(),
          observed.getMetadata().getName());
      return false;
    }
    carried.actions().forEach(a -> publish(observed, a));
    return true;
  }

  /**
   * The object as an annotations-only {@code write} would leave it: the same resourceVersion (the
   * write that carries it goes under the observed one) and the same generation (the API server
   * bumps it for spec changes only), the annotations changed.
   */
  static StatefulSet projected(StatefulSet observed, Workloads.RolloutWrite write) {
    if (write.partition() != null || write.replicas() != null) {
      throw new IllegalArgumentException("only an annotations-only write can be projected");
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    if (observed.getMetadata().getAnnotations() != null) {
      annotations.putAll(observed.getMetadata().getAnnotations());
    }
    annotations.putAll(write.set());
    write.remove().forEach(annotations::remove);
    return new StatefulSet(
        observed.getApiVersion(),
        observed.getKind(),
        new ObjectMetaBuilder(observed.getMetadata()).withAnnotations(annotations).build(),
        observed.getSpec(),
        observed.getStatus());
  }

  /** Tells the bus about a decision on {@code sts}. */
  void publish(StatefulSet sts, Action action) {
    bus.publish(
        new EventBus.Occurrence(
            clock.instant(),
            sts.getMetadata().getNamespace(),
            sts.getMetadata().getName(),
            sts.getMetadata().getUid(),
            action.getClass().getSimpleName(),
            action.event(),
            Optional.of(action.state())));
  }

  /**
   * The one StatefulSet write of an action: partition (when given and different), the state
   * annotation when it changed, consumed command annotations removed; empty when nothing changes.
   * Every action but a wait ends a sync hold: the engine decides nothing else while one holds it
   * back.
   */
  static Workloads.RolloutWrite write(StatefulSet observed, Action action, Integer partition) {
    return write(observed, action, partition, null);
  }

  /**
   * The write with replicas too. The restore mark ({@link Annotations#RESTORE}) is set, with the
   * restore's step, while the state holds a restore, and removed with the write that ends it.
   */
  static Workloads.RolloutWrite write(
      StatefulSet observed, Action action, Integer partition, Integer replicas) {
    Map<String, String> annotations = observed.getMetadata().getAnnotations();
    if (annotations == null) {
      annotations = Map.of();
    }
    Map<String, String> set = new HashMap<>();
    Set<String> remove = new HashSet<>();
    String stateJson = action.state().toJson();
    if (!stateJson.equals(annotations.get(Annotations.STATE))) {
      set.put(Annotations.STATE, stateJson);
    }
    for (Command c : action.consumes()) {
      String commandKey = Annotations.commandKey(c);
      if (annotations.containsKey(commandKey)) {
        remove.add(commandKey);
      }
    }
    Integer newPartition =
        partition != null && partition != StatefulSetObserver.partition(observed)
            ? partition
            : null;
    if (annotations.containsKey(Annotations.SYNC_HOLD)) {
      remove.add(Annotations.SYNC_HOLD);
    }
    Optional<RolloutState.Restore> restore = action.state().restoring();
    if (restore.isPresent()) {
      String mark =
          restore.get().id() + " " + restore.get().stage().name().toLowerCase(Locale.ROOT);
      if (!mark.equals(annotations.get(Annotations.RESTORE))) {
        set.put(Annotations.RESTORE, mark);
      }
    } else if (annotations.containsKey(Annotations.RESTORE)) {
      remove.add(Annotations.RESTORE);
    }
    Integer current = observed.getSpec() == null ? null : observed.getSpec().getReplicas();
    Integer newReplicas = replicas != null && !replicas.equals(current) ? replicas : null;
    return new Workloads.RolloutWrite(newPartition, newReplicas, set, remove);
  }

  private List<String> podsOn(StatefulSet sts, String revision) {
    List<String> names = new ArrayList<>();
    for (Pod p : workloads.pods(sts, Workloads.Read.CACHED)) {
      Map<String, String> l = p.getMetadata().getLabels();
      if (l != null && revision.equals(l.get(StatefulSetObserver.REVISION_LABEL))) {
        names.add(p.getMetadata().getName());
      }
    }
    names.sort(null);
    return names;
  }

  /** Tells the bus about an event that is no action's (an unreadable state). */
  void publish(StatefulSet sts, RolloutEvent event) {
    bus.publish(
        new EventBus.Occurrence(
            clock.instant(),
            sts.getMetadata().getNamespace(),
            sts.getMetadata().getName(),
            sts.getMetadata().getUid(),
            "None",
            event,
            Optional.empty()));
  }
}
