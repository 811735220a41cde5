package dev.ordinal.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ordinal.analysis.RunRecord;
import dev.ordinal.analysis.RunStore;
import dev.ordinal.backup.BackupNames;
import dev.ordinal.backup.VolumeSnapshot;
import dev.ordinal.daemon.Cluster;
import dev.ordinal.daemon.EventSeries;
import dev.ordinal.daemon.Leadership;
import dev.ordinal.daemon.StatefulSetObserver;
import dev.ordinal.plan.LiveFingerprint;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.shard.LeaseStore;
import dev.ordinal.shard.LeaseTiming;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * An in-memory Kubernetes cluster behind the daemon's {@link Cluster} port: StatefulSets driven by
 * a simulated StatefulSet controller (partition, OnDelete, maxUnavailable, OrderedReady and
 * Parallel, scale up and down, revisions, PVCs from volumeClaimTemplates), pods that a simulated
 * kubelet makes Ready or fail on a schedule, server-side apply, Events, leases and Secrets. It
 * serves {@code ordinal demo} and fast tests; a differential test holds it to the real controller.
 *
 * <p>Everything happens under one lock; the controller reconciles on its own thread after every
 * change, and watchers are told afterwards, outside the lock. Time is a {@link SimClock}.
 */
public final class SimCluster implements Cluster {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final String REVISION = StatefulSetObserver.REVISION_LABEL;

  private final SimClock clock;
  private final Map<String, SimLeaseStore> leaseStores = new ConcurrentHashMap<>();
  private final Duration readyDelay;
  private final Duration failAfter;
  private final Duration crashInterval;
  private final AtomicLong resourceVersion = new AtomicLong(1);
  private final Map<String, StatefulSet> statefulSets = new TreeMap<>();
  private final Map<String, Pod> pods = new TreeMap<>();
  private final Map<String, PersistentVolumeClaim> claims = new TreeMap<>();
  private final Map<String, Boolean> storageClasses = new ConcurrentHashMap<>();
  private final Map<String, String> recreates = new ConcurrentHashMap<>();
  private final Map<ObjectKey, HasMetadata> others = new TreeMap<>();
  private final Map<String, Map<String, String>> revisionsByStatefulSet = new HashMap<>();
  private final Map<String, PodBehaviour> byRevision = new ConcurrentHashMap<>();
  private final Map<String, PodBehaviour> byPod = new ConcurrentHashMap<>();
  private final Map<String, PodBehaviour> byImage = new ConcurrentHashMap<>();
  private final Map<String, String> imageOfRevision = new ConcurrentHashMap<>();
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final List<PostedEvent> events = new CopyOnWriteArrayList<>();
  private final EventSeries series = new EventSeries();
  private final List<PodCreated> podHistory = new CopyOnWriteArrayList<>();
  private final RunStore runs = new ObservedRuns();
  private final List<Consumer<RunRecord>> runListeners = new CopyOnWriteArrayList<>();
  private final Map<String, SimSnapshot> snapshots = new TreeMap<>();
  private final Map<String, Job> jobs = new TreeMap<>();
  private final List<VolumeListener> volumeListeners = new CopyOnWriteArrayList<>();
  private final List<ClaimCreated> claimHistory = new CopyOnWriteArrayList<>();
  private final List<ExecCall> execCalls = new CopyOnWriteArrayList<>();
  private final Map<String, String> failingSnapshots = new ConcurrentHashMap<>();
  private final Set<String> stuckSnapshots = ConcurrentHashMap.newKeySet();
  private final Set<String> failingJobs = ConcurrentHashMap.newKeySet();
  private volatile BiFunction<String, List<String>, ExecResult> execOutcome =
      (pod, command) -> new ExecResult(0, "", false);
  private volatile Duration snapshotDelay;
  private volatile Duration jobDelay;
  private final SimLeases leases = new SimLeases();
  private final ScheduledExecutorService controller =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sim-controller");
            t.setDaemon(true);
            return t;
          });

  /** An Event as posted, for the demo's timeline and tests. */
  public record PostedEvent(
      Instant at, Involved involved, Type type, String reason, String message, int count) {}

  /**
   * A claim that came into being: made by the StatefulSet controller from a template ({@code
   * dataSource} empty, an empty volume) or created from a snapshot.
   *
   * @param data the data marker it holds when created ({@link #DATA_MARKER})
   */
  public record ClaimCreated(
      Instant at, String namespace, String name, String dataSource, String data) {}

  /** One exec a hook ran. */
  public record ExecCall(String namespace, String pod, String container, List<String> command) {}

  /**
   * What a volume holds, in the simulation: an annotation on a claim that a snapshot copies when it
   * is taken and a claim created from that snapshot starts with. Tests write it as an app would
   * write data, and read it back after a restore.
   */
  public static final String DATA_MARKER = "sim.ordinal.dev/data";

  /** A pod incarnation the controller created: which ordinal, on which revision, when. */
  public record PodCreated(Instant at, String pod, String revision) {}

  /**
   * @param readyDelay simulated time from a pod's creation to Ready
   */
  public SimCluster(SimClock clock, Duration readyDelay) {
    this.clock = clock;
    this.readyDelay = readyDelay;
    this.failAfter = readyDelay.multipliedBy(4);
    this.crashInterval = readyDelay;
    this.snapshotDelay = readyDelay;
    this.jobDelay = readyDelay;
  }

  public SimClock clock() {
    return clock;
  }

  // ------------------------------------------------------------------ what tests and the demo set

  /** Pods of this revision behave so from now on (a bad release that never gets Ready, say). */
  public SimCluster behaveForRevision(String revision, PodBehaviour behaviour) {
    byRevision.put(revision, behaviour);
    return this;
  }

  /** Pods whose first container runs {@code image} behave so; set it before the release. */
  public SimCluster behaveForImage(String image, PodBehaviour behaviour) {
    byImage.put(image, behaviour);
    return this;
  }

  public SimCluster behaveForPod(String pod, PodBehaviour behaviour) {
    byPod.put(pod, behaviour);
    return this;
  }

  /** A Secret key Ordinal may read. */
  public SimCluster putSecret(String namespace, String name, String key, String value) {
    secrets.put(namespace + "/" + name + "/" + key, value);
    return this;
  }

  /**
   * Told about every analysis run record the daemon saves (a measurement taken, a run stopped), on
   * the measuring thread: the demo's timeline shows measurements this way.
   */
  public SimCluster onAnalysisSaved(Consumer<RunRecord> listener) {
    runListeners.add(listener);
    return this;
  }

  public List<PostedEvent> events() {
    return List.copyOf(events);
  }

  /** Every pod the controller created, in order. */
  public List<PodCreated> podHistory() {
    return List.copyOf(podHistory);
  }

  /** The revision each pod of a StatefulSet runs, by pod name. */
  public synchronized Map<String, String> podRevisions(String namespace, String name) {
    Map<String, String> result = new TreeMap<>();
    for (Pod pod : podsOf(namespace + "/" + name)) {
      result.put(pod.getMetadata().getName(), pod.getMetadata().getLabels().get(REVISION));
    }
    return result;
  }

  /** A copy of a StatefulSet as the server would return it. */
  public synchronized Optional<StatefulSet> get(String namespace, String name) {
    return Optional.ofNullable(statefulSets.get(namespace + "/" + name)).map(SimCluster::copy);
  }

  /** The claims of a StatefulSet's pods, by name. */
  public synchronized List<PersistentVolumeClaim> claims(String namespace) {
    return claims.values().stream()
        .filter(c -> namespace.equals(c.getMetadata().getNamespace()))
        .map(SimCluster::copy)
        .toList();
  }

  /** Sets annotations on a StatefulSet as {@code kubectl annotate} does (a user's command). */
  public void annotate(String namespace, String name, Map<String, String> annotations) {
    String key = namespace + "/" + name;
    synchronized (this) {
      StatefulSet sts = statefulSets.get(key);
      if (sts == null) {
        throw new IllegalArgumentException("no StatefulSet " + key);
      }
      Map<String, String> merged = new LinkedHashMap<>(annotationsOf(sts));
      merged.putAll(annotations);
      sts.getMetadata().setAnnotations(merged);
      touch(sts);
    }
    changed(key);
  }

  // ------------------------------------------------------------------ Workloads

  @Override
  public AutoCloseable watch(Set<String> namespaces, Listener listener) {
    Listener scoped =
        new Listener() {
          @Override
          public void changed(String key) {
            if (inScope(key)) {
              listener.changed(key);
            }
          }

          @Override
          public void deleted(String key) {
            if (inScope(key)) {
              listener.deleted(key);
            }
          }

          private boolean inScope(String key) {
            return namespaces.isEmpty() || namespaces.contains(key.substring(0, key.indexOf('/')));
          }
        };
    listeners.add(scoped);
    List<String> existing;
    synchronized (this) {
      existing = new ArrayList<>(statefulSets.keySet());
    }
    existing.forEach(scoped::changed);
    return () -> listeners.remove(scoped);
  }

  @Override
  public synchronized Optional<StatefulSet> statefulSet(String key, Read read) {
    return Optional.ofNullable(statefulSets.get(key)).map(SimCluster::copy);
  }

  @Override
  public synchronized List<Pod> pods(StatefulSet sts, Read read) {
    return podsOf(sts.getMetadata().getNamespace() + "/" + sts.getMetadata().getName()).stream()
        .map(SimCluster::copy)
        .toList();
  }

  @Override
  public WriteResult write(StatefulSet observed, RolloutWrite write) {
    String key = observed.getMetadata().getNamespace() + "/" + observed.getMetadata().getName();
    StatefulSet result;
    synchronized (this) {
      StatefulSet sts = statefulSets.get(key);
      if (sts == null
          || !sts.getMetadata()
              .getResourceVersion()
              .equals(observed.getMetadata().getResourceVersion())) {
        return new WriteResult.Conflict();
      }
      if (write.isEmpty()) {
        return new WriteResult.Written(copy(sts));
      }
      Map<String, String> annotations = new LinkedHashMap<>(annotationsOf(sts));
      annotations.putAll(write.set());
      write.remove().forEach(annotations::remove);
      sts.getMetadata().setAnnotations(annotations);
      if (write.partition() != null) {
        rollingUpdate(sts).setPartition(write.partition());
        sts.getMetadata().setGeneration(generation(sts) + 1);
      }
      if (write.replicas() != null) {
        sts.getSpec().setReplicas(write.replicas());
        sts.getMetadata().setGeneration(generation(sts) + 1);
      }
      touch(sts);
      result = copy(sts);
    }
    changed(key);
    return new WriteResult.Written(result);
  }

  @Override
  public PodDeletion deletePod(String namespace, String pod, String revision) {
    String owner;
    synchronized (this) {
      Pod current = pods.get(namespace + "/" + pod);
      if (current == null) {
        return PodDeletion.GONE;
      }
      if (!revision.equals(current.getMetadata().getLabels().get(REVISION))) {
        return PodDeletion.CHANGED;
      }
      // No kubelet to wait for: like an unscheduled pod, it is gone at once.
      pods.remove(namespace + "/" + pod);
      owner = namespace + "/" + current.getMetadata().getOwnerReferences().get(0).getName();
      finalizeClaims();
    }
    changed(owner);
    return PodDeletion.DELETED;
  }

  // ------------------------------------------------------------------ ClusterEvents

  @Override
  public synchronized void post(Involved involved, Type type, String reason, String message) {
    EventSeries.Key key = new EventSeries.Key(involved, type, reason, message);
    Optional<EventSeries.Repeat> repeat = series.repeat(key, clock.instant());
    if (repeat.isPresent()) {
      int index = Integer.parseInt(repeat.get().name());
      events.set(
          index,
          new PostedEvent(clock.instant(), involved, type, reason, message, repeat.get().count()));
      return;
    }
    series.created(key, String.valueOf(events.size()), clock.instant());
    events.add(new PostedEvent(clock.instant(), involved, type, reason, message, 1));
  }

  // ------------------------------------------------------------------ LiveObjects

  @Override
  public synchronized Map<ObjectKey, Live> lookup(
      Collection<? extends HasMetadata> desired, String defaultNamespace) {
    Map<ObjectKey, Live> live = new LinkedHashMap<>();
    for (HasMetadata object : desired) {
      ObjectKey key = ObjectKey.of(object, defaultNamespace);
      HasMetadata found = find(key);
      if (found != null) {
        HasMetadata snapshot = copy(found);
        live.put(key, new Live(key, LiveFingerprint.of(snapshot), snapshot, true));
      }
    }
    return live;
  }

  @Override
  public synchronized List<Live> inventory(
      String app, String namespace, Map<String, Set<String>> kindsByApiVersion) {
    List<Live> found = new ArrayList<>();
    List<HasMetadata> all = new ArrayList<>(others.values());
    all.addAll(statefulSets.values());
    for (HasMetadata o : all) {
      Map<String, String> labels = o.getMetadata().getLabels();
      if (namespace.equals(o.getMetadata().getNamespace())
          && labels != null
          && app.equals(labels.get(PlanOptions.APP_LABEL))) {
        HasMetadata snapshot = copy(o);
        found.add(
            new Live(
                ObjectKey.of(snapshot, namespace), LiveFingerprint.of(snapshot), snapshot, true));
      }
    }
    return found;
  }

  @Override
  public synchronized Optional<HasMetadata> full(Live live) {
    return Optional.ofNullable(find(live.key())).map(SimCluster::copy);
  }

  /**
   * Server-side apply as Ordinal's applier: the object takes every field Git sends; what other
   * managers own and Git does not send (the rollout's partition and annotations, status) stays.
   */
  @Override
  public HasMetadata apply(HasMetadata desired) {
    ObjectKey key = ObjectKey.of(desired, desired.getMetadata().getNamespace());
    HasMetadata applied;
    synchronized (this) {
      HasMetadata object = copy(desired);
      ObjectMeta meta = object.getMetadata();
      if (object instanceof StatefulSet sts) {
        String id = key.namespace() + "/" + key.name();
        StatefulSet live = statefulSets.get(id);
        if (live != null) {
          Map<String, String> annotations = new LinkedHashMap<>(annotationsOf(live));
          annotations.putAll(annotationsOf(sts));
          meta.setAnnotations(annotations);
          Integer partition =
              sts.getSpec().getUpdateStrategy() == null
                      || sts.getSpec().getUpdateStrategy().getRollingUpdate() == null
                  ? null
                  : sts.getSpec().getUpdateStrategy().getRollingUpdate().getPartition();
          if (partition == null && !"OnDelete".equals(strategyType(sts))) {
            rollingUpdate(sts).setPartition(StatefulSetObserver.partition(live));
          }
          keepRecreatedAt(live, sts);
          boolean specChanged = !json(live.getSpec()).equals(json(defaulted(sts).getSpec()));
          meta.setUid(live.getMetadata().getUid());
          meta.setGeneration(generation(live) + (specChanged ? 1 : 0));
          sts.setStatus(live.getStatus());
        } else {
          meta.setUid(UUID.randomUUID().toString());
          meta.setGeneration(1L);
          sts.setStatus(new StatefulSetStatus());
        }
        defaulted(sts);
        touch(sts);
        statefulSets.put(id, sts);
      } else {
        HasMetadata live = others.get(key);
        meta.setUid(live == null ? UUID.randomUUID().toString() : live.getMetadata().getUid());
        touch(object);
        others.put(key, object);
      }
      applied = copy(object);
    }
    if (applied instanceof StatefulSet) {
      changed(key.namespace() + "/" + key.name());
    }
    return applied;
  }

  @Override
  public void delete(Live live) {
    if (live.key().kind().equals("PersistentVolumeClaim")) {
      throw new IllegalArgumentException(
          "refusing to delete PersistentVolumeClaim "
              + live.key().namespacedName()
              + ": Ordinal never prunes volume claims");
    }
    String sts = null;
    synchronized (this) {
      if (live.key().kind().equals("StatefulSet") && live.key().group().equals("apps")) {
        sts = live.key().namespace() + "/" + live.key().name();
        statefulSets.remove(sts);
        pods.keySet().removeIf(k -> ownerOf(pods.get(k)).equals(live.key().name()));
      } else {
        others.remove(live.key());
      }
    }
    if (sts != null) {
      String deleted = sts;
      listeners.forEach(l -> l.deleted(deleted));
    }
  }

  @Override
  public HoldResult hold(ObjectKey key, Integer seen, int partition, String holdUntil) {
    String id = key.namespace() + "/" + key.name();
    synchronized (this) {
      StatefulSet sts = statefulSets.get(id);
      if (sts == null) {
        return HoldResult.GONE;
      }
      boolean onDelete = "OnDelete".equals(strategyType(sts));
      if (seen == null ? !onDelete : onDelete || StatefulSetObserver.partition(sts) != seen) {
        return HoldResult.MOVED;
      }
      if (onDelete) {
        sts.getSpec().setUpdateStrategy(new StatefulSetUpdateStrategy(null, "RollingUpdate"));
      }
      rollingUpdate(sts).setPartition(partition);
      Map<String, String> annotations = new LinkedHashMap<>(annotationsOf(sts));
      annotations.put(Annotations.SYNC_HOLD, holdUntil);
      sts.getMetadata().setAnnotations(annotations);
      sts.getMetadata().setGeneration(generation(sts) + 1);
      touch(sts);
    }
    changed(id);
    return HoldResult.HELD;
  }

  // ------------------------------------------------------------------ Volumes

  /** A snapshot as the simulated CSI snapshotter keeps it. */
  private static final class SimSnapshot {
    final VolumeSnapshot.Request request;
    final String uid = UUID.randomUUID().toString();
    final Instant createdAt;
    final String data;
    final String restoreSize;
    boolean cut;
    boolean ready;
    String error = "";
    boolean deleting;

    SimSnapshot(VolumeSnapshot.Request request, Instant createdAt, String data, String size) {
      this.request = request;
      this.createdAt = createdAt;
      this.data = data;
      this.restoreSize = size;
    }

    VolumeSnapshot view() {
      Map<String, String> annotations = new LinkedHashMap<>(request.annotations());
      if (!data.isEmpty()) {
        annotations.put(DATA_MARKER, data);
      }
      return new VolumeSnapshot(
          request.name(),
          uid,
          request.labels(),
          annotations,
          request.claim(),
          request.volumeSnapshotClassName(),
          cut,
          ready,
          error,
          ready ? restoreSize : "",
          createdAt,
          deleting);
    }
  }

  /** Snapshots take this long (simulated) to be cut and readyToUse. */
  public SimCluster snapshotDelay(Duration delay) {
    this.snapshotDelay = delay;
    return this;
  }

  /** The snapshot of this claim fails with {@code message} instead of becoming ready. */
  public SimCluster failSnapshotOf(String claim, String message) {
    failingSnapshots.put(claim, message);
    return this;
  }

  /** The snapshot of this claim is taken but never becomes readyToUse (a stuck upload). */
  public SimCluster stickSnapshotOf(String claim) {
    stuckSnapshots.add(claim);
    return this;
  }

  /** Hook Jobs of this phase ({@code quiesce}, {@code resume}) fail; others complete. */
  public SimCluster failJobs(String phase) {
    failingJobs.add(phase);
    return this;
  }

  /** Hook Jobs complete this long (simulated) after they are created. */
  public SimCluster jobDelay(Duration delay) {
    this.jobDelay = delay;
    return this;
  }

  /** What an exec of {@code command} in {@code pod} returns; by default exit 0. */
  public SimCluster execOutcome(BiFunction<String, List<String>, ExecResult> outcome) {
    this.execOutcome = outcome;
    return this;
  }

  /** Every claim created, in order. */
  public List<ClaimCreated> claimHistory() {
    return List.copyOf(claimHistory);
  }

  /** Every exec hooks ran, in order. */
  public List<ExecCall> execCalls() {
    return List.copyOf(execCalls);
  }

  /** Writes {@code data} to a claim's volume, as an app would. */
  public void writeData(String namespace, String claim, String data) {
    synchronized (this) {
      PersistentVolumeClaim c = claims.get(namespace + "/" + claim);
      if (c == null) {
        throw new IllegalArgumentException("no claim " + namespace + "/" + claim);
      }
      Map<String, String> annotations = new LinkedHashMap<>(annotationsOf(c));
      annotations.put(DATA_MARKER, data);
      c.getMetadata().setAnnotations(annotations);
      touch(c);
    }
  }

  /** The data on a claim's volume; empty when the claim is gone, "" when it holds nothing. */
  public synchronized Optional<String> data(String namespace, String claim) {
    return Optional.ofNullable(claims.get(namespace + "/" + claim))
        .map(c -> annotationsOf(c).getOrDefault(DATA_MARKER, ""));
  }

  /** The hook Jobs that exist, by name. */
  public synchronized Map<String, Job> jobs(String namespace) {
    Map<String, Job> found = new TreeMap<>();
    jobs.forEach(
        (key, job) -> {
          if (key.startsWith(namespace + "/")) {
            found.put(job.getMetadata().getName(), copy(job));
          }
        });
    return found;
  }

  @Override
  public AutoCloseable watchVolumes(Set<String> namespaces, boolean jobs, VolumeListener listener) {
    VolumeListener scoped =
        new VolumeListener() {
          @Override
          public void snapshotChanged(String namespace, String statefulSet) {
            if (namespaces.isEmpty() || namespaces.contains(namespace)) {
              listener.snapshotChanged(namespace, statefulSet);
            }
          }

          @Override
          public void claimChanged(String namespace, String claim) {
            if (namespaces.isEmpty() || namespaces.contains(namespace)) {
              listener.claimChanged(namespace, claim);
            }
          }

          @Override
          public void jobChanged(String namespace, String statefulSet) {
            if (jobs && (namespaces.isEmpty() || namespaces.contains(namespace))) {
              listener.jobChanged(namespace, statefulSet);
            }
          }
        };
    volumeListeners.add(scoped);
    return () -> volumeListeners.remove(scoped);
  }

  /** Tells the volume listeners on the controller's thread, outside the lock. */
  private void tellLater(Consumer<VolumeListener> tell) {
    try {
      controller.execute(() -> volumeListeners.forEach(tell));
    } catch (RejectedExecutionException closed) {
      // the cluster is closed: nobody listens
    }
  }

  @Override
  public synchronized List<VolumeSnapshot> snapshots(String namespace, Map<String, String> labels) {
    List<VolumeSnapshot> found = new ArrayList<>();
    for (SimSnapshot snap : snapshots.values()) {
      if (snap.request.namespace().equals(namespace)
          && labels.entrySet().stream()
              .allMatch(e -> e.getValue().equals(snap.request.labels().get(e.getKey())))) {
        found.add(snap.view());
      }
    }
    return found;
  }

  @Override
  public synchronized Optional<VolumeSnapshot> snapshot(String namespace, String name) {
    return Optional.ofNullable(snapshots.get(namespace + "/" + name)).map(SimSnapshot::view);
  }

  /**
   * The simulated snapshotter: the snapshot copies the claim's data now and is cut and ready after
   * the snapshot delay, or fails, as scripted.
   */
  @Override
  public Created createSnapshot(VolumeSnapshot.Request request) {
    String key = request.namespace() + "/" + request.name();
    synchronized (this) {
      if (snapshots.containsKey(key)) {
        return Created.EXISTS;
      }
      PersistentVolumeClaim claim = claims.get(request.namespace() + "/" + request.claim());
      String data = claim == null ? "" : annotationsOf(claim).getOrDefault(DATA_MARKER, "");
      String size =
          claim == null
                  || claim.getSpec().getResources() == null
                  || claim.getSpec().getResources().getRequests() == null
                  || claim.getSpec().getResources().getRequests().get("storage") == null
              ? "1Gi"
              : claim.getSpec().getResources().getRequests().get("storage").toString();
      SimSnapshot snap = new SimSnapshot(request, clock.instant(), data, size);
      snapshots.put(key, snap);
      String sts = request.labels().getOrDefault(BackupNames.STATEFULSET, "");
      later(snapshotDelay, () -> completeSnapshot(key, claim != null, sts));
    }
    return Created.CREATED;
  }

  private void completeSnapshot(String key, boolean claimExisted, String sts) {
    String namespace;
    synchronized (this) {
      SimSnapshot snap = snapshots.get(key);
      if (snap == null) {
        return;
      }
      String claim = snap.request.claim();
      namespace = snap.request.namespace();
      if (failingSnapshots.containsKey(claim)) {
        snap.error = failingSnapshots.get(claim);
      } else if (!claimExisted) {
        snap.error = "failed to take snapshot: persistentvolumeclaim \"" + claim + "\" not found";
      } else {
        snap.cut = true;
        snap.ready = !stuckSnapshots.contains(claim);
      }
    }
    tellLater(l -> l.snapshotChanged(namespace, sts));
  }

  @Override
  public void deleteSnapshot(String namespace, String name) {
    SimSnapshot removed;
    synchronized (this) {
      removed = snapshots.remove(namespace + "/" + name);
    }
    if (removed != null) {
      String sts = removed.request.labels().getOrDefault(BackupNames.STATEFULSET, "");
      tellLater(l -> l.snapshotChanged(namespace, sts));
    }
  }

  @Override
  public synchronized Optional<PersistentVolumeClaim> claim(String namespace, String name) {
    return Optional.ofNullable(claims.get(namespace + "/" + name)).map(SimCluster::copy);
  }

  /** Deletes a claim; one a pod still uses stays, terminating, until the pod is gone. */
  @Override
  public ClaimDeletion deleteClaim(String namespace, String name, String uid) {
    synchronized (this) {
      PersistentVolumeClaim c = claims.get(namespace + "/" + name);
      if (c == null) {
        return ClaimDeletion.GONE;
      }
      if (!uid.equals(c.getMetadata().getUid())) {
        return ClaimDeletion.CHANGED;
      }
      if (c.getMetadata().getDeletionTimestamp() == null) {
        c.getMetadata().setDeletionTimestamp(clock.instant().toString());
        touch(c);
      }
      tellLater(l -> l.claimChanged(namespace, name));
      finalizeClaims();
    }
    return ClaimDeletion.DELETED;
  }

  /** Creates a claim; one with a snapshot as dataSource starts with the snapshot's data. */
  @Override
  public Created createClaim(PersistentVolumeClaim claim) {
    String ns = claim.getMetadata().getNamespace();
    String name = claim.getMetadata().getName();
    synchronized (this) {
      if (claims.containsKey(ns + "/" + name)) {
        return Created.EXISTS;
      }
      PersistentVolumeClaim c = copy(claim);
      c.getMetadata().setUid(UUID.randomUUID().toString());
      String source = "";
      String data = "";
      if (c.getSpec().getDataSource() != null) {
        source = c.getSpec().getDataSource().getName();
        SimSnapshot snap = snapshots.get(ns + "/" + source);
        data = snap == null || !snap.ready ? "" : snap.data;
      }
      Map<String, String> annotations = new LinkedHashMap<>(annotationsOf(c));
      if (data.isEmpty()) {
        annotations.remove(DATA_MARKER);
      } else {
        annotations.put(DATA_MARKER, data);
      }
      c.getMetadata().setAnnotations(annotations);
      c.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
      touch(c);
      claims.put(ns + "/" + name, c);
      claimHistory.add(new ClaimCreated(clock.instant(), ns, name, source, data));
    }
    tellLater(l -> l.claimChanged(ns, name));
    // a pod waiting for this claim may now be created
    List<String> owners;
    synchronized (this) {
      owners = new ArrayList<>(statefulSets.keySet());
    }
    owners.forEach(this::changed);
    return Created.CREATED;
  }

  @Override
  public ExecResult exec(
      String namespace, String pod, String container, List<String> command, Duration timeout) {
    synchronized (this) {
      if (!pods.containsKey(namespace + "/" + pod)) {
        throw new IllegalStateException("pod " + pod + " not found");
      }
    }
    execCalls.add(new ExecCall(namespace, pod, container, command));
    return execOutcome.apply(pod, command);
  }

  /**
   * Creates a hook Job; it completes after the job delay, or fails when its phase is scripted to.
   */
  @Override
  public Created createJob(Job job) {
    String ns = job.getMetadata().getNamespace();
    String key = ns + "/" + job.getMetadata().getName();
    synchronized (this) {
      if (jobs.containsKey(key)) {
        return Created.EXISTS;
      }
      Job j = copy(job);
      j.getMetadata().setUid(UUID.randomUUID().toString());
      j.getMetadata().setCreationTimestamp(clock.instant().toString());
      touch(j);
      jobs.put(key, j);
    }
    String phase = annotationsOrLabels(job).getOrDefault(BackupNames.HOOK, "");
    String sts = annotationsOrLabels(job).getOrDefault(BackupNames.STATEFULSET, "");
    later(jobDelay, () -> finishJob(key, !failingJobs.contains(phase), ns, sts));
    return Created.CREATED;
  }

  private static Map<String, String> annotationsOrLabels(Job job) {
    return job.getMetadata().getLabels() == null ? Map.of() : job.getMetadata().getLabels();
  }

  private void finishJob(String key, boolean succeeded, String namespace, String sts) {
    synchronized (this) {
      Job j = jobs.get(key);
      if (j == null) {
        return;
      }
      j.setStatus(
          new JobStatusBuilder()
              .addNewCondition()
              .withType(succeeded ? "Complete" : "Failed")
              .withStatus("True")
              .withReason(succeeded ? null : "BackoffLimitExceeded")
              .withMessage(succeeded ? null : "Job has reached the specified backoff limit")
              .endCondition()
              .build());
      touch(j);
    }
    tellLater(l -> l.jobChanged(namespace, sts));
  }

  @Override
  public synchronized Optional<Job> job(String namespace, String name) {
    return Optional.ofNullable(jobs.get(namespace + "/" + name)).map(SimCluster::copy);
  }

  @Override
  public synchronized void deleteJob(String namespace, String name) {
    jobs.remove(namespace + "/" + name);
  }

  // ------------------------------------------------------------------ the rest of the port

  @Override
  public Optional<String> secretValue(String namespace, String name, String key) {
    return Optional.ofNullable(secrets.get(namespace + "/" + name + "/" + key));
  }

  @Override
  public Leadership leadership(String namespace, String name, String identity, LeaseTiming timing) {
    return leases.lease(namespace + "/" + name, identity);
  }

  @Override
  public LeaseStore leaseStore(String namespace) {
    return leaseStores.computeIfAbsent(namespace, n -> new SimLeaseStore());
  }

  @Override
  public RunStore runStore(String namespace, String name) {
    return runs;
  }

  // ------------------------------------------------------------------ recreates

  /** Declares a StorageClass, as an operator would create one. */
  public SimCluster storageClass(String name, boolean allowVolumeExpansion) {
    storageClasses.put(name, allowVolumeExpansion);
    return this;
  }

  @Override
  public Optional<Boolean> allowsVolumeExpansion(String name) {
    return Optional.ofNullable(storageClasses.get(name));
  }

  /**
   * Grows the claim at once: the simulated driver expands the volume and reports the new capacity,
   * as a CSI driver with online expansion does.
   */
  @Override
  public Outcome growClaim(String namespace, String name, String uid, String size) {
    synchronized (this) {
      PersistentVolumeClaim c = claims.get(namespace + "/" + name);
      if (c == null) {
        return Outcome.GONE;
      }
      if (!uid.equals(c.getMetadata().getUid())) {
        return Outcome.CHANGED;
      }
      // a private copy: a claim made by the simulated controller shares its template's spec
      PersistentVolumeClaimSpec spec =
          JSON.convertValue(c.getSpec(), PersistentVolumeClaimSpec.class);
      spec.getResources().getRequests().put("storage", new Quantity(size));
      c.setSpec(spec);
      if (c.getStatus() == null) {
        c.setStatus(new PersistentVolumeClaimStatus());
      }
      Map<String, Quantity> capacity = new LinkedHashMap<>();
      capacity.put("storage", new Quantity(size));
      c.getStatus().setCapacity(capacity);
      touch(c);
    }
    tellLater(l -> l.claimChanged(namespace, name));
    return Outcome.DONE;
  }

  /** Removes the StatefulSet and leaves its pods and claims, which a new one of its name adopts. */
  @Override
  public Outcome orphanDelete(String namespace, String name, String uid) {
    String key = namespace + "/" + name;
    synchronized (this) {
      StatefulSet sts = statefulSets.get(key);
      if (sts == null) {
        return Outcome.GONE;
      }
      if (!uid.equals(sts.getMetadata().getUid())) {
        return Outcome.CHANGED;
      }
      statefulSets.remove(key);
    }
    listeners.forEach(l -> l.deleted(key));
    return Outcome.DONE;
  }

  /** Field ownership is not simulated: a partition stays until someone writes another. */
  @Override
  public Outcome keepPartition(String namespace, String name, String uid, int partition) {
    return Outcome.DONE;
  }

  /**
   * The pod template annotation a recreate's restart wrote under its own field manager survives an
   * apply that does not send it, as under server-side apply.
   */
  private static void keepRecreatedAt(StatefulSet live, StatefulSet applied) {
    String had = templateAnnotations(live).get(Annotations.RECREATED_AT);
    if (had != null && !templateAnnotations(applied).containsKey(Annotations.RECREATED_AT)) {
      stampTemplate(applied, had);
    }
  }

  private static Map<String, String> templateAnnotations(StatefulSet sts) {
    Map<String, String> annotations = sts.getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  private static void stampTemplate(StatefulSet sts, String stamp) {
    ObjectMeta template = sts.getSpec().getTemplate().getMetadata();
    Map<String, String> annotations = new LinkedHashMap<>(templateAnnotations(sts));
    annotations.put(Annotations.RECREATED_AT, stamp);
    template.setAnnotations(annotations);
  }

  /** Why a write guarded by {@code uid} cannot be made to {@code object}; null when it can. */
  private static Outcome refused(HasMetadata object, String uid) {
    return object == null
        ? Outcome.GONE
        : uid.equals(object.getMetadata().getUid()) ? null : Outcome.CHANGED;
  }

  @Override
  public Outcome relabelPod(String namespace, String pod, String uid, Map<String, String> labels) {
    synchronized (this) {
      Pod p = pods.get(namespace + "/" + pod);
      if (refused(p, uid) != null) {
        return refused(p, uid);
      }
      Map<String, String> merged = new LinkedHashMap<>(p.getMetadata().getLabels());
      merged.putAll(labels);
      p.getMetadata().setLabels(merged);
      touch(p);
    }
    return Outcome.DONE;
  }

  @Override
  public Outcome restart(
      String namespace, String name, String uid, String stamp, Integer partition) {
    String key = namespace + "/" + name;
    synchronized (this) {
      StatefulSet sts = statefulSets.get(key);
      if (refused(sts, uid) != null) {
        return refused(sts, uid);
      }
      // a private copy: the live object may share its template with earlier reads
      StatefulSet next = copy(sts);
      stampTemplate(next, stamp);
      if (partition != null) {
        rollingUpdate(next).setPartition(partition);
      }
      next.getMetadata().setGeneration(generation(sts) + 1);
      touch(next);
      statefulSets.put(key, next);
    }
    changed(key);
    return Outcome.DONE;
  }

  @Override
  public RecreateStore recreateStore(String namespace, String name) {
    return new RecreateStore() {
      @Override
      public Optional<String> load(String key) {
        return Optional.ofNullable(recreates.get(key));
      }

      @Override
      public List<String> all() {
        return List.copyOf(recreates.values());
      }

      @Override
      public void save(String key, String json) {
        recreates.put(key, json);
      }

      @Override
      public void remove(String key) {
        recreates.remove(key);
      }
    };
  }

  /** The analysis runs the daemon keeps, in memory, telling the listeners of each save. */
  private final class ObservedRuns implements RunStore {
    private final RunStore records = new RunStore.InMemory();

    @Override
    public void save(RunRecord record) {
      records.save(record);
      runListeners.forEach(l -> l.accept(record));
    }

    @Override
    public List<RunRecord> loadAll() {
      return records.loadAll();
    }

    @Override
    public void remove(String runId) {
      records.remove(runId);
    }
  }

  @Override
  public void close() {
    controller.shutdownNow();
    listeners.clear();
  }

  // ------------------------------------------------------------------ the StatefulSet controller

  /** Something about StatefulSet {@code key} changed: reconcile it, then tell the watchers. */
  private void changed(String key) {
    try {
      controller.execute(() -> reconcile(key));
    } catch (RejectedExecutionException closed) {
      return;
    }
  }

  private void notifyWatchers(String key) {
    listeners.forEach(l -> l.changed(key));
  }

  /**
   * One pass of the StatefulSet controller, as the real one: revisions, then pod creation and
   * deletion (one at a time under OrderedReady), then a rolling update below the partition, then
   * status. Each pass makes at most the moves the real controller would in one sync.
   */
  private void reconcile(String key) {
    synchronized (this) {
      StatefulSet sts = statefulSets.get(key);
      if (sts == null) {
        return;
      }
      String ns = sts.getMetadata().getNamespace();
      String name = sts.getMetadata().getName();
      String update = revision(sts);
      StatefulSetStatus status = sts.getStatus();
      if (status.getCurrentRevision() == null) {
        status.setCurrentRevision(update);
      }
      status.setUpdateRevision(update);
      String current = status.getCurrentRevision();
      int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
      boolean ordered = !"Parallel".equals(sts.getSpec().getPodManagementPolicy());
      boolean rolling = !"OnDelete".equals(strategyType(sts));
      int partition = rolling ? StatefulSetObserver.partition(sts) : 0;
      Map<Integer, Pod> byOrdinal = new TreeMap<>();
      for (Pod pod : podsOf(key)) {
        byOrdinal.put(ordinal(pod), pod);
      }
      boolean moved = false;
      // create missing pods below replicas
      for (int o = 0; o < replicas && !moved; o++) {
        if (!byOrdinal.containsKey(o)) {
          if (claimTerminating(sts, o)) {
            // as the real controller: "pvc ... is being deleted", retried once it is gone
            moved = ordered;
            continue;
          }
          String revision = rolling && o < partition ? current : update;
          createPod(sts, o, revision);
          moved = ordered;
        } else if (ordered && !ready(byOrdinal.get(o))) {
          moved = true; // OrderedReady: nothing after a pod that is not Running and Ready
        }
      }
      // scale down, highest ordinal first
      if (!moved) {
        List<Integer> extra =
            byOrdinal.keySet().stream()
                .filter(o -> o >= replicas)
                .sorted(Comparator.reverseOrder())
                .toList();
        for (int o : extra) {
          pods.remove(ns + "/" + name + "-" + o);
          if (claimsDeletedWhenScaled(sts)) {
            deleteClaimsOf(sts, o);
          }
          moved = true;
          if (ordered) {
            break;
          }
        }
      }
      // rolling update: the highest ordinals at or above the partition not on the update revision
      if (!moved && rolling) {
        int maxUnavailable = maxUnavailable(sts, replicas);
        long unavailable =
            byOrdinal.entrySet().stream()
                .filter(e -> e.getKey() < replicas && !ready(e.getValue()))
                .count();
        for (int o = replicas - 1; o >= partition && unavailable < maxUnavailable; o--) {
          Pod pod = byOrdinal.get(o);
          if (pod != null && !update.equals(pod.getMetadata().getLabels().get(REVISION))) {
            pods.remove(ns + "/" + pod.getMetadata().getName());
            unavailable++;
            moved = true;
          }
        }
      }
      updateStatus(sts, update, rolling);
      touch(sts);
      finalizeClaims();
      if (moved) {
        controller.schedule(() -> reconcile(key), 1, TimeUnit.MILLISECONDS);
      }
    }
    notifyWatchers(key);
  }

  private void updateStatus(StatefulSet sts, String update, boolean rolling) {
    String key = sts.getMetadata().getNamespace() + "/" + sts.getMetadata().getName();
    List<Pod> own = podsOf(key);
    int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
    StatefulSetStatus status = sts.getStatus();
    status.setReplicas(own.size());
    status.setReadyReplicas((int) own.stream().filter(SimCluster::ready).count());
    status.setAvailableReplicas(status.getReadyReplicas());
    status.setUpdatedReplicas(
        (int)
            own.stream()
                .filter(p -> update.equals(p.getMetadata().getLabels().get(REVISION)))
                .count());
    status.setCurrentReplicas(
        (int)
            own.stream()
                .filter(
                    p ->
                        status
                            .getCurrentRevision()
                            .equals(p.getMetadata().getLabels().get(REVISION)))
                .count());
    if (rolling
        && status.getUpdatedReplicas() == replicas
        && status.getReadyReplicas() == replicas
        && own.size() == replicas) {
      status.setCurrentRevision(update);
      status.setCurrentReplicas(status.getUpdatedReplicas());
    }
    status.setObservedGeneration(generation(sts));
  }

  private void createPod(StatefulSet sts, int ordinal, String revision) {
    String ns = sts.getMetadata().getNamespace();
    String name = sts.getMetadata().getName() + "-" + ordinal;
    Map<String, String> labels = new LinkedHashMap<>();
    if (sts.getSpec().getTemplate().getMetadata() != null
        && sts.getSpec().getTemplate().getMetadata().getLabels() != null) {
      labels.putAll(sts.getSpec().getTemplate().getMetadata().getLabels());
    }
    labels.put(REVISION, revision);
    labels.put("statefulset.kubernetes.io/pod-name", name);
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withUid(UUID.randomUUID().toString())
            .withLabels(labels)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1")
                    .withKind("StatefulSet")
                    .withName(sts.getMetadata().getName())
                    .withUid(sts.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            // the identity the real controller gives a pod: hostname, and the governing Service
            .withNewSpec()
            .withHostname(name)
            .withSubdomain(sts.getSpec().getServiceName())
            .endSpec()
            .withNewStatus()
            .withPhase("Pending")
            .endStatus()
            .build();
    touch(pod);
    pods.put(ns + "/" + name, pod);
    podHistory.add(new PodCreated(clock.instant(), name, revision));
    createClaims(sts, ordinal);
    PodBehaviour behaviour =
        byPod.getOrDefault(
            name,
            byRevision.getOrDefault(
                revision,
                byImage.getOrDefault(
                    imageOfRevision.getOrDefault(revision, ""), PodBehaviour.READY)));
    String uid = pod.getMetadata().getUid();
    String owner = ns + "/" + sts.getMetadata().getName();
    later(readyDelay, () -> start(owner, ns + "/" + name, uid, behaviour));
  }

  /** Whether a claim of this pod is being deleted: the controller cannot create the pod then. */
  private boolean claimTerminating(StatefulSet sts, int ordinal) {
    for (String claim : claimNames(sts, ordinal)) {
      PersistentVolumeClaim c = claims.get(sts.getMetadata().getNamespace() + "/" + claim);
      if (c != null && c.getMetadata().getDeletionTimestamp() != null) {
        return true;
      }
    }
    return false;
  }

  private static List<String> claimNames(StatefulSet sts, int ordinal) {
    List<String> names = new ArrayList<>();
    if (sts.getSpec().getVolumeClaimTemplates() != null) {
      for (PersistentVolumeClaim t : sts.getSpec().getVolumeClaimTemplates()) {
        names.add(t.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal);
      }
    }
    return names;
  }

  private static boolean claimsDeletedWhenScaled(StatefulSet sts) {
    return sts.getSpec().getPersistentVolumeClaimRetentionPolicy() != null
        && "Delete".equals(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled());
  }

  /** whenScaled: Delete — the controller deletes a removed ordinal's claims. */
  private void deleteClaimsOf(StatefulSet sts, int ordinal) {
    for (String claim : claimNames(sts, ordinal)) {
      PersistentVolumeClaim c = claims.get(sts.getMetadata().getNamespace() + "/" + claim);
      if (c != null && c.getMetadata().getDeletionTimestamp() == null) {
        c.getMetadata().setDeletionTimestamp(clock.instant().toString());
        touch(c);
        tellLater(l -> l.claimChanged(c.getMetadata().getNamespace(), claim));
      }
    }
  }

  /**
   * The pvc-protection finalizer: a claim being deleted goes once no pod of its StatefulSet's
   * ordinal uses it.
   */
  private void finalizeClaims() {
    List<String> gone = new ArrayList<>();
    for (Map.Entry<String, PersistentVolumeClaim> e : claims.entrySet()) {
      PersistentVolumeClaim c = e.getValue();
      if (c.getMetadata().getDeletionTimestamp() != null && !inUse(c)) {
        gone.add(e.getKey());
      }
    }
    for (String key : gone) {
      PersistentVolumeClaim c = claims.remove(key);
      tellLater(l -> l.claimChanged(c.getMetadata().getNamespace(), c.getMetadata().getName()));
    }
  }

  /** Whether a pod mounts the claim: a pod named as the claim's ordinal, with such a template. */
  private boolean inUse(PersistentVolumeClaim claim) {
    String ns = claim.getMetadata().getNamespace();
    for (Pod pod : pods.values()) {
      if (!ns.equals(pod.getMetadata().getNamespace())) {
        continue;
      }
      StatefulSet sts = statefulSets.get(ns + "/" + ownerOf(pod));
      if (sts != null && claimNames(sts, ordinal(pod)).contains(claim.getMetadata().getName())) {
        return true;
      }
    }
    return false;
  }

  /** A pod's PVCs come from the templates and outlive it, as the real controller keeps them. */
  private void createClaims(StatefulSet sts, int ordinal) {
    if (sts.getSpec().getVolumeClaimTemplates() == null) {
      return;
    }
    String ns = sts.getMetadata().getNamespace();
    for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
      String name =
          template.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal;
      claims.computeIfAbsent(
          ns + "/" + name,
          k -> {
            PersistentVolumeClaim claim =
                new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(ns)
                    .withUid(UUID.randomUUID().toString())
                    .withLabels(
                        sts.getSpec().getSelector() == null
                            ? Map.of()
                            : sts.getSpec().getSelector().getMatchLabels())
                    .endMetadata()
                    .withSpec(template.getSpec())
                    .withNewStatus()
                    .withPhase("Bound")
                    .endStatus()
                    .build();
            touch(claim);
            claimHistory.add(new ClaimCreated(clock.instant(), ns, name, "", ""));
            tellLater(l -> l.claimChanged(ns, name));
            return claim;
          });
    }
  }

  private void start(String owner, String podKey, String uid, PodBehaviour behaviour) {
    switch (behaviour) {
      case READY -> setPodStatus(owner, podKey, uid, true, 0);
      case NEVER_READY -> setPodStatus(owner, podKey, uid, false, 0);
      case CRASH_LOOP -> crash(owner, podKey, uid, 1);
      case READY_THEN_FAIL -> {
        if (setPodStatus(owner, podKey, uid, true, 0)) {
          later(failAfter, () -> setPodStatus(owner, podKey, uid, false, 1));
        }
      }
    }
  }

  private void crash(String owner, String podKey, String uid, int restarts) {
    if (setPodStatus(owner, podKey, uid, false, restarts)) {
      later(crashInterval, () -> crash(owner, podKey, uid, restarts + 1));
    }
  }

  /** Sets a pod's status if that incarnation still exists; false when it is gone. */
  private boolean setPodStatus(
      String owner, String podKey, String uid, boolean ready, int restarts) {
    synchronized (this) {
      Pod pod = pods.get(podKey);
      if (pod == null || !uid.equals(pod.getMetadata().getUid())) {
        return false;
      }
      pod.getStatus().setPhase("Running");
      pod.getStatus()
          .setConditions(
              List.of(
                  new PodConditionBuilder()
                      .withType("Ready")
                      .withStatus(ready ? "True" : "False")
                      .build()));
      pod.getStatus()
          .setContainerStatuses(
              List.of(
                  new ContainerStatusBuilder()
                      .withName("main")
                      .withReady(ready)
                      .withRestartCount(restarts)
                      .build()));
      touch(pod);
    }
    changed(owner);
    return true;
  }

  private void later(Duration simulated, Runnable task) {
    try {
      controller.schedule(task, clock.real(simulated).toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      // the cluster is closed: nothing more happens
    }
  }

  // ------------------------------------------------------------------ helpers

  private List<Pod> podsOf(String stsKey) {
    String ns = stsKey.substring(0, stsKey.indexOf('/'));
    String name = stsKey.substring(stsKey.indexOf('/') + 1);
    List<Pod> result = new ArrayList<>();
    for (Pod pod : pods.values()) {
      if (ns.equals(pod.getMetadata().getNamespace()) && name.equals(ownerOf(pod))) {
        result.add(pod);
      }
    }
    return result;
  }

  private static String ownerOf(Pod pod) {
    return pod.getMetadata().getOwnerReferences().get(0).getName();
  }

  private static int ordinal(Pod pod) {
    String name = pod.getMetadata().getName();
    return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private HasMetadata find(ObjectKey key) {
    if (key.group().equals("apps") && key.kind().equals("StatefulSet")) {
      return statefulSets.get(key.namespace() + "/" + key.name());
    }
    return others.get(key);
  }

  /** The revision name of a StatefulSet's template, stable for equal templates. */
  private String revision(StatefulSet sts) {
    String template = json(sts.getSpec().getTemplate());
    String key = sts.getMetadata().getNamespace() + "/" + sts.getMetadata().getName();
    String revision =
        revisionsByStatefulSet
            .computeIfAbsent(key, k -> new HashMap<>())
            .computeIfAbsent(template, t -> sts.getMetadata().getName() + "-" + hash(t));
    var containers = sts.getSpec().getTemplate().getSpec().getContainers();
    if (!containers.isEmpty() && containers.get(0).getImage() != null) {
      imageOfRevision.putIfAbsent(revision, containers.get(0).getImage());
    }
    return revision;
  }

  private static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int maxUnavailable(StatefulSet sts, int replicas) {
    RollingUpdateStatefulSetStrategy rolling = sts.getSpec().getUpdateStrategy().getRollingUpdate();
    IntOrString value = rolling == null ? null : rolling.getMaxUnavailable();
    if (value == null) {
      return 1;
    }
    if (value.getIntVal() != null) {
      return Math.max(1, value.getIntVal());
    }
    String s = value.getStrVal();
    return s.endsWith("%")
        ? Math.max(1, replicas * Integer.parseInt(s.substring(0, s.length() - 1)) / 100)
        : Math.max(1, Integer.parseInt(s));
  }

  private static String strategyType(StatefulSet sts) {
    return sts.getSpec().getUpdateStrategy() == null
        ? "RollingUpdate"
        : sts.getSpec().getUpdateStrategy().getType();
  }

  private static RollingUpdateStatefulSetStrategy rollingUpdate(StatefulSet sts) {
    if (sts.getSpec().getUpdateStrategy() == null) {
      sts.getSpec().setUpdateStrategy(new StatefulSetUpdateStrategy(null, "RollingUpdate"));
    }
    StatefulSetUpdateStrategy strategy = sts.getSpec().getUpdateStrategy();
    if (strategy.getType() == null) {
      strategy.setType("RollingUpdate");
    }
    if (strategy.getRollingUpdate() == null) {
      strategy.setRollingUpdate(new RollingUpdateStatefulSetStrategy(null, 0));
    }
    return strategy.getRollingUpdate();
  }

  /** The server's defaults that matter here: strategy RollingUpdate at partition 0, replicas 1. */
  private static StatefulSet defaulted(StatefulSet sts) {
    if (sts.getSpec().getReplicas() == null) {
      sts.getSpec().setReplicas(1);
    }
    if (!"OnDelete".equals(strategyType(sts))) {
      RollingUpdateStatefulSetStrategy rolling = rollingUpdate(sts);
      if (rolling.getPartition() == null) {
        rolling.setPartition(0);
      }
    }
    if (sts.getSpec().getPodManagementPolicy() == null) {
      sts.getSpec().setPodManagementPolicy("OrderedReady");
    }
    return sts;
  }

  private static long generation(StatefulSet sts) {
    Long g = sts.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  private static Map<String, String> annotationsOf(HasMetadata o) {
    return o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations();
  }

  private void touch(HasMetadata o) {
    o.getMetadata().setResourceVersion(Long.toString(resourceVersion.incrementAndGet()));
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T copy(T o) {
    return (T) JSON.convertValue(o, o.getClass());
  }
}
