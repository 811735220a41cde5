package dev.ordinal.daemon;

import dev.ordinal.analysis.RunStore;
import dev.ordinal.backup.VolumeSnapshot;
import dev.ordinal.metrics.ControllerMetrics;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.shard.LeaseRecord;
import dev.ordinal.shard.LeaseStore;
import dev.ordinal.shard.LeaseTiming;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The cluster port with every call that reaches the API server counted by verb, and every call that
 * fails counted as an API error. Counting at the port keeps the two implementations (fabric8 and
 * in-memory) free of metrics and gives both the same numbers.
 */
final class MeteredCluster implements Cluster {
  private final Cluster cluster;
  private final ControllerMetrics metrics;

  MeteredCluster(Cluster cluster, ControllerMetrics metrics) {
    this.cluster = cluster;
    this.metrics = metrics;
  }

  /** Counts a call that reaches the API server. */
  private <T> T call(String verb, Supplier<T> call) {
    metrics.apiRequest(verb);
    return counted(verb, call);
  }

  /** Counts only the failure of a call that is usually served from a cache. */
  private <T> T counted(String verb, Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      metrics.apiError(verb);
      throw e;
    }
  }

  @Override
  public AutoCloseable watch(Set<String> namespaces, Listener listener) {
    return counted("watch", () -> cluster.watch(namespaces, listener));
  }

  @Override
  public Optional<StatefulSet> statefulSet(String key, Read read) {
    return read == Read.FRESH
        ? call("get", () -> cluster.statefulSet(key, read))
        : counted("get", () -> cluster.statefulSet(key, read));
  }

  @Override
  public List<Pod> pods(StatefulSet sts, Read read) {
    return read == Read.FRESH
        ? call("list", () -> cluster.pods(sts, read))
        : counted("list", () -> cluster.pods(sts, read));
  }

  @Override
  public WriteResult write(StatefulSet observed, RolloutWrite write) {
    return call("update", () -> cluster.write(observed, write));
  }

  @Override
  public PodDeletion deletePod(String namespace, String pod, String revision) {
    return call("delete", () -> cluster.deletePod(namespace, pod, revision));
  }

  @Override
  public Map<ObjectKey, Live> lookup(
      Collection<? extends HasMetadata> desired, String defaultNamespace) {
    return counted("get", () -> cluster.lookup(desired, defaultNamespace));
  }

  @Override
  public List<Live> inventory(
      String app, String namespace, Map<String, Set<String>> kindsByApiVersion) {
    return counted("list", () -> cluster.inventory(app, namespace, kindsByApiVersion));
  }

  @Override
  public Optional<HasMetadata> full(Live live) {
    return call("get", () -> cluster.full(live));
  }

  @Override
  public HasMetadata apply(HasMetadata desired) {
    return call("patch", () -> cluster.apply(desired));
  }

  @Override
  public void delete(Live live) {
    call(
        "delete",
        () -> {
          cluster.delete(live);
          return null;
        });
  }

  @Override
  public HoldResult hold(ObjectKey statefulSet, Integer seen, int partition, String holdUntil) {
    return call("patch", () -> cluster.hold(statefulSet, seen, partition, holdUntil));
  }

  @Override
  public void post(Involved involved, Type type, String reason, String message) {
    call(
        "create",
        () -> {
          cluster.post(involved, type, reason, message);
          return null;
        });
  }

  // ------------------------------------------------------------------ volumes

  @Override
  public AutoCloseable watchVolumes(Set<String> namespaces, boolean jobs, VolumeListener listener) {
    return counted("watch", () -> cluster.watchVolumes(namespaces, jobs, listener));
  }

  @Override
  public List<VolumeSnapshot> snapshots(String namespace, Map<String, String> labels) {
    return counted("list", () -> cluster.snapshots(namespace, labels));
  }

  @Override
  public Optional<VolumeSnapshot> snapshot(String namespace, String name) {
    return call("get", () -> cluster.snapshot(namespace, name));
  }

  @Override
  public Created createSnapshot(VolumeSnapshot.Request request) {
    return call("create", () -> cluster.createSnapshot(request));
  }

  @Override
  public void deleteSnapshot(String namespace, String name) {
    call(
        "delete",
        () -> {
          cluster.deleteSnapshot(namespace, name);
          return null;
        });
  }

  @Override
  public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
    return call("get", () -> cluster.claim(namespace, name));
  }

  @Override
  public ClaimDeletion deleteClaim(String namespace, String name, String uid) {
    return call("delete", () -> cluster.deleteClaim(namespace, name, uid));
  }

  @Override
  public Created createClaim(PersistentVolumeClaim claim) {
    return call("create", () -> cluster.createClaim(claim));
  }

  @Override
  public ExecResult exec(
      String namespace, String pod, String container, List<String> command, Duration timeout) {
    return call("create", () -> cluster.exec(namespace, pod, container, command, timeout));
  }

  @Override
  public Created createJob(Job job) {
    return call("create", () -> cluster.createJob(job));
  }

  @Override
  public Optional<Job> job(String namespace, String name) {
    return call("get", () -> cluster.job(namespace, name));
  }

  @Override
  public void deleteJob(String namespace, String name) {
    call(
        "delete",
        () -> {
          cluster.deleteJob(namespace, name);
          return null;
        });
  }

  @Override
  public Optional<String> secretValue(String namespace, String name, String key) {
    return call("get", () -> cluster.secretValue(namespace, name, key));
  }

  @Override
  public Leadership leadership(String namespace, String name, String identity, LeaseTiming timing) {
    return cluster.leadership(namespace, name, identity, timing);
  }

  @Override
  public LeaseStore leaseStore(String namespace) {
    LeaseStore leases = cluster.leaseStore(namespace);
    return new LeaseStore() {
      @Override
      public List<LeaseRecord> list(String prefix) {
        return call("list", () -> leases.list(prefix));
      }

      @Override
      public boolean create(String name, String holder, Duration duration) {
        return call("create", () -> leases.create(name, holder, duration));
      }

      @Override
      public boolean update(String name, String version, String holder, Duration duration) {
        return call("patch", () -> leases.update(name, version, holder, duration));
      }

      @Override
      public boolean delete(String name, String version) {
        return call("delete", () -> leases.delete(name, version));
      }
    };
  }

  @Override
  public List<PersistentVolumeClaim> claims(String namespace) {
    return call("list", () -> cluster.claims(namespace));
  }

  @Override
  public Optional<Boolean> allowsVolumeExpansion(String name) {
    return call("get", () -> cluster.allowsVolumeExpansion(name));
  }

  @Override
  public Outcome growClaim(String namespace, String name, String uid, String size) {
    return call("patch", () -> cluster.growClaim(namespace, name, uid, size));
  }

  @Override
  public Outcome orphanDelete(String namespace, String name, String uid) {
    return call("delete", () -> cluster.orphanDelete(namespace, name, uid));
  }

  @Override
  public Outcome keepPartition(String namespace, String name, String uid, int partition) {
    return call("patch", () -> cluster.keepPartition(namespace, name, uid, partition));
  }

  @Override
  public Outcome relabelPod(String namespace, String pod, String uid, Map<String, String> labels) {
    return call("patch", () -> cluster.relabelPod(namespace, pod, uid, labels));
  }

  @Override
  public Outcome restart(
      String namespace, String name, String uid, String stamp, Integer partition) {
    return call("patch", () -> cluster.restart(namespace, name, uid, stamp, partition));
  }

  @Override
  public RecreateStore recreateStore(String namespace, String name) {
    return cluster.recreateStore(namespace, name);
  }

  @Override
  public RunStore runStore(String namespace, String name) {
    return cluster.runStore(namespace, name);
  }

  @Override
  public void close() {
    cluster.close();
  }
}
