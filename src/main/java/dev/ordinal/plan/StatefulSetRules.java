package dev.ordinal.plan;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** How changes to a StatefulSet are applied, and which ones Kubernetes refuses outright. */
final class StatefulSetRules {

  // The API server rejects a StatefulSet update that touches any spec field but these (checked
  // against 1.35: "updates to statefulset spec for fields other than 'replicas', 'ordinals',
  // 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy'
  // and 'minReadySeconds' are forbidden"). An allow-list, so that spec.volumeClaimTemplates,
  // selector, serviceName, podManagementPolicy and any field added later are all refused.
  private static final Set<String> UPDATABLE_SPEC_FIELDS =
      Set.of(
          "replicas",
          "ordinals",
          "template",
          "updateStrategy",
          "revisionHistoryLimit",
          "persistentVolumeClaimRetentionPolicy",
          "minReadySeconds");

  private StatefulSetRules() {}

  static boolean isStatefulSet(ObjectKey key) {
    return "apps".equals(key.group()) && "StatefulSet".equals(key.kind());
  }

  static boolean isForbidden(FieldChange change) {
    String path = change.path();
    if (!path.startsWith("spec.")) {
      return false;
    }
    int end = "spec.".length();
    while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
      end++;
    }
    return !UPDATABLE_SPEC_FIELDS.contains(path.substring("spec.".length(), end));
  }

  static ChangeClass classify(FieldChange change) {
    String path = change.path();
    if (path.equals("spec.replicas")) {
      return ChangeClass.SCALE;
    }
    if (change.isAtOrUnder("spec.template")) {
      return ChangeClass.POD_TEMPLATE;
    }
    return classifyGeneric(change);
  }

  /** For every kind: metadata is METADATA, anything else OTHER_SPEC. */
  static ChangeClass classifyGeneric(FieldChange change) {
    return change.isAtOrUnder("metadata") ? ChangeClass.METADATA : ChangeClass.OTHER_SPEC;
  }

  static Set<ChangeClass> classes(ObjectKey key, List<FieldChange> changes) {
    Set<ChangeClass> classes = EnumSet.noneOf(ChangeClass.class);
    boolean sts = isStatefulSet(key);
    for (FieldChange change : changes) {
      classes.add(sts ? classify(change) : classifyGeneric(change));
    }
    return classes;
  }

  /** How a StatefulSet opts in to recreating it for a forbidden change, for messages. */
  static final String OPT_IN =
      "set spec.immutableChanges: recreate on its RolloutPolicy, or the annotation"
          + " ordinal.dev/immutable-changes: recreate on the StatefulSet";

  /**
   * Why a forbidden change is refused, with what is true of each field after the orphan delete that
   * users reach for ({@code kubectl delete sts --cascade=orphan}): it recreates the StatefulSet,
   * but it changes no existing PVC and no running pod.
   *
   * @param optedIn the StatefulSet asked for recreates, so only what Ordinal cannot do is refused
   */
  static String refusal(
      ObjectKey key, List<FieldChange> forbidden, ImmutableChanges changes, boolean optedIn) {
    String fields = forbidden.stream().map(FieldChange::path).collect(Collectors.joining(", "));
    StringBuilder out =
        new StringBuilder("StatefulSet ")
            .append(key.namespacedName())
            .append(": ")
            .append(fields)
            .append(" cannot be changed on an existing StatefulSet (Kubernetes forbids it).");
    for (ImmutableChanges.VolumeResize shrink : changes.shrinks()) {
      out.append(" Volume claim template ")
          .append(shrink.template())
          .append(" shrinks from ")
          .append(shrink.from())
          .append(" to ")
          .append(shrink.to())
          .append(
              ": Kubernetes cannot shrink a PersistentVolumeClaim, so neither Ordinal nor a"
                  + " recreate can; revert the size in Git (to shrink, move the data to new"
                  + " claims yourself).");
    }
    if (!optedIn) {
      for (ImmutableChanges.VolumeResize growth : changes.growths()) {
        out.append(" Volume claim template ")
            .append(growth.template())
            .append(" grows from ")
            .append(growth.from())
            .append(" to ")
            .append(growth.to())
            .append(": after 'kubectl delete sts ")
            .append(key.name())
            .append(" --cascade=orphan' the existing PVCs (")
            .append(growth.template())
            .append('-')
            .append(key.name())
            .append(
                "-N) keep their old size; each must be patched to the new size, which"
                    + " needs a StorageClass with allowVolumeExpansion: true. To have Ordinal"
                    + " patch them and recreate the StatefulSet with no pod restarted, ")
            .append(OPT_IN)
            .append('.');
      }
    }
    for (FieldChange other : changes.others()) {
      out.append(' ').append(remedy(key, other, optedIn));
    }
    return out.toString();
  }

  private static String remedy(ObjectKey key, FieldChange change, boolean optedIn) {
    String orphan = "'kubectl delete sts " + key.name() + " --cascade=orphan'";
    String path = change.path();
    String truth;
    if (change.isAtOrUnder("spec.selector")) {
      truth =
          path
              + ": after "
              + orphan
              + " the running pods no longer match the new selector, so the recreated"
              + " StatefulSet will not adopt them and cannot create pods of the same names;"
              + " relabel the pods to match, or delete them with the StatefulSet (downtime).";
    } else if (change.isAtOrUnder("spec.serviceName")) {
      truth =
          path
              + ": after "
              + orphan
              + " the running pods keep their old subdomain (DNS name) until each pod is"
              + " deleted and created again.";
    } else if (change.isAtOrUnder("spec.podManagementPolicy")) {
      truth =
          path
              + ": after "
              + orphan
              + " the new policy orders the pods created and deleted from then on; running"
              + " pods are not affected.";
    } else if (change.isAtOrUnder("spec.volumeClaimTemplates")) {
      truth =
          path
              + ": after "
              + orphan
              + " the existing PVCs keep what they have (labels, annotations, class, access"
              + " modes); only claims created later get the new template, and Kubernetes"
              + " cannot change most of a claim's spec in place.";
    } else {
      truth =
          path
              + ": revert the change in Git, or delete the StatefulSet with "
              + orphan
              + " so Ordinal recreates it (its pods and PVCs stay as they are).";
    }
    return optedIn
        ? truth
            + " Ordinal recreates the StatefulSet and rolls its pods for this change, but not in a"
            + " commit that also shrinks a claim."
        : truth
            + " To have Ordinal recreate the StatefulSet (pods running on) and then roll the pods"
            + " through the rollout policy, "
            + OPT_IN
            + ".";
  }

  /**
   * Why an opted-in StatefulSet's commit that changes the pod template together with a field that
   * needs a recreate is refused. A new StatefulSet starts with its current revision equal to its
   * update revision: created with the new template, it would know no revision to roll back to, and
   * its controller would replace the running pods outside the rollout policy's steps. In two
   * commits each step is safe: the recreate keeps (or rolls) the pods on the template that runs,
   * and the template change is a normal rollout.
   */
  static String templateWithRecreate(ObjectKey key, List<FieldChange> forbidden) {
    String fields = forbidden.stream().map(FieldChange::path).collect(Collectors.joining(", "));
    boolean selector = forbidden.stream().anyMatch(c -> c.isAtOrUnder("spec.selector"));
    return "StatefulSet "
        + key.namespacedName()
        + ": "
        + fields
        + " needs the StatefulSet recreated, and this commit also changes the pod template. A"
        + " StatefulSet created with a new template keeps no revision to roll back to, and its"
        + " controller would replace the pods outside the rollout policy's steps, so Ordinal does"
        + " the two in separate commits: "
        + (selector
            ? "first add the new selector's labels to the pod template (a normal rollout puts"
                + " them on every pod), then change the selector (Ordinal recreates the"
                + " StatefulSet and rolls the pods)."
            : "commit the pod template change first (or after), and the forbidden change on its"
                + " own.");
  }
}
