package dev.ordinal.rollout;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What one recreate is asked to do: grow the claims of the StatefulSet's volume claim templates to
 * the sizes Git now asks for, after a backup when the policy takes one.
 *
 * @param growTo per volume claim template that grows, its new size
 * @param backup the policy's backup settings; empty for none
 * @param resizeTimeout how long the claims may take to grow (or to report FileSystemResizePending)
 * @param roll how the pods are rolled after the recreate; empty when none restarts (volume growth
 *     alone)
 */
public record RecreateSpec(
    String namespace,
    String name,
    String commit,
    Map<String, Size> growTo,
    Optional<Backup> backup,
    Duration resizeTimeout,
    Optional<Roll> roll) {

  /**
   * The pods are rolled to the recreated StatefulSet: first every pod the old one owned gets the
   * new selector's labels (so the new one adopts it), then, once the StatefulSet controller has
   * observed the new StatefulSet, the pod template gets the annotation {@value
   * Annotations#RECREATED_AT} with {@code stamp}, which makes a new revision that the rollout
   * engine rolls out as it would a new template from Git.
   *
   * @param selector the new StatefulSet's {@code spec.selector.matchLabels}
   * @param stamp the annotation's value: the commit that asked for the recreate
   * @param partition the partition written with the annotation, so that no pod moves before the
   *     rollout engine decides (the replica count); null when no rollout policy drives it
   */
  public record Roll(Map<String, String> selector, String stamp, Integer partition) {
    public Roll {
      selector = Map.copyOf(new TreeMap<>(selector));
      Objects.requireNonNull(stamp, "stamp");
    }
  }

  /** A recreate that restarts no pod (volume growth alone). */
  public RecreateSpec(
      String namespace,
      String name,
      String commit,
      Map<String, Size> growTo,
      Optional<Backup> backup,
      Duration resizeTimeout) {
    this(namespace, name, commit, growTo, backup, resizeTimeout, Optional.empty());
  }

  /** How long claims may take to grow unless the caller says otherwise. */
  public static final Duration DEFAULT_RESIZE_TIMEOUT = Duration.ofMinutes(10);

  /** A size as written ({@code 2Gi}) and in bytes. */
  public record Size(String text, long bytes) {
    @Override
    public String toString() {
      return text;
    }
  }

  /** The backup to take first: its VolumeSnapshotClass (empty for the default) and timeout. */
  public record Backup(Optional<String> volumeSnapshotClassName, Duration timeout) {}

  public RecreateSpec {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(commit, "commit");
    growTo = Map.copyOf(new TreeMap<>(growTo));
    Objects.requireNonNull(backup, "backup");
    Objects.requireNonNull(resizeTimeout, "resizeTimeout");
    Objects.requireNonNull(roll, "roll");
  }

  /**
   * {@code data=2Gi,wal=1Gi}: what a recreate state records it was started for; {@code ,pods} is
   * appended when the pods are rolled (a part without {@code =}, which {@code growTo} parsing
   * skips).
   */
  public String target() {
    String sizes =
        new TreeMap<>(growTo)
            .entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().text())
                .collect(Collectors.joining(","));
    return roll.isEmpty() ? sizes : sizes.isEmpty() ? ROLL_TARGET : sizes + "," + ROLL_TARGET;
  }

  /** The part of {@link #target()} that says the pods are rolled. */
  static final String ROLL_TARGET = "pods";
}
