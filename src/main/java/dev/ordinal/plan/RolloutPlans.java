package dev.ordinal.plan;

import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.ManifestObject;
import dev.ordinal.manifest.RolloutPolicy;
import dev.ordinal.rollout.RecreateSpec;
import dev.ordinal.rollout.RolloutPreview;
import dev.ordinal.rollout.RolloutSpecs;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The rollouts a change would start: one per StatefulSet whose pod template changes. {@code ordinal
 * diff} and {@code ordinal plan} compare Git with the cluster ({@link #of}); a promotion pull
 * request compares the target's Git before and after the change ({@link #between}). Both render
 * with {@link #section}, so a reviewer reads the same plan in either place.
 */
public final class RolloutPlans {
  private RolloutPlans() {}

  /** One StatefulSet whose pod template changes, and how it will roll out. */
  public sealed interface Rollout {
    /** "namespace/name", or the name when the manifests leave the namespace to the app. */
    String key();

    /** Rolled out in steps under {@code policy}; {@code preview} is the Markdown preview. */
    record Stepped(String key, String policy, String preview) implements Rollout {}

    /** No RolloutPolicy governs it: the StatefulSet controller rolls it out at once. */
    record Direct(String key) implements Rollout {}
  }

  /** The rollouts applying {@code plan} (desired against live) starts, in plan order. */
  public static List<Rollout> of(Plan plan, DesiredState state) {
    List<Rollout> rollouts = new ArrayList<>();
    for (ObjectPlan.Update update : plan.ofType(ObjectPlan.Update.class)) {
      if (update.desired() instanceof StatefulSet desired
          && update.classes().contains(ChangeClass.POD_TEMPLATE)) {
        rollout(state, desired, update.key().namespace(), update.live()).ifPresent(rollouts::add);
      }
    }
    return rollouts;
  }

  /**
   * The rollouts that going from {@code before} to {@code after} (two revisions of one app's
   * manifests) starts, in {@code after}'s order: StatefulSets in both whose pod template differs.
   * New StatefulSets are created, not rolled out, so they are not listed.
   *
   * @param namespace the app's namespace, for StatefulSets whose manifests name none
   */
  public static List<Rollout> between(DesiredState before, DesiredState after, String namespace) {
    Map<String, StatefulSet> earlier = new TreeMap<>();
    for (ManifestObject object : before.statefulSets()) {
      earlier.put(key(object.resource(), namespace), (StatefulSet) object.resource());
    }
    List<Rollout> rollouts = new ArrayList<>();
    for (ManifestObject object : after.statefulSets()) {
      StatefulSet desired = (StatefulSet) object.resource();
      StatefulSet old = earlier.get(key(desired, namespace));
      if (old != null && !Objects.equals(template(old), template(desired))) {
        String ns = desired.getMetadata().getNamespace();
        rollout(after, desired, ns != null ? ns : namespace, old).ifPresent(rollouts::add);
      }
    }
    return rollouts;
  }

  /**
   * What {@code ordinal plan} prints for each StatefulSet Ordinal will recreate: every step, the
   * claims that grow (old to new size) and which pods restart (none, for volume growth).
   */
  public static List<String> recreateSections(Plan plan, DesiredState state) {
    List<String> sections = new ArrayList<>();
    for (ObjectPlan.Recreate recreate : plan.ofType(ObjectPlan.Recreate.class)) {
      if (recreate.rollsPods()) {
        sections.add(RecreatePlans.section(recreate, state));
        continue;
      }
      StatefulSet live = (StatefulSet) recreate.live();
      int replicas = live.getSpec().getReplicas() == null ? 1 : live.getSpec().getReplicas();
      String name = recreate.key().name();
      boolean backup =
          recreate.desired() instanceof StatefulSet desired
              && state.policyFor(desired).flatMap(RolloutPolicy::backup).isPresent();
      StringBuilder out = new StringBuilder();
      out.append("### StatefulSet ")
          .append(recreate.key().namespacedName())
          .append(": volumes grow, the StatefulSet is recreated\n\n");
      int n = 1;
      out.append(n++)
          .append(". Check that the StorageClass of every claim allows volume expansion;")
          .append(" otherwise nothing is changed.\n");
      if (backup) {
        out.append(n++)
            .append(". Take a VolumeSnapshot of every claim that grows (the policy's backup).\n");
      }
      out.append(n++).append(". Patch each claim to its new size:\n");
      for (ImmutableChanges.VolumeResize growth : recreate.changes().growths()) {
        for (int ordinal = 0; ordinal < replicas; ordinal++) {
          out.append("   - `")
              .append(growth.template())
              .append('-')
              .append(name)
              .append('-')
              .append(ordinal)
              .append("`: ")
              .append(growth.from())
              .append(" → ")
              .append(growth.to())
              .append('\n');
        }
      }
      out.append(n++)
          .append(". Wait until each reports the new capacity or FileSystemResizePending (at most ")
          .append(RecreateSpec.DEFAULT_RESIZE_TIMEOUT.toMinutes())
          .append(" minutes")
          .append(").\n");
      out.append(n++)
          .append(". Delete the StatefulSet with propagationPolicy Orphan: its ")
          .append(replicas)
          .append(" pods and their claims stay.\n");
      out.append(n)
          .append(". Create it again from Git with the new claim templates; it adopts the running")
          .append(" pods.\n\nNo pod restarts.\n");
      sections.add(out.toString());
    }
    return sections;
  }

  /** What {@code ordinal plan} prints for {@code plan}: a section per stepped rollout. */
  public static List<String> sections(Plan plan, DesiredState state) {
    List<String> sections = new ArrayList<>();
    for (Rollout rollout : of(plan, state)) {
      if (rollout instanceof Rollout.Stepped stepped) {
        sections.add(section(stepped));
      }
    }
    return sections;
  }

  /** A stepped rollout as {@code ordinal plan} prints it: a heading line, a blank line, then it. */
  public static String section(Rollout.Stepped rollout) {
    return "Rollout plan for StatefulSet "
        + RolloutPreview.escapeMarkdown(rollout.key())
        + " (policy "
        + RolloutPreview.escapeMarkdown(rollout.policy())
        + "):\n\n"
        + rollout.preview();
  }

  private static Optional<Rollout> rollout(
      DesiredState state, StatefulSet desired, String namespace, HasMetadata live) {
    Optional<RolloutPolicy> policy;
    try {
      policy = state.policyFor(desired);
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // loading reports a broken policy reference as an error first
    }
    String name = desired.getMetadata().getName();
    String key = namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    if (policy.isEmpty()) {
      return Optional.of(new Rollout.Direct(key));
    }
    String preview =
        RolloutPreview.render(
            RolloutSpecs.from(policy.get()),
            namespace,
            name,
            replicas(desired, live),
            strategy(desired));
    return Optional.of(new Rollout.Stepped(key, policy.get().name(), preview));
  }

  private static String key(HasMetadata object, String namespace) {
    String ns = object.getMetadata().getNamespace();
    return (ns != null ? ns : namespace) + "/" + object.getMetadata().getName();
  }

  private static Object template(StatefulSet sts) {
    return sts.getSpec() == null ? null : sts.getSpec().getTemplate();
  }

  // Git may leave replicas to an autoscaler; then the live count (or the earlier revision's) is
  // what the rollout moves.
  private static int replicas(StatefulSet desired, HasMetadata live) {
    if (desired.getSpec() != null && desired.getSpec().getReplicas() != null) {
      return desired.getSpec().getReplicas();
    }
    if (live instanceof StatefulSet sts
        && sts.getSpec() != null
        && sts.getSpec().getReplicas() != null) {
      return sts.getSpec().getReplicas();
    }
    return 1;
  }

  private static String strategy(StatefulSet desired) {
    if (desired.getSpec() != null
        && desired.getSpec().getUpdateStrategy() != null
        && desired.getSpec().getUpdateStrategy().getType() != null) {
      return desired.getSpec().getUpdateStrategy().getType();
    }
    return "RollingUpdate";
  }
}
