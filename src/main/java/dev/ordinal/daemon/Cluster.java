package dev.ordinal.daemon;

import dev.ordinal.analysis.RunStore;
import dev.ordinal.backup.Volumes;
import dev.ordinal.shard.LeaseStore;
import dev.ordinal.shard.LeaseTiming;
import java.util.Optional;

/**
 * Everything the daemon needs of a Kubernetes cluster, in one port: {@code kube.KubeCluster} is the
 * real one (fabric8), {@code sim.SimCluster} the in-memory one behind {@code ordinal demo} and the
 * fast tests. Nothing outside {@code kube} talks to an API server.
 */
public interface Cluster
    extends Workloads,
        LiveObjects,
        ClusterEvents,
        Volumes,
        Recreates,
        RecreateRollouts,
        AutoCloseable {

  /** A key of a Secret; empty when the Secret or the key does not exist. */
  Optional<String> secretValue(String namespace, String name, String key);

  /** Leader election on the Lease {@code namespace/name}. */
  Leadership leadership(String namespace, String name, String identity, LeaseTiming timing);

  /** The Leases in {@code namespace} that shards are held by. */
  LeaseStore leaseStore(String namespace);

  /** Where analysis runs survive a restart (a ConfigMap in a real cluster). */
  RunStore runStore(String namespace, String name);

  /**
   * Asks the cluster something every client may ask, so that a daemon that cannot reach it fails
   * once, at its start, instead of through each informer's failure in turn. The in-memory cluster
   * is always there.
   *
   * @throws RuntimeException the client's failure, when the cluster does not answer
   */
  default void checkReachable() {}

  /** Stops watches and releases connections. */
  @Override
  void close();
}
