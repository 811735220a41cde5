package dev.ordinal.rollout;

import java.util.Objects;

/**
 * What the engine needs of one pod.
 *
 * @param revision the pod's {@code controller-revision-hash} label
 * @param ready the pod's Ready condition
 * @param restartCount the highest restart count of its containers
 * @param terminating whether the pod has a deletion timestamp
 */
public record PodView(
    String name,
    int ordinal,
    String revision,
    boolean ready,
    int restartCount,
    boolean terminating) {
  public PodView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(revision, "revision");
  }

  /** Ready, not terminating: counts as available. */
  public boolean available() {
    return ready && !terminating;
  }
}
