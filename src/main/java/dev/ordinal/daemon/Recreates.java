package dev.ordinal.daemon;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.List;
import java.util.Optional;

/**
 * The port through which a recreate ({@link Recreator}) grows claims and replaces a StatefulSet.
 * Creating the new StatefulSet goes through {@link LiveObjects#apply} and carrying the rollout
 * state over through {@link Workloads#write}, as every other apply and rollout write does.
 */
public interface Recreates {

  /** The claims in {@code namespace}, read fresh. */
  List<PersistentVolumeClaim> claims(String namespace);

  /** Whether StorageClass {@code name} allows volume expansion; empty when it does not exist. */
  Optional<Boolean> allowsVolumeExpansion(String name);

  /**
   * Sets the claim's requested storage to {@code size}, only if its uid still is {@code uid}. The
   * claim keeps everything else, and a claim is never deleted here.
   */
  Outcome growClaim(String namespace, String name, String uid, String size);

  /**
   * Deletes the StatefulSet with propagationPolicy Orphan (its pods and claims stay, their owner
   * reference removed by the garbage collector), only if its uid still is {@code uid}.
   */
  Outcome orphanDelete(String namespace, String name, String uid);

  /**
   * Makes the rollout side an owner of the partition of the StatefulSet of {@code uid} (a
   * server-side apply of the partition alone, as field manager {@code ordinal-rollout}). The
   * recreate sent the partition with Git's object, as the applier; without a second owner, the
   * applier's next apply, which leaves the partition out, would reset it to 0 and move every pod.
   */
  Outcome keepPartition(String namespace, String name, String uid, int partition);

  /** Where recreates keep their state: it must outlive the StatefulSet (see {@link Recreator}). */
  RecreateStore recreateStore(String namespace, String name);

  /** How a guarded write went. */
  enum Outcome {
    DONE,
    /** The object is gone. */
    GONE,
    /** Another object of that name (another uid) is there; it was left alone. */
    CHANGED
  }

  /** One recreate state per StatefulSet, by key {@code namespace/name}. */
  interface RecreateStore {
    Optional<String> load(String key);

    /** Every recreate state recorded, whatever its key. */
    List<String> all();

    void save(String key, String json);

    void remove(String key);
  }
}
