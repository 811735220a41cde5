package dev.ordinal.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Ordinal's {@code RolloutPolicy} ({@code ordinal.dev/v1alpha1}): how a StatefulSet's new revision
 * is rolled out, step by step, in Argo Rollouts' vocabulary.
 *
 * <p>Policies are identified by name alone (StatefulSets name them in the {@code
 * ordinal.dev/policy} annotation); {@code namespace}, when set, limits which StatefulSets the
 * policy may govern.
 *
 * @param matchLabels labels a StatefulSet must carry to be governed by this policy without naming
 *     it; empty when the policy applies only by annotation
 * @param backgroundAnalysis analysis run for the whole rollout, next to the steps
 * @param backup VolumeSnapshots before a rollout and restore on rollback; empty for none
 * @param immutableChanges what to do with a change Kubernetes forbids on an existing StatefulSet
 *     ({@code spec.immutableChanges}); refuse unless the policy says recreate
 */
public record RolloutPolicy(
    String name,
    Optional<String> namespace,
    Optional<Map<String, String>> matchLabels,
    Duration progressDeadline,
    List<Step> steps,
    Optional<Analysis> backgroundAnalysis,
    Optional<Backup> backup,
    ImmutableChanges immutableChanges) {

  /** The annotation by which a StatefulSet names the policy that governs it. */
  public static final String POLICY_ANNOTATION = "ordinal.dev/policy";

  /**
   * The annotation by which a StatefulSet in Git asks, for itself alone, to be recreated for a
   * change Kubernetes forbids: {@code ordinal.dev/immutable-changes: recreate}.
   */
  public static final String IMMUTABLE_CHANGES_ANNOTATION = "ordinal.dev/immutable-changes";

  /** What Ordinal does with a change Kubernetes forbids on an existing StatefulSet. */
  public enum ImmutableChanges {
    /** Refuse the commit, saying what the change would take (the default). */
    REFUSE,
    /**
     * Carry it out: grow the existing claims, orphan-delete the StatefulSet and create it again
     * from Git, the pods running on.
     */
    RECREATE;

    /** As written in the policy. */
    public String displayName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The value of {@code spec.immutableChanges} or the annotation; empty when unknown. */
    public static Optional<ImmutableChanges> parse(String value) {
      for (ImmutableChanges mode : values()) {
        if (mode.displayName().equals(value)) {
          return Optional.of(mode);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * Whether {@code sts} (as in Git) may be recreated for a change Kubernetes forbids: its own
   * annotation says so, or else {@code policy}'s {@code spec.immutableChanges}.
   */
  public static boolean allowsRecreate(HasMetadata sts, Optional<RolloutPolicy> policy) {
    Map<String, String> annotations = sts.getMetadata().getAnnotations();
    String own = annotations == null ? null : annotations.get(IMMUTABLE_CHANGES_ANNOTATION);
    if (own != null) {
      return ImmutableChanges.parse(own).orElse(ImmutableChanges.REFUSE)
          == ImmutableChanges.RECREATE;
    }
    return policy.map(p -> p.immutableChanges() == ImmutableChanges.RECREATE).orElse(false);
  }

  public RolloutPolicy {
    steps = List.copyOf(steps);
    matchLabels = matchLabels.map(Map::copyOf);
  }

  /** True if the policy's selector picks {@code object} (namespace scope and labels). */
  public boolean selects(HasMetadata object) {
    if (matchLabels.isEmpty() || !inScope(object)) {
      return false;
    }
    Map<String, String> labels = object.getMetadata().getLabels();
    if (labels == null) {
      return false;
    }
    for (Map.Entry<String, String> wanted : matchLabels.get().entrySet()) {
      if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** True if the policy may govern {@code object}: it has no namespace, or the object's. */
  public boolean inScope(HasMetadata object) {
    return namespace.isEmpty()
        || Objects.equals(namespace.get(), object.getMetadata().getNamespace());
  }

  /** One step of a rollout. */
  public sealed interface Step permits Canary, Pause, AnalysisStep {}

  /** Move part of the StatefulSet to the new revision. */
  public record Canary(CanaryWeight weight) implements Step {}

  /** How much of the StatefulSet a canary step moves to the new revision. */
  public sealed interface CanaryWeight permits Replicas, Percent {}

  /** An absolute number of pods, at least 1. */
  public record Replicas(int count) implements CanaryWeight {}

  /** A share of the desired replicas, 1 to 100. */
  public record Percent(int value) implements CanaryWeight {}

  /** Wait for {@code duration}, or for a person to resume the rollout when it is empty. */
  public record Pause(Optional<Duration> duration) implements Step {
    public boolean isManualGate() {
      return duration.isEmpty();
    }
  }

  /** Run an analysis and continue only if it succeeds. */
  public record AnalysisStep(Analysis analysis) implements Step {}

  /** Templates to run and the arguments passed to them. */
  public record Analysis(List<String> templateNames, List<AnalysisArg> args) {
    public Analysis {
      templateNames = List.copyOf(templateNames);
      args = List.copyOf(args);
    }
  }

  /**
   * {@code spec.backup}: snapshot every claim before the first pod moves.
   *
   * @param volumeSnapshotClassName empty for the cluster's default VolumeSnapshotClass
   * @param volumeClaimTemplates which templates to snapshot; empty means all
   * @param keep complete sets to keep per StatefulSet (default 3)
   * @param timeout how long a backup may take until every snapshot is readyToUse (default 10m)
   * @param restoreOnRollback never, manual (default) or auto
   */
  public record Backup(
      Optional<String> volumeSnapshotClassName,
      List<String> volumeClaimTemplates,
      int keep,
      Duration timeout,
      RestoreMode restoreOnRollback,
      Optional<Hook> quiesce,
      Optional<Hook> resume) {
    public Backup {
      volumeClaimTemplates = List.copyOf(volumeClaimTemplates);
    }
  }

  /** When a rollback restores volumes. */
  public enum RestoreMode {
    NEVER,
    MANUAL,
    AUTO;

    /** As written in the policy. */
    public String displayName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A hook around the snapshots. */
  public sealed interface Hook permits ExecHook, JobHook {}

  /** Run {@code command} in every pod; {@code container} empty means the pod's first container. */
  public record ExecHook(List<String> command, Optional<String> container, Duration timeout)
      implements Hook {
    public ExecHook {
      command = List.copyOf(command);
    }
  }

  /** Run a Job of {@code template}, a pod template as JSON. */
  public record JobHook(String template, Duration timeout) implements Hook {}
}
