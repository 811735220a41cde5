package dev.ordinal.daemon;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The port through which the rollout loop sees and changes StatefulSets and their pods. Fabric8's
 * model classes travel through it as plain data; {@code kube.KubeCluster} implements it against an
 * API server and {@code sim.SimCluster} in memory.
 */
public interface Workloads {

  /** Where a read comes from. */
  enum Read {
    /** The watch cache: cheap, possibly a step behind. */
    CACHED,
    /**
     * The API server itself, for deciding again after a conflict the cache has not caught up with.
     */
    FRESH
  }

  /** Told about every change to a watched StatefulSet or to one of its pods. */
  interface Listener {
    /** Something about the StatefulSet {@code key} ("namespace/name") or its pods changed. */
    void changed(String key);

    /** The StatefulSet {@code key} is gone. */
    void deleted(String key);
  }

  /**
   * Starts telling {@code listener} about StatefulSets and their pods in {@code namespaces} (every
   * namespace when empty) and returns once the caches hold what the cluster had, so the first
   * decision about a StatefulSet sees its pods. Closing the handle stops the calls.
   */
  AutoCloseable watch(Set<String> namespaces, Listener listener);

  /** The StatefulSet {@code key} ("namespace/name"), if it exists. */
  Optional<StatefulSet> statefulSet(String key, Read read);

  /** The pods the StatefulSet controls. */
  List<Pod> pods(StatefulSet sts, Read read);

  /**
   * One write to a StatefulSet under the resourceVersion of {@code observed}: the partition and
   * replicas (when given) and annotations set or removed, together, so that a rollout's state never
   * disagrees with the partition or replicas it goes with.
   */
  WriteResult write(StatefulSet observed, RolloutWrite write);

  /**
   * Deletes the pod only if a fresh read shows it still on {@code revision} and not terminating,
   * with that read's resourceVersion as precondition: a replacement that already came back on
   * another revision is never deleted.
   */
  PodDeletion deletePod(String namespace, String pod, String revision);

  /**
   * What one rollout write changes: the partition and the replicas (a restore lowers them) when
   * given, and annotations.
   */
  record RolloutWrite(
      Integer partition, Integer replicas, Map<String, String> set, Set<String> remove) {
    public RolloutWrite {
      set = Map.copyOf(set);
      remove = Set.copyOf(remove);
    }

    /** A write that leaves the replicas alone. */
    public RolloutWrite(Integer partition, Map<String, String> set, Set<String> remove) {
      this(partition, null, set, remove);
    }

    public boolean isEmpty() {
      return partition == null && replicas == null && set.isEmpty() && remove.isEmpty();
    }
  }

  /** The outcome of {@link #write}. */
  sealed interface WriteResult {
    /** Written; {@code sts} is the object as the server returned it. */
    record Written(StatefulSet sts) implements WriteResult {}

    /** The object changed since it was observed (409): re-read, re-observe and decide again. */
    record Conflict() implements WriteResult {}
  }

  /** The outcome of {@link #deletePod}. */
  enum PodDeletion {
    DELETED,
    /** Already gone. */
    GONE,
    /** No longer on the revision, or already terminating, or changed before the delete. */
    CHANGED
  }
}
