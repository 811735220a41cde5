package dev.ordinal.backup;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The port through which backups reach the cluster: VolumeSnapshots, PersistentVolumeClaims, and
 * the hooks (an exec in a pod, or a Job). Fabric8's model classes travel through it as data; {@code
 * kube.KubeCluster} implements it against an API server, {@code sim.SimCluster} in memory. Scaling
 * the StatefulSet is not here: it goes with the rollout state in the rollout side's one write.
 */
public interface Volumes {

  /** Told when something a backup or restore waits for may have changed. */
  interface VolumeListener {
    /** A snapshot labelled with StatefulSet {@code statefulSet} changed. */
    void snapshotChanged(String namespace, String statefulSet);

    /** The claim {@code claim} changed or is gone. */
    void claimChanged(String namespace, String claim);

    /** A hook Job of StatefulSet {@code statefulSet} changed. */
    void jobChanged(String namespace, String statefulSet);
  }

  /**
   * Starts watching snapshots and claims in {@code namespaces} (every namespace when empty), and
   * hook Jobs too when {@code jobs}; closing the handle stops the calls. A cluster that does not
   * serve VolumeSnapshots is watched for the rest.
   */
  AutoCloseable watchVolumes(Set<String> namespaces, boolean jobs, VolumeListener listener);

  /**
   * The VolumeSnapshots labelled {@code labels} in {@code namespace}, from a watch cache when one
   * runs; empty when the cluster does not serve VolumeSnapshots.
   */
  List<VolumeSnapshot> snapshots(String namespace, Map<String, String> labels);

  /** One VolumeSnapshot, read fresh. */
  Optional<VolumeSnapshot> snapshot(String namespace, String name);

  /**
   * Creates the snapshot unless one of that name exists.
   *
   * @throws RuntimeException with a message users can act on when the server refuses (e.g. the
   *     snapshot API is not served)
   */
  Created createSnapshot(VolumeSnapshot.Request request);

  /** Deletes a snapshot; a missing one is fine. */
  void deleteSnapshot(String namespace, String name);

  /** One claim, read fresh. */
  Optional<PersistentVolumeClaim> claim(String namespace, String name);

  /** Deletes the claim only if its uid still is {@code uid} (a precondition on the server). */
  ClaimDeletion deleteClaim(String namespace, String name, String uid);

  /** Creates a claim unless one of that name exists. */
  Created createClaim(PersistentVolumeClaim claim);

  /**
   * Runs {@code command} in a container of a pod and waits up to {@code timeout} for it to end.
   *
   * @param container empty for the pod's first container
   */
  ExecResult exec(
      String namespace, String pod, String container, List<String> command, Duration timeout);

  /** Creates a Job unless one of that name exists. */
  Created createJob(Job job);

  /** One Job, read fresh. */
  Optional<Job> job(String namespace, String name);

  /** Deletes a Job, with its pods; a missing one is fine. */
  void deleteJob(String namespace, String name);

  /** The outcome of a create. */
  enum Created {
    CREATED,
    /** An object of that name already exists; it was left as it is. */
    EXISTS
  }

  /** The outcome of {@link #deleteClaim}. */
  enum ClaimDeletion {
    DELETED,
    GONE,
    /** Another claim of that name (another uid) exists; it was left alone. */
    CHANGED
  }

  /**
   * How an exec ended.
   *
   * @param exitCode the command's exit code; -1 when it did not finish
   * @param output the end of what it wrote, for messages
   * @param timedOut it was still running after the timeout
   */
  record ExecResult(int exitCode, String output, boolean timedOut) {
    public boolean succeeded() {
      return exitCode == 0 && !timedOut;
    }
  }
}
