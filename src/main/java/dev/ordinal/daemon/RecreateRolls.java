package dev.ordinal.daemon;

import dev.ordinal.manifest.RolloutPolicy;
import dev.ordinal.rollout.RecreateSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import java.util.Optional;

/** How the pods of a recreated StatefulSet are rolled (see {@link RecreateSpec.Roll}). */
final class RecreateRolls {
  private RecreateRolls() {}

  /**
   * The roll of {@code desired} for commit {@code commit}: the new selector's labels for the pods,
   * the commit as the template stamp, and with a rollout policy on a RollingUpdate StatefulSet a
   * partition of the replica count, so the rollout engine moves each pod in its steps. Without a
   * policy the controller rolls the pods at once, as it would a new template from Git; with
   * OnDelete the engine deletes the pods itself.
   */
  static RecreateSpec.Roll roll(
      StatefulSet desired, HasMetadata live, String commit, Optional<RolloutPolicy> policy) {
    Map<String, String> selector =
        desired.getSpec().getSelector() == null
                || desired.getSpec().getSelector().getMatchLabels() == null
            ? Map.of()
            : desired.getSpec().getSelector().getMatchLabels();
    boolean onDelete =
        desired.getSpec().getUpdateStrategy() != null
            && "OnDelete".equals(desired.getSpec().getUpdateStrategy().getType());
    Integer partition = policy.isPresent() && !onDelete ? replicas(desired, live) : null;
    return new RecreateSpec.Roll(selector, commit, partition);
  }

  private static int replicas(StatefulSet desired, HasMetadata live) {
    if (desired.getSpec().getReplicas() != null) {
      return desired.getSpec().getReplicas();
    }
    if (live instanceof StatefulSet sts && sts.getSpec().getReplicas() != null) {
      return sts.getSpec().getReplicas();
    }
    return 1;
  }
}
