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
 */
public record RecreateSpec(
    String namespace,
    String name,
    String commit,
    Map<String, Size> growTo,
    Optional<Backup> backup,
    Duration resizeTimeout) {

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
  }

  /** {@code data=2Gi,wal=1Gi}: what a recreate state records it was started for. */
  public String target() {
    return new TreeMap<>(growTo)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue().text())
            .collect(Collectors.joining(","));
  }
}
