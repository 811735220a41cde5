package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.backup.BackupManager;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.VolumeOp;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 */
final class RolloutExecutor {
  private static final Logger log = LoggerFactory.getLogger(RolloutExecutor.class);

  /** What the caller does next. */
  enum Next {
    /** Decide again at once with {@link Result#sts()}. */
    DECIDE_AGAIN,
    /** Decide again after {@link Result#recheckAfter()} or on the next watch event. */
    WAIT,
    /** The StatefulSet changed under us: re-read it, re-observe, re-decide. */
    CONFLICT
  }

  /** The outcome of one execution; {@code sts} is the object as last written (or the input). */
  record Result(Next next, StatefulSet sts, Duration recheckAfter) {}

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
   * write must match), then publishes its event: a decision is told once its write succeeded.
   */
  Result execute(Action action, StatefulSet observed) {
    String ns = observed.getMetadata().getNamespace();
    String name = observed.getMetadata().getName();
    if (action instanceof Action.Wait wait) {
      publish(observed, action);
      return new Result(Next.WAIT, observed, wait.recheckAfter());
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
        workloads.write(observed, write(observed, action, partition, replicas));
    if (!(outcome instanceof Workloads.WriteResult.Written done)) {
      log.info(
          "{}/{} conflict writing {}: re-reading and deciding again",
          ns,
          name,
          action.getClass().getSimpleName());
      return new Result(Next.CONFLICT, observed, Duration.ZERO);
    }
    StatefulSet written = done.sts();
    if (action instanceof Action.DeletePod delete) {
      Workloads.PodDeletion deletion =
          workloads.deletePod(ns, delete.podName(), delete.podRevision());
      if (deletion == Workloads.PodDeletion.DELETED) {
        publish(observed, action);
      } else {
        log.info("{}/{} pod {} not deleted: {}", ns, name, delete.podName(), deletion);
      }
      // wait for the pod's watch events rather than deciding on a cache that still lists it
      return new Result(Next.WAIT, written, Duration.ofSeconds(10));
    }
    if (action instanceof Action.Volume volume) {
      BackupManager.Outcome carried =
          backups == null
              ? new BackupManager.Outcome(false, "this Ordinal runs without backup support")
              : backups.carryOut(ns, name, volume.op());
      if (!carried.done()) {
        log.warn(
            "{}/{} {} not carried out: {}",
            ns,
            name,
            volume.op().getClass().getSimpleName(),
            carried.detail());
        return new Result(Next.WAIT, written, Duration.ofSeconds(10));
      }
      publish(observed, action);
      // claims and snapshots change on the server's time: their watch events wake the loop
      boolean waits =
          volume.op() instanceof VolumeOp.DeleteClaim
              || volume.op() instanceof VolumeOp.RestoreClaim
              || volume.op() instanceof VolumeOp.DeleteSet;
      return waits
          ? new Result(Next.WAIT, written, Duration.ofSeconds(10))
          : new Result(Next.DECIDE_AGAIN, written, Duration.ZERO);
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
    return new Result(Next.DECIDE_AGAIN, written, Duration.ZERO);
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
