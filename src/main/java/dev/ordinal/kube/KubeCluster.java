package dev.ordinal.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.analysis.RunStore;
import dev.ordinal.backup.VolumeSnapshot;
import dev.ordinal.daemon.Cluster;
import dev.ordinal.daemon.ClusterRequestException;
import dev.ordinal.daemon.EventSeries;
import dev.ordinal.daemon.Leadership;
import dev.ordinal.daemon.StatefulSetObserver;
import dev.ordinal.plan.LiveFingerprint;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.shard.LeaseStore;
import dev.ordinal.shard.LeaseTiming;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fabric8 implementation of the daemon's {@link Cluster} port. Reads for rollouts come from
 * shared informers with slim stores; rollout writes are JSON merge patches under the observed
 * resourceVersion with field manager {@value #ROLLOUT_MANAGER}; Git's objects are applied with
 * server-side apply as {@value #APPLY_MANAGER}, kept apart so neither takes the other's fields.
 */
public final class KubeCluster implements Cluster {
  /** Field manager of the Git applier. */
  public static final String APPLY_MANAGER = PlanOptions.DEFAULT_FIELD_MANAGER;

  /** Field manager of rollout writes (partition, state and command annotations). */
  public static final String ROLLOUT_MANAGER = "ordinal-rollout";

  /** Marks every object Ordinal applies, so objects that left Git can be found for pruning. */
  public static final String INVENTORY_LABEL = PlanOptions.APP_LABEL;

  /** Event source component. */
  public static final String COMPONENT = "ordinal";

  private static final Logger log = LoggerFactory.getLogger(KubeCluster.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OWNER_INDEX = "ordinal-owner";

  /** How long the first list of a new watch cache may take before reads of it go direct. */
  private static final Duration CACHE_SYNC_TIMEOUT = Duration.ofSeconds(60);

  private final Supplier<KubernetesClient> client;
  private final String instance;
  private final Clock clock;
  private final boolean cacheLive;
  private final DirectReads direct;
  private final EventSeries series = new EventSeries();
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> liveInformers =
      new ConcurrentHashMap<>();
  private final Map<String, SlimStore<GenericKubernetesResource>> liveStores =
      new ConcurrentHashMap<>();
  private final Set<String> uncacheable = ConcurrentHashMap.newKeySet();
  private final Map<String, SharedIndexInformer<StatefulSet>> stsInformers =
      new ConcurrentHashMap<>();
  private final Map<String, SharedIndexInformer<Pod>> podInformers = new ConcurrentHashMap<>();
  private final Map<String, SlimStore<StatefulSet>> stsStores = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Object volumesLock = new Object();
  private volatile KubeVolumes volumes;

  /**
   * @param instance names this Ordinal in the Events it posts (reportingInstance)
   */
  public KubeCluster(KubernetesClient client, String instance, Clock clock) {
    this(client, instance, clock, true);
  }

  private KubeCluster(
      Supplier<KubernetesClient> client,
      DirectReads direct,
      String instance,
      Clock clock,
      boolean cacheLive) {
    this.client = client;
    this.direct = direct;
    this.instance = instance == null ? COMPONENT : instance;
    this.clock = clock;
    this.cacheLive = cacheLive;
  }

  private KubeCluster(KubernetesClient client, String instance, Clock clock, boolean cacheLive) {
    this(() -> client, null, instance, clock, cacheLive);
  }

  public KubeCluster(KubernetesClient client) {
    this(client, COMPONENT, Clock.systemUTC());
  }

  /** The API server's version: every client may read it, whatever its RBAC. */
  @Override
  public void checkReachable() {
    client.get().getKubernetesVersion();
  }

  /**
   * A cluster for one-shot commands: live objects are read directly, with no watch cache to fill
   * first.
   */
  public static KubeCluster direct(KubernetesClient client) {
    return new KubeCluster(client, COMPONENT, Clock.systemUTC(), false);
  }

  /**
   * A cluster for one-shot commands that reads fabric8's model kinds (a LIST per kind, or a GET per
   * object) with {@code direct} where it can (null: with the client), and asks {@code client} for
   * the client only when it needs it.
   */
  static KubeCluster direct(Supplier<KubernetesClient> client, DirectReads direct) {
    return new KubeCluster(client, direct, COMPONENT, Clock.systemUTC(), false);
  }

  private KubernetesClient client() {
    return client.get();
  }

  /**
   * The volume ports, made on first use: a one-shot command that only reads objects needs none, nor
   * the client they are made with. Not under this cluster's own lock, which a first watch holds
   * while its cache fills.
   */
  private KubeVolumes volumes() {
    KubeVolumes made = volumes;
    if (made == null) {
      synchronized (volumesLock) {
        if (volumes == null) {
          volumes = new KubeVolumes(client());
        }
        made = volumes;
      }
    }
    return made;
  }

  // ------------------------------------------------------------------ workloads

  @Override
  public synchronized AutoCloseable watch(Set<String> namespaces, Listener listener) {
    listeners.add(listener);
    List<String> scopes = namespaces.isEmpty() ? List.of("") : List.copyOf(namespaces);
    // pods first, so the first decision about a StatefulSet sees its pods
    scopes.forEach(this::podInformer);
    scopes.forEach(this::statefulSetInformer);
    // The caches may have been filled before this listener came (a standby that now leads): it
    // hears of every StatefulSet they hold, as a new informer handler would.
    for (String ns : scopes) {
      stsStores.get(ns).keySet().forEach(listener::changed);
    }
    return () -> listeners.remove(listener);
  }

  /** The pod watch of a namespace ("" for all), started and synced on first use. */
  private synchronized SharedIndexInformer<Pod> podInformer(String ns) {
    SharedIndexInformer<Pod> pods = podInformers.get(ns);
    if (pods == null) {
      pods =
          (ns.isEmpty() ? client().pods().inAnyNamespace() : client().pods().inNamespace(ns))
              .withLabel(StatefulSetObserver.REVISION_LABEL)
              .runnableInformer(0);
      pods.itemStore(SlimStore.pods());
      pods.addIndexers(Map.of(OWNER_INDEX, pod -> ownerKey(pod).map(List::of).orElse(List.of())));
      pods.addEventHandler(handler(pod -> ownerKey(pod).orElse(null), false));
      podInformers.put(ns, pods);
      pods.start().toCompletableFuture().join();
    }
    return pods;
  }

  /** The StatefulSet cache of a namespace, for planning: watched from first use. */
  private SlimStore<StatefulSet> statefulSetStore(String ns) {
    SlimStore<StatefulSet> store = stsStores.get(ns);
    if (store == null && stsStores.containsKey("")) {
      store = stsStores.get(""); // every namespace is watched
    }
    if (store == null) {
      statefulSetInformer(ns);
      store = stsStores.get(ns);
    }
    return store;
  }

  /** The StatefulSet watch of a namespace ("" for all), started and synced on first use. */
  private synchronized SharedIndexInformer<StatefulSet> statefulSetInformer(String ns) {
    SharedIndexInformer<StatefulSet> sets = stsInformers.get(ns);
    if (sets == null) {
      sets =
          (ns.isEmpty()
                  ? client().apps().statefulSets().inAnyNamespace()
                  : client().apps().statefulSets().inNamespace(ns))
              .runnableInformer(0);
      SlimStore<StatefulSet> store = SlimStore.statefulSets();
      sets.itemStore(store);
      stsStores.put(ns, store);
      sets.addEventHandler(handler(KubeCluster::key, true));
      stsInformers.put(ns, sets);
      sets.start().toCompletableFuture().join();
    }
    return sets;
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(
      Function<T, String> keyOf, boolean statefulSet) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        notifyChanged(keyOf.apply(obj));
      }

      @Override
      public void onUpdate(T old, T obj) {
        notifyChanged(keyOf.apply(obj));
      }

      @Override
      public void onDelete(T obj, boolean unknown) {
        String key = keyOf.apply(obj);
        if (key == null) {
          return;
        }
        if (statefulSet) {
          listeners.forEach(l -> l.deleted(key));
        } else {
          listeners.forEach(l -> l.changed(key));
        }
      }
    };
  }

  private void notifyChanged(String key) {
    if (key != null) {
      listeners.forEach(l -> l.changed(key));
    }
  }

  @Override
  public Optional<StatefulSet> statefulSet(String key, Read read) {
    if (read == Read.CACHED) {
      for (SharedIndexInformer<StatefulSet> informer : stsInformers.values()) {
        StatefulSet sts = informer.getStore().getByKey(key);
        if (sts != null) {
          return Optional.of(sts);
        }
      }
      return Optional.empty();
    }
    int slash = key.indexOf('/');
    return Optional.ofNullable(
        client()
            .apps()
            .statefulSets()
            .inNamespace(key.substring(0, slash))
            .withName(key.substring(slash + 1))
            .get());
  }

  @Override
  public List<Pod> pods(StatefulSet sts, Read read) {
    String key = key(sts);
    if (read == Read.CACHED) {
      SharedIndexInformer<Pod> informer = podInformers.get(sts.getMetadata().getNamespace());
      if (informer == null) {
        informer = podInformers.get("");
      }
      return informer == null ? List.of() : informer.getIndexer().byIndex(OWNER_INDEX, key);
    }
    Map<String, String> selector =
        sts.getSpec().getSelector() == null ? null : sts.getSpec().getSelector().getMatchLabels();
    var query = client().pods().inNamespace(sts.getMetadata().getNamespace());
    List<Pod> pods = new ArrayList<>();
    for (Pod p :
        (selector == null || selector.isEmpty()
                ? query.withLabel(StatefulSetObserver.REVISION_LABEL)
                : query.withLabels(selector))
            .list()
            .getItems()) {
      if (ownerKey(p).filter(key::equals).isPresent()) {
        pods.add(p);
      }
    }
    return pods;
  }

  @Override
  public WriteResult write(StatefulSet observed, RolloutWrite write) {
    if (write.isEmpty()) {
      return new WriteResult.Written(observed);
    }
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("resourceVersion", observed.getMetadata().getResourceVersion());
    if (!write.set().isEmpty() || !write.remove().isEmpty()) {
      ObjectNode annotations = metadata.putObject("annotations");
      write.set().forEach(annotations::put);
      write.remove().forEach(annotations::putNull);
    }
    if (write.partition() != null) {
      patch
          .putObject("spec")
          .putObject("updateStrategy")
          .putObject("rollingUpdate")
          .put("partition", write.partition());
    }
    if (write.replicas() != null) {
      ObjectNode spec =
          patch.has("spec") ? (ObjectNode) patch.get("spec") : patch.putObject("spec");
      spec.put("replicas", write.replicas());
    }
    PatchContext ctx =
        new PatchContext.Builder()
            .withPatchType(PatchType.JSON_MERGE)
            .withFieldManager(ROLLOUT_MANAGER)
            .build();
    try {
      return new WriteResult.Written(
          client()
              .apps()
              .statefulSets()
              .inNamespace(observed.getMetadata().getNamespace())
              .withName(observed.getMetadata().getName())
              .patch(ctx, patch.toString()));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return new WriteResult.Conflict();
      }
      throw e;
    }
  }

  @Override
  public PodDeletion deletePod(String ns, String podName, String revision) {
    Pod fresh = client().pods().inNamespace(ns).withName(podName).get();
    if (fresh == null) {
      return PodDeletion.GONE;
    }
    Map<String, String> labels = fresh.getMetadata().getLabels();
    String actual = labels == null ? null : labels.get(StatefulSetObserver.REVISION_LABEL);
    if (!revision.equals(actual) || fresh.getMetadata().getDeletionTimestamp() != null) {
      return PodDeletion.CHANGED;
    }
    try {
      client()
          .pods()
          .inNamespace(ns)
          .withName(podName)
          .lockResourceVersion(fresh.getMetadata().getResourceVersion())
          .delete();
      return PodDeletion.DELETED;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return PodDeletion.CHANGED;
      }
      if (e.getCode() == 404) {
        return PodDeletion.GONE;
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------ events

  @Override
  public void post(Involved involved, Type type, String reason, String message) {
    String ns = involved.namespace();
    String now = clock.instant().toString();
    EventSeries.Key key = new EventSeries.Key(involved, type, reason, message);
    Optional<EventSeries.Repeat> repeat = series.repeat(key, clock.instant());
    if (repeat.isPresent()) {
      try {
        // patch(ctx, String) on a bare name would GET the Event first (a verb Ordinal is not
        // granted); naming it through an item sends the PATCH alone
        client()
            .v1()
            .events()
            .inNamespace(ns)
            .resource(
                new EventBuilder()
                    .withNewMetadata()
                    .withName(repeat.get().name())
                    .withNamespace(ns)
                    .endMetadata()
                    .build())
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"count\":" + repeat.get().count() + ",\"lastTimestamp\":\"" + now + "\"}");
        return;
      } catch (KubernetesClientException ex) {
        if (ex.getCode() != 404) {
          log.warn(
              "could not update event {} for {}/{}: {}",
              reason,
              ns,
              involved.name(),
              ex.getMessage());
          return;
        }
        series.forget(key); // expired: start a new series below
      }
    }
    String name =
        involved.name() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", "");
    try {
      client()
          .v1()
          .events()
          .inNamespace(ns)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(ns)
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion("StatefulSet".equals(involved.kind()) ? "apps/v1" : null)
                  .withKind(involved.kind())
                  .withName(involved.name())
                  .withNamespace(ns)
                  .withUid(involved.uid())
                  .endInvolvedObject()
                  .withReason(reason)
                  .withMessage(truncate(message, 1024))
                  .withType(type.displayName())
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .withReportingComponent(COMPONENT)
                  .withReportingInstance(truncate(instance, 128))
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
      series.created(key, name, clock.instant());
    } catch (KubernetesClientException ex) {
      log.warn(
          "could not post event {} for {}/{}: {}", reason, ns, involved.name(), ex.getMessage());
    }
  }

  // ------------------------------------------------------------------ live objects

  /**
   * Runs a read as {@link #translated} does, asked once more if a connection closed under it
   * ({@link ClosedConnections}).
   */
  private static <T> T translatedRead(Supplier<T> read) {
    return translated(() -> ClosedConnections.read(read));
  }

  /** Runs a request, turning fabric8's exception into the port's. */
  private static <T> T translated(Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw new ClusterRequestException(e.getMessage(), e.getCode(), e);
    }
  }

  @Override
  public Map<ObjectKey, Live> lookup(
      Collection<? extends HasMetadata> desired, String defaultNamespace) {
    return translatedRead(() -> lookupFromKube(desired, defaultNamespace));
  }

  private Map<ObjectKey, Live> lookupFromKube(
      Collection<? extends HasMetadata> desired, String defaultNamespace) {
    Map<ObjectKey, Live> live = new LinkedHashMap<>();
    // Without a watch cache (one-shot commands), many objects of a kind cost one LIST, not N GETs.
    ListedKinds listed =
        cacheLive ? null : ListedKinds.read(client, direct, desired, defaultNamespace);
    for (HasMetadata object : desired) {
      ObjectKey key = ObjectKey.of(object, defaultNamespace);
      Optional<Live> found;
      if (cacheLive && !key.isClusterScoped()) {
        found = cached(key, object.getApiVersion());
      } else if (listed != null && listed.covers(object, key)) {
        found = Optional.ofNullable(listed.live(object, key)).map(KubeCluster::readOnce);
      } else {
        found =
            Optional.ofNullable(get(object, key))
                .map(cacheLive ? KubeCluster::complete : KubeCluster::readOnce);
      }
      found.ifPresent(ref -> live.put(key, ref));
    }
    return live;
  }

  /**
   * The cache's entry for an object, from the watch of its kind in its namespace (started on first
   * use); a kind that cannot be watched (not served, not allowed) is read directly.
   */
  private Optional<Live> cached(ObjectKey key, String apiVersion) {
    String id = key.namespace() + "/" + key.name();
    if (key.group().equals("apps") && key.kind().equals("StatefulSet")) {
      SlimStore<StatefulSet> store = statefulSetStore(key.namespace());
      StatefulSet stub = store.get(id);
      return stub == null
          ? Optional.empty()
          : Optional.of(new Live(key, store.fingerprint(id), stub, false));
    }
    SlimStore<GenericKubernetesResource> store = liveStore(key.namespace(), apiVersion, key.kind());
    if (store == null) {
      GenericKubernetesResource probe = new GenericKubernetesResource();
      probe.setApiVersion(apiVersion);
      probe.setKind(key.kind());
      probe.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
              .withName(key.name())
              .withNamespace(key.namespace())
              .build());
      return Optional.ofNullable(get(probe)).map(KubeCluster::complete);
    }
    GenericKubernetesResource stub = store.get(id);
    return stub == null
        ? Optional.empty()
        : Optional.of(new Live(key, store.fingerprint(id), stub, false));
  }

  /** The planning cache of one kind in one namespace, or null when it cannot be watched. */
  private SlimStore<GenericKubernetesResource> liveStore(
      String namespace, String apiVersion, String kind) {
    String id = namespace + "|" + apiVersion + "|" + kind;
    SlimStore<GenericKubernetesResource> store = liveStores.get(id);
    if (store != null || uncacheable.contains(id)) {
      return store;
    }
    synchronized (this) {
      store = liveStores.get(id);
      if (store != null || uncacheable.contains(id)) {
        return store;
      }
      SharedIndexInformer<GenericKubernetesResource> informer = null;
      try {
        informer =
            client()
                .genericKubernetesResources(apiVersion, kind)
                .inNamespace(namespace)
                .runnableInformer(0);
        SlimStore<GenericKubernetesResource> slim = SlimStore.planning();
        informer.itemStore(slim);
        informer
            .start()
            .toCompletableFuture()
            .get(CACHE_SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        liveInformers.put(id, informer);
        liveStores.put(id, slim);
        return slim;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KubernetesClientException("interrupted while watching " + kind, e);
      } catch (ExecutionException | TimeoutException | KubernetesClientException e) {
        if (informer != null) {
          informer.close();
        }
        uncacheable.add(id);
        log.warn(
            "cannot watch {} {} in {} ({}); reading them directly",
            apiVersion,
            kind,
            namespace,
            e.getMessage());
        return null;
      }
    }
  }

  @Override
  public List<Live> inventory(
      String app, String namespace, Map<String, Set<String>> kindsByApiVersion) {
    return translatedRead(() -> inventoryFromKube(app, namespace, kindsByApiVersion));
  }

  private List<Live> inventoryFromKube(
      String app, String namespace, Map<String, Set<String>> kindsByApiVersion) {
    List<Live> found = new ArrayList<>();
    for (Map.Entry<String, Set<String>> group : kindsByApiVersion.entrySet()) {
      for (String kind : group.getValue()) {
        if (cacheLive && !"StatefulSet".equals(kind)) {
          SlimStore<GenericKubernetesResource> store = liveStore(namespace, group.getKey(), kind);
          if (store != null) {
            store
                .values()
                .filter(o -> app.equals(labelOf(o)))
                .forEach(
                    o -> {
                      ObjectKey key = ObjectKey.of(o, namespace);
                      found.add(
                          new Live(
                              key,
                              store.fingerprint(namespace + "/" + o.getMetadata().getName()),
                              o,
                              false));
                    });
            continue;
          }
        }
        if (cacheLive && "StatefulSet".equals(kind)) {
          SlimStore<StatefulSet> store = statefulSetStore(namespace);
          store
              .values()
              .filter(o -> app.equals(labelOf(o)))
              .forEach(
                  o ->
                      found.add(
                          new Live(
                              ObjectKey.of(o, namespace),
                              store.fingerprint(namespace + "/" + o.getMetadata().getName()),
                              o,
                              false)));
          continue;
        }
        try {
          for (GenericKubernetesResource item :
              client()
                  .genericKubernetesResources(group.getKey(), kind)
                  .inNamespace(namespace)
                  .withLabel(INVENTORY_LABEL, app)
                  .list()
                  .getItems()) {
            found.add(complete(item));
          }
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404) {
            throw e;
          }
        }
      }
    }
    return found;
  }

  private static String labelOf(HasMetadata o) {
    Map<String, String> labels = o.getMetadata().getLabels();
    return labels == null ? null : labels.get(INVENTORY_LABEL);
  }

  @Override
  public Optional<HasMetadata> full(Live live) {
    return translatedRead(() -> fullFromKube(live));
  }

  private Optional<HasMetadata> fullFromKube(Live live) {
    if (live.complete()) {
      return Optional.of(live.object());
    }
    return Optional.ofNullable(get(live.object()));
  }

  /**
   * A live object a one-shot command read whole. Such a command plans each object once, so the
   * resourceVersion serves as its fingerprint (equal versions are the same object, which plans
   * alike) and the object is not hashed: hashing 1,000 objects cost more than reading them.
   */
  private static Live readOnce(HasMetadata object) {
    String version = object.getMetadata().getResourceVersion();
    return version == null
        ? complete(object)
        : new Live(
            ObjectKey.of(object, object.getMetadata().getNamespace()),
            "resourceVersion " + version,
            object,
            true);
  }

  private static Live complete(HasMetadata object) {
    return new Live(
        ObjectKey.of(object, object.getMetadata().getNamespace()),
        LiveFingerprint.of(object),
        object,
        true);
  }

  /** The live object with the same identity, or null. */
  private HasMetadata get(HasMetadata object) {
    return orNull(client().resource(object));
  }

  /**
   * The live object at {@code key}, whether or not {@code object} names its namespace; or null. A
   * kind of fabric8's model is read with the direct reads where there are any, and asked again of
   * the client where it may do better.
   */
  private HasMetadata get(HasMetadata object, ObjectKey key) {
    if (direct != null && !(object instanceof GenericKubernetesResource)) {
      try {
        return direct.get(
            object.getClass(), key.isClusterScoped() ? null : key.namespace(), key.name());
      } catch (KubernetesClientException e) {
        if (!DirectReads.clientMayDoBetter(e)) {
          throw e;
        }
      }
    }
    var resource = client().resource(object);
    return orNull(key.isClusterScoped() ? resource : resource.inNamespace(key.namespace()));
  }

  private static HasMetadata orNull(Resource<HasMetadata> resource) {
    try {
      return resource.get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public HasMetadata apply(HasMetadata desired) {
    return translated(() -> applyFromKube(desired));
  }

  private HasMetadata applyFromKube(HasMetadata desired) {
    return client()
        .resource(desired)
        .fieldManager(APPLY_MANAGER)
        .forceConflicts()
        .serverSideApply();
  }

  @Override
  public void delete(Live live) {
    translated(
        () -> {
          deleteFromKube(live);
          return null;
        });
  }

  private void deleteFromKube(Live live) {
    HasMetadata object = live.object();
    if ("PersistentVolumeClaim".equals(object.getKind())) {
      throw new IllegalArgumentException(
          "refusing to delete PersistentVolumeClaim "
              + live.key().namespacedName()
              + ": Ordinal never prunes volume claims");
    }
    client().resource(object).delete();
  }

  @Override
  public HoldResult hold(ObjectKey key, Integer seen, int partition, String holdUntil) {
    return translated(() -> holdFromKube(key, seen, partition, holdUntil));
  }

  private HoldResult holdFromKube(ObjectKey key, Integer seen, int partition, String holdUntil) {
    var resource = client().apps().statefulSets().inNamespace(key.namespace()).withName(key.name());
    StatefulSet current = resource.get();
    if (current == null) {
      return HoldResult.GONE;
    }
    // RFC 6902: the test makes the partition, and only the partition, a precondition; a status
    // write by the StatefulSet controller in between cannot fail the hold.
    ArrayNode ops = JSON.createArrayNode();
    if (seen == null) {
      ops.addObject()
          .put("op", "test")
          .put("path", "/spec/updateStrategy/type")
          .put("value", "OnDelete");
      ObjectNode strategy =
          ops.addObject()
              .put("op", "replace")
              .put("path", "/spec/updateStrategy")
              .putObject("value");
      strategy.put("type", "RollingUpdate").putObject("rollingUpdate").put("partition", partition);
    } else {
      String path = "/spec/updateStrategy/rollingUpdate/partition";
      ops.addObject().put("op", "test").put("path", path).put("value", seen);
      ops.addObject().put("op", "replace").put("path", path).put("value", partition);
    }
    if (current.getMetadata().getAnnotations() == null) {
      ops.addObject()
          .put("op", "add")
          .put("path", "/metadata/annotations")
          .putObject("value")
          .put(Annotations.SYNC_HOLD, holdUntil);
    } else {
      ops.addObject()
          .put("op", "add")
          .put("path", "/metadata/annotations/" + Annotations.SYNC_HOLD.replace("/", "~1"))
          .put("value", holdUntil);
    }
    PatchContext ctx =
        new PatchContext.Builder()
            .withPatchType(PatchType.JSON)
            .withFieldManager(ROLLOUT_MANAGER)
            .build();
    try {
      resource.patch(ctx, ops.toString());
      return HoldResult.HELD;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return HoldResult.GONE;
      }
      if (e.getCode() == 409 || e.getCode() == 422) {
        // a failed test op is answered 422; the partition moved since the plan read it
        return HoldResult.MOVED;
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------ volumes

  @Override
  public AutoCloseable watchVolumes(Set<String> namespaces, boolean jobs, VolumeListener listener) {
    return volumes().watch(namespaces, jobs, listener);
  }

  @Override
  public List<VolumeSnapshot> snapshots(String namespace, Map<String, String> labels) {
    return volumes().snapshots(namespace, labels);
  }

  @Override
  public Optional<VolumeSnapshot> snapshot(String namespace, String name) {
    return volumes().snapshot(namespace, name);
  }

  @Override
  public Created createSnapshot(VolumeSnapshot.Request request) {
    return volumes().createSnapshot(request);
  }

  @Override
  public void deleteSnapshot(String namespace, String name) {
    volumes().deleteSnapshot(namespace, name);
  }

  @Override
  public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
    return volumes().claim(namespace, name);
  }

  @Override
  public ClaimDeletion deleteClaim(String namespace, String name, String uid) {
    return volumes().deleteClaim(namespace, name, uid);
  }

  @Override
  public Created createClaim(PersistentVolumeClaim claim) {
    return volumes().createClaim(claim);
  }

  @Override
  public ExecResult exec(
      String namespace, String pod, String container, List<String> command, Duration timeout) {
    return volumes().exec(namespace, pod, container, command, timeout);
  }

  @Override
  public Created createJob(Job job) {
    return volumes().createJob(job);
  }

  @Override
  public Optional<Job> job(String namespace, String name) {
    return volumes().job(namespace, name);
  }

  @Override
  public void deleteJob(String namespace, String name) {
    volumes().deleteJob(namespace, name);
  }

  // ------------------------------------------------------------------ the rest

  @Override
  public Optional<String> secretValue(String namespace, String name, String key) {
    Secret secret = client().secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      return Optional.empty();
    }
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return Optional.of(secret.getStringData().get(key));
    }
    return Optional.ofNullable(secret.getData())
        .map(data -> data.get(key))
        .map(b64 -> new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8).trim());
  }

  @Override
  public Leadership leadership(String namespace, String name, String identity, LeaseTiming timing) {
    return new LeaseLeadership(client(), namespace, name, identity, timing);
  }

  @Override
  public LeaseStore leaseStore(String namespace) {
    return new KubeLeases(client(), namespace, clock);
  }

  @Override
  public RunStore runStore(String namespace, String name) {
    return new ConfigMapRunStore(client(), namespace, name);
  }

  // ------------------------------------------------------------------ recreates

  @Override
  public List<PersistentVolumeClaim> claims(String namespace) {
    return new KubeRecreates(client()).claims(namespace);
  }

  @Override
  public Optional<Boolean> allowsVolumeExpansion(String name) {
    return new KubeRecreates(client()).allowsVolumeExpansion(name);
  }

  @Override
  public Outcome growClaim(String namespace, String name, String uid, String size) {
    return new KubeRecreates(client()).growClaim(namespace, name, uid, size);
  }

  @Override
  public Outcome orphanDelete(String namespace, String name, String uid) {
    return new KubeRecreates(client()).orphanDelete(namespace, name, uid);
  }

  @Override
  public Outcome keepPartition(String namespace, String name, String uid, int partition) {
    return new KubeRecreates(client()).keepPartition(namespace, name, uid, partition);
  }

  @Override
  public RecreateStore recreateStore(String namespace, String name) {
    return new KubeRecreates(client()).recreateStore(namespace, name);
  }

  @Override
  public Outcome relabelPod(String namespace, String pod, String uid, Map<String, String> labels) {
    return new KubeRecreateRollouts(client()).relabelPod(namespace, pod, uid, labels);
  }

  @Override
  public Outcome restart(
      String namespace, String name, String uid, String stamp, Integer partition) {
    return new KubeRecreateRollouts(client()).restart(namespace, name, uid, stamp, partition);
  }

  @Override
  public synchronized void close() {
    stsInformers.values().forEach(SharedIndexInformer::close);
    podInformers.values().forEach(SharedIndexInformer::close);
    liveInformers.values().forEach(SharedIndexInformer::close);
    stsInformers.clear();
    stsStores.clear();
    podInformers.clear();
    liveInformers.clear();
    liveStores.clear();
    listeners.clear();
  }

  static String key(HasMetadata object) {
    return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }

  /** "namespace/name" of the StatefulSet that controls the pod. */
  static Optional<String> ownerKey(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners == null) {
      return Optional.empty();
    }
    for (OwnerReference o : owners) {
      if ("StatefulSet".equals(o.getKind()) && Boolean.TRUE.equals(o.getController())) {
        return Optional.of(pod.getMetadata().getNamespace() + "/" + o.getName());
      }
    }
    return Optional.empty();
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
