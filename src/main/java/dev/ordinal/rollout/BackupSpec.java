package dev.ordinal.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a policy asks of backups: VolumeSnapshots of the StatefulSet's claims before the first pod
 * moves, and whether a rollback brings the data back.
 *
 * @param volumeSnapshotClassName the VolumeSnapshotClass; empty for the cluster's default class
 * @param volumeClaimTemplates which volumeClaimTemplates to snapshot; empty means all of them
 * @param keep how many complete sets of a StatefulSet to keep; older ones are deleted
 * @param timeout how long a backup may take from its start until every snapshot is readyToUse
 * @param quiesce run before the snapshots are taken, for application-consistent copies
 * @param resume run once the snapshots are cut, and always when a quiesce hook ran
 */
public record BackupSpec(
    Optional<String> volumeSnapshotClassName,
    List<String> volumeClaimTemplates,
    int keep,
    Duration timeout,
    RestoreOnRollback restoreOnRollback,
    Optional<Hook> quiesce,
    Optional<Hook> resume) {

  public static final int DEFAULT_KEEP = 3;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  public BackupSpec {
    volumeSnapshotClassName =
        volumeSnapshotClassName == null ? Optional.empty() : volumeSnapshotClassName;
    volumeClaimTemplates =
        volumeClaimTemplates == null ? List.of() : List.copyOf(volumeClaimTemplates);
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, got " + keep);
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    restoreOnRollback = restoreOnRollback == null ? RestoreOnRollback.MANUAL : restoreOnRollback;
    quiesce = quiesce == null ? Optional.empty() : quiesce;
    resume = resume == null ? Optional.empty() : resume;
  }

  /** Snapshots of every claim with the defaults, no hooks. */
  public static BackupSpec of(RestoreOnRollback restore) {
    return new BackupSpec(
        Optional.empty(),
        List.of(),
        DEFAULT_KEEP,
        DEFAULT_TIMEOUT,
        restore,
        Optional.empty(),
        Optional.empty());
  }

  public BackupSpec withTimeout(Duration t) {
    return new BackupSpec(
        volumeSnapshotClassName, volumeClaimTemplates, keep, t, restoreOnRollback, quiesce, resume);
  }

  public BackupSpec withKeep(int k) {
    return new BackupSpec(
        volumeSnapshotClassName,
        volumeClaimTemplates,
        k,
        timeout,
        restoreOnRollback,
        quiesce,
        resume);
  }

  public BackupSpec withHooks(Optional<Hook> q, Optional<Hook> r) {
    return new BackupSpec(
        volumeSnapshotClassName, volumeClaimTemplates, keep, timeout, restoreOnRollback, q, r);
  }

  /** Whether {@code template} is one of the volumeClaimTemplates to snapshot. */
  public boolean covers(String template) {
    return volumeClaimTemplates.isEmpty() || volumeClaimTemplates.contains(template);
  }

  /** When a rollback replaces the canary pods' volumes with their pre-rollout snapshots. */
  public enum RestoreOnRollback {
    /** Never; {@code ordinal backup restore} is refused too. */
    NEVER,
    /** Only when a user asks ({@code ordinal backup restore ID} or the restore annotation). */
    MANUAL,
    /** At every rollback of a rollout whose backup is ready, and when a user asks. */
    AUTO;

    /** As users write it in the policy: {@code never}, {@code manual}, {@code auto}. */
    public String displayName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A hook around the snapshots: an exec in each pod, or a Job. */
  public sealed interface Hook permits Exec, Job {
    /** How long the hook may run before it counts as failed. */
    Duration timeout();

    /** For logs and events: {@code exec [fsfreeze -f /data] in container db}. */
    String describe();
  }

  /**
   * Run {@code command} in {@code container} (the pod's first container when empty) of every pod
   * whose claims are snapshotted, in parallel; the hook fails if any of them exits non-zero or
   * times out.
   */
  public record Exec(List<String> command, Optional<String> container, Duration timeout)
      implements Hook {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public Exec {
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("exec hook needs a command");
      }
      container = container == null ? Optional.empty() : container;
      timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    @Override
    public String describe() {
      return "exec " + command + container.map(c -> " in container " + c).orElse("");
    }
  }

  /**
   * Run a Job of {@code template} (a pod template, as JSON) once; the hook fails if the Job fails
   * or runs longer than {@code timeout}.
   */
  public record Job(String template, Duration timeout) implements Hook {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    public Job {
      Objects.requireNonNull(template, "template");
      timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    @Override
    public String describe() {
      return "job";
    }
  }
}
