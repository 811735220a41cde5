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
}
