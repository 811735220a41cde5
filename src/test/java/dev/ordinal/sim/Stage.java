package dev.ordinal.sim;

import dev.ordinal.daemon.RolloutLoop;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A place to play a rollout scenario: the real control plane or the in-memory cluster. The same
 * scenario on both must give the same pods, in the same order, and the same decisions.
 */
interface Stage extends AutoCloseable {
  /** Creates a StatefulSet under a policy and waits until its pods run; returns its revision. */
  String create(String name, int replicas, String image, String strategy, Integer maxUnavailable)
      throws Exception;

  /**
   * Applies a new image as Git does under a policy (template and a held partition in one write),
   * and returns the new update revision once the controller published it.
   */
  String apply(String name, String image) throws Exception;

  /** Scales as Git does, keeping the partition the rollout drives. */
  void scale(String name, int replicas) throws Exception;

  /** Pods running this image behave so; set before the release, so no pod escapes it. */
  void behave(String image, PodBehaviour behaviour);

  /** Sets an annotation (a user's command). */
  void annotate(String name, String key, String value) throws Exception;

  /** The rollout loop over this stage's cluster. */
  RolloutLoop loop(String name, RolloutSpec spec);

  /** The rollout state on the StatefulSet, if any. */
  Optional<RolloutState> state(String name);

  /**
   * Whether the partition is at rest: at or above the replica count, or none (OnDelete). Between
   * rollouts the engine raises it there, one decision after the rollout completed.
   */
  default boolean partitionAtRest(String name) {
    return atRest(statefulSet(name));
  }

  /** The StatefulSet as it is now. */
  StatefulSet statefulSet(String name);

  /**
   * Whether the partition the StatefulSet holds now is the last one a decision told of (an OnDelete
   * StatefulSet has none to tell): the write lands before its decision is told, so a partition at
   * rest is not yet a decision recorded.
   */
  static boolean partitionTold(StatefulSet sts, Integer told) {
    var rolling = sts.getSpec().getUpdateStrategy().getRollingUpdate();
    Integer partition = rolling == null ? null : rolling.getPartition();
    return "OnDelete".equals(sts.getSpec().getUpdateStrategy().getType())
        || (partition != null && partition.equals(told));
  }

  /** Pod name → revision now. */
  Map<String, String> pods(String name);

  static boolean atRest(StatefulSet sts) {
    var rolling = sts.getSpec().getUpdateStrategy().getRollingUpdate();
    Integer partition = rolling == null ? null : rolling.getPartition();
    return "OnDelete".equals(sts.getSpec().getUpdateStrategy().getType())
        || (partition != null && partition >= sts.getSpec().getReplicas());
  }

  /** Every pod incarnation created so far, as "pod@revision", in creation order. */
  List<String> podHistory(String name);
}
