package dev.ordinal.plan;

import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.RolloutPolicy;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutPreview;
import dev.ordinal.rollout.RolloutSpecs;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What {@code ordinal plan} prints for a recreate that rolls the pods ({@link
 * ObjectPlan.Recreate#rollsPods()}): the relabelling, the recreate, the template stamp, and which
 * pods restart in what order.
 */
final class RecreatePlans {
  private RecreatePlans() {}

  static String section(ObjectPlan.Recreate recreate, DesiredState state) {
    StatefulSet desired = (StatefulSet) recreate.desired();
    StatefulSet live = (StatefulSet) recreate.live();
    int replicas = replicas(desired, live);
    String name = recreate.key().name();
    String fields =
        recreate.changes().others().stream()
            .map(FieldChange::path)
            .collect(Collectors.joining(", "));
    StringBuilder out = new StringBuilder();
    out.append("### StatefulSet ")
        .append(RolloutPreview.escapeMarkdown(recreate.key().namespacedName()))
        .append(": ")
        .append(RolloutPreview.escapeMarkdown(fields))
        .append(" changes, the StatefulSet is recreated and its pods rolled\n\n");
    int n = 1;
    for (ImmutableChanges.VolumeResize growth : recreate.changes().growths()) {
      out.append(n++)
          .append(". Grow the claims of ")
          .append(growth.template())
          .append(" (`")
          .append(growth.template())
          .append('-')
          .append(name)
          .append("-N`) from ")
          .append(growth.from())
          .append(" to ")
          .append(growth.to())
          .append(", as for volume growth alone.\n");
    }
    Map<String, String> added = addedSelectorLabels(desired, live);
    if (!added.isEmpty()) {
      out.append(n++)
          .append(". Give each pod that lacks them the new selector's labels ")
          .append(labels(added))
          .append(" (its other labels stay), so the new StatefulSet adopts it: ")
          .append(pods(name, replicas))
          .append(".\n");
    }
    out.append(n++)
        .append(". Delete the StatefulSet with propagationPolicy Orphan: its ")
        .append(replicas)
        .append(" pods and their claims stay.\n");
    out.append(n++)
        .append(". Create it again from Git; it adopts the running pods. No pod restarts here.\n");
    Optional<RolloutPolicy> policy = policy(state, desired);
    out.append(n++)
        .append(
            ". Once the StatefulSet controller has observed it, set the pod template annotation `")
        .append(Annotations.RECREATED_AT)
        .append("` to the commit")
        .append(
            policy.isPresent() && !onDelete(desired)
                ? ", holding the partition at " + replicas
                : "")
        .append(": a new revision.\n");
    if (policy.isEmpty()) {
      out.append(n)
          .append(". No RolloutPolicy governs it: the StatefulSet controller replaces the pods at")
          .append(" once, one at a time, highest ordinal first: ")
          .append(podsDescending(name, replicas))
          .append(".\n");
      return out.toString();
    }
    out.append(n)
        .append(". The pods restart through policy ")
        .append(RolloutPreview.escapeMarkdown(policy.get().name()))
        .append(", highest ordinal first:\n\n")
        .append(
            RolloutPreview.render(
                RolloutSpecs.from(policy.get()),
                recreate.key().namespace(),
                name,
                replicas,
                onDelete(desired) ? "OnDelete" : "RollingUpdate"));
    return out.toString();
  }

  /** The new selector's labels that the old one did not require with that value. */
  private static Map<String, String> addedSelectorLabels(StatefulSet desired, StatefulSet live) {
    Map<String, String> old = matchLabels(live);
    Map<String, String> added = new TreeMap<>();
    matchLabels(desired)
        .forEach(
            (key, value) -> {
              if (!value.equals(old.get(key))) {
                added.put(key, value);
              }
            });
    return added;
  }

  private static Map<String, String> matchLabels(StatefulSet sts) {
    return sts.getSpec().getSelector() == null
            || sts.getSpec().getSelector().getMatchLabels() == null
        ? Map.of()
        : sts.getSpec().getSelector().getMatchLabels();
  }

  private static String labels(Map<String, String> labels) {
    return labels.entrySet().stream()
        .map(e -> "`" + e.getKey() + ": " + e.getValue() + "`")
        .collect(Collectors.joining(", "));
  }

  private static String pods(String name, int replicas) {
    List<String> pods = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      pods.add("`" + name + "-" + i + "`");
    }
    return String.join(", ", pods);
  }

  private static String podsDescending(String name, int replicas) {
    List<String> pods = new ArrayList<>();
    for (int i = replicas - 1; i >= 0; i--) {
      pods.add("`" + name + "-" + i + "`");
    }
    return String.join(", ", pods);
  }

  private static Optional<RolloutPolicy> policy(DesiredState state, StatefulSet desired) {
    try {
      return state.policyFor(desired);
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // loading reports a broken policy reference as an error first
    }
  }

  private static boolean onDelete(StatefulSet sts) {
    return sts.getSpec().getUpdateStrategy() != null
        && "OnDelete".equals(sts.getSpec().getUpdateStrategy().getType());
  }

  private static int replicas(StatefulSet desired, StatefulSet live) {
    if (desired.getSpec().getReplicas() != null) {
      return desired.getSpec().getReplicas();
    }
    return live.getSpec().getReplicas() == null ? 1 : live.getSpec().getReplicas();
  }
}
