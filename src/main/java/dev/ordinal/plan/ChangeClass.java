package dev.ordinal.plan;

/** What kind of change an {@link ObjectPlan.Update} carries; decides how Ordinal applies it. */
public enum ChangeClass {
  /** Only {@code spec.replicas} of a StatefulSet. */
  SCALE,
  /** Labels or annotations of the object itself. */
  METADATA,
  /** {@code spec.template} of a StatefulSet: the rollout engine rolls it out ordinal by ordinal. */
  POD_TEMPLATE,
  /** Any other updatable field (for StatefulSets: updateStrategy, minReadySeconds, ...). */
  OTHER_SPEC
}
