package dev.ordinal.plan;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** How changes to a StatefulSet are applied, and which ones Kubernetes refuses outright. */
final class StatefulSetRules {

  // The API server's validation rejects updates to any StatefulSet spec field except replicas,
  // ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds and
  // revisionHistoryLimit; of the others, these are the ones a manifest actually sets.
  private static final List<String> FORBIDDEN =
      List.of(
          "spec.volumeClaimTemplates",
          "spec.selector",
          "spec.serviceName",
          "spec.podManagementPolicy");

  private StatefulSetRules() {}

  static boolean isStatefulSet(ObjectKey key) {
    return "apps".equals(key.group()) && "StatefulSet".equals(key.kind());
  }

  static boolean isForbidden(FieldChange change) {
    for (String field : FORBIDDEN) {
      if (isAtOrUnder(change.path(), field)) {
        return true;
      }
    }
    return false;
  }

  static ChangeClass classify(FieldChange change) {
    String path = change.path();
    if (path.equals("spec.replicas")) {
      return ChangeClass.SCALE;
    }
    if (isAtOrUnder(path, "spec.template")) {
      return ChangeClass.POD_TEMPLATE;
    }
    return classifyGeneric(change);
  }

  /** For every kind: metadata is METADATA, anything else OTHER_SPEC. */
  static ChangeClass classifyGeneric(FieldChange change) {
    return isAtOrUnder(change.path(), "metadata") ? ChangeClass.METADATA : ChangeClass.OTHER_SPEC;
  }

  static Set<ChangeClass> classes(ObjectKey key, List<FieldChange> changes) {
    Set<ChangeClass> classes = EnumSet.noneOf(ChangeClass.class);
    boolean sts = isStatefulSet(key);
    for (FieldChange change : changes) {
      classes.add(sts ? classify(change) : classifyGeneric(change));
    }
    return classes;
  }

  static String refusal(ObjectKey key, List<FieldChange> forbidden) {
    String fields = forbidden.stream().map(FieldChange::path).collect(Collectors.joining(", "));
    return "StatefulSet "
        + key.namespacedName()
        + ": "
        + fields
        + " cannot be changed on an existing StatefulSet (Kubernetes forbids it). Revert the"
        + " change in Git, or delete the StatefulSet with 'kubectl delete sts "
        + key.name()
        + " --cascade=orphan' so Ordinal recreates it (its pods and PVCs stay).";
  }

  /**
   * {@code spec.selector} covers {@code spec.selector.matchLabels.app}, not {@code spec.selectorX}.
   */
  static boolean isAtOrUnder(String path, String prefix) {
    if (!path.startsWith(prefix)) {
      return false;
    }
    if (path.length() == prefix.length()) {
      return true;
    }
    char next = path.charAt(prefix.length());
    return next == '.' || next == '[';
  }
}
