package dev.ordinal.rollout;

/** The StatefulSet's {@code spec.updateStrategy.type}. */
public enum UpdateStrategy {
  /** The controller replaces pods with ordinal at or above the partition. */
  ROLLING_UPDATE,
  /** The controller replaces nothing; a pod moves to the update revision only when deleted. */
  ON_DELETE
}
