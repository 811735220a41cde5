package dev.ordinal.cli;

import dev.ordinal.daemon.AppSync;
import dev.ordinal.manifest.RolloutPolicy;
import dev.ordinal.plan.ChangeClass;
import dev.ordinal.plan.ObjectPlan;
import dev.ordinal.rollout.RolloutPreview;
import dev.ordinal.rollout.RolloutSpecs;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rollout previews of a plan: one per StatefulSet whose pod template changes under a
 * RolloutPolicy, i.e. per rollout that applying the plan would start. Shared by {@code diff} and
 * {@code plan}.
 */
final class RolloutPlans {
  private RolloutPlans() {}

  /** Each section: a heading line, a blank line, then the Markdown preview. In plan order. */
  static List<String> sections(AppSync.Planned planned) {
    List<String> sections = new ArrayList<>();
    for (ObjectPlan.Update update : planned.plan().ofType(ObjectPlan.Update.class)) {
      if (!(update.desired() instanceof StatefulSet)
          || !update.classes().contains(ChangeClass.POD_TEMPLATE)) {
        continue;
      }
      StatefulSet desired = (StatefulSet) update.desired();
      Optional<RolloutPolicy> policy;
      try {
        policy = planned.state().policyFor(desired);
      } catch (IllegalArgumentException e) {
        continue; // loading reports a broken policy reference as an error before we get here
      }
      if (policy.isEmpty()) {
        continue; // rolled out directly by the StatefulSet controller: no steps to preview
      }
      String namespace = update.key().namespace();
      String name = update.key().name();
      String key = namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
      String preview =
          RolloutPreview.render(
              RolloutSpecs.from(policy.get()),
              namespace,
              name,
              replicas(desired, update.live()),
              strategy(desired, update.live()));
      sections.add(
          "Rollout plan for StatefulSet "
              + key
              + " (policy "
              + policy.get().name()
              + "):\n\n"
              + preview);
    }
    return sections;
  }

  // Git may leave replicas to an autoscaler; then the live count is what the rollout moves.
  private static int replicas(StatefulSet desired, HasMetadata live) {
    if (desired.getSpec() != null && desired.getSpec().getReplicas() != null) {
      return desired.getSpec().getReplicas();
    }
    if (live instanceof StatefulSet
        && ((StatefulSet) live).getSpec() != null
        && ((StatefulSet) live).getSpec().getReplicas() != null) {
      return ((StatefulSet) live).getSpec().getReplicas();
    }
    return 1;
  }

  private static String strategy(StatefulSet desired, HasMetadata live) {
    if (desired.getSpec() != null
        && desired.getSpec().getUpdateStrategy() != null
        && desired.getSpec().getUpdateStrategy().getType() != null) {
      return desired.getSpec().getUpdateStrategy().getType();
    }
    return "RollingUpdate";
  }
}
