package dev.ordinal.daemon;

import dev.ordinal.plan.ChangeClass;
import dev.ordinal.plan.ObjectPlan;
import dev.ordinal.rollout.Annotations;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The partition-hold rule. The partition of a StatefulSet under a rollout policy belongs to the
 * rollout side (field manager {@code ordinal-rollout}): the Git applier never sends it, so it never
 * owns it and can never reset a rollout in flight, and a status write by the StatefulSet controller
 * can never make a sync fail. A pod-template change must not move a pod before the rollout engine
 * decides, so it is preceded by a hold: the partition raised to the replica count (guarded by the
 * partition the plan saw), with a sync-hold mark that keeps the engine from lowering it again until
 * the template lands or the mark expires.
 */
final class PartitionHold {
  /** How long the engine honours a hold whose template never landed (the sync died). */
  static final Duration HOLD_MARK_LIFETIME = Duration.ofMinutes(2);

  private PartitionHold() {}

  /** A hold to write before applying: raise the partition from {@code seen} to {@code to}. */
  record Hold(Integer seen, int to) {}

  /** Removes the partition from a desired StatefulSet the rollout side drives. */
  static void stripPartition(StatefulSet desired) {
    StatefulSetSpec spec = desired.getSpec();
    if (spec != null
        && spec.getUpdateStrategy() != null
        && spec.getUpdateStrategy().getRollingUpdate() != null) {
      spec.getUpdateStrategy().getRollingUpdate().setPartition(null);
    }
  }

  /**
   * Sets the partition a recreate carries over to the StatefulSet it creates. A partition of 0 (or
   * none) holds no pod and is the server's default: it is not sent, or the applier would own an
   * update strategy Git does not have, a drift in every later plan.
   */
  static void carry(StatefulSet created, Integer partition) {
    if (partition != null && partition > 0) {
      setPartition(created, partition);
    }
  }

  /**
   * Sets the partition of a RollingUpdate StatefulSet, and nothing else of its update strategy: the
   * applier then owns only the partition beside Git's fields, and a partition the rollout side
   * drives is not reported as drift (a type it sent would be, where Git has none).
   */
  static void setPartition(StatefulSet desired, int partition) {
    StatefulSetSpec spec = desired.getSpec();
    if (spec.getUpdateStrategy() == null) {
      spec.setUpdateStrategy(new StatefulSetUpdateStrategy());
    }
    if ("OnDelete".equals(spec.getUpdateStrategy().getType())) {
      return;
    }
    if (spec.getUpdateStrategy().getRollingUpdate() == null) {
      spec.getUpdateStrategy().setRollingUpdate(new RollingUpdateStatefulSetStrategy());
    }
    spec.getUpdateStrategy().getRollingUpdate().setPartition(partition);
  }

  /**
   * The hold an update needs before it is applied: only for a pod-template change of a
   * RollingUpdate StatefulSet whose partition lets some pod move; {@code seen} is null when the
   * live StatefulSet is OnDelete (switching strategy in the same commit).
   */
  static Optional<Hold> before(ObjectPlan.Update update) {
    if (!update.classes().contains(ChangeClass.POD_TEMPLATE)
        || !(update.desired() instanceof StatefulSet desired)
        || !(update.live() instanceof StatefulSet live)) {
      return Optional.empty();
    }
    if (isOnDelete(desired)) {
      return Optional.empty(); // Ordinal deletes pods itself; nothing moves on its own
    }
    int replicas = replicas(desired);
    if (isOnDelete(live)) {
      return Optional.of(new Hold(null, replicas));
    }
    int partition = StatefulSetObserver.partition(live);
    return partition >= replicas ? Optional.empty() : Optional.of(new Hold(partition, replicas));
  }

  /**
   * Whether a restore holds the live StatefulSet of {@code update}: the rollout side then owns its
   * replicas until the restored claims exist, and the applier leaves it alone (see {@link
   * Annotations#RESTORE}).
   */
  static boolean restoring(ObjectPlan.Update update) {
    if (!(update.live() instanceof StatefulSet live)) {
      return false;
    }
    Map<String, String> annotations = live.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(Annotations.RESTORE);
  }

  /** The sync-hold mark's value: until when the engine keeps the partition. */
  static String markUntil(Instant now) {
    return now.plus(HOLD_MARK_LIFETIME).toString();
  }

  private static boolean isOnDelete(StatefulSet sts) {
    return sts.getSpec() != null
        && sts.getSpec().getUpdateStrategy() != null
        && "OnDelete".equals(sts.getSpec().getUpdateStrategy().getType());
  }

  private static int replicas(StatefulSet sts) {
    Integer replicas = sts.getSpec() == null ? null : sts.getSpec().getReplicas();
    return replicas == null ? 1 : replicas;
  }
}
