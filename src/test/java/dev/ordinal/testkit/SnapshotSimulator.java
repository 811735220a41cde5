package dev.ordinal.testkit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the CSI external-snapshotter and driver for one namespace: each VolumeSnapshot of an
 * existing PVC gets a bound VolumeSnapshotContent and becomes readyToUse after a delay, or gets a
 * status error when a test asks for it to fail, or is taken and never becomes ready. It also plays
 * the provisioner for a claim created from a snapshot: the claim gets the data the snapshot copied.
 * Data is a marker: the annotation {@link #DATA} on a claim, copied to the snapshot's content when
 * the snapshot is taken, and from there to a claim restored from it.
 */
public final class SnapshotSimulator implements AutoCloseable {
  public static final String API_VERSION = "snapshot.storage.k8s.io/v1";
  public static final String DRIVER = "sim.csi.ordinal.dev";

  /** What a volume holds, as the simulation carries it (the same key as the in-memory cluster). */
  public static final String DATA = "sim.ordinal.dev/data";

  /** When the simulator first saw a snapshot and when it made it readyToUse (or failed it). */
  public record Timing(String snapshot, Instant seen, Instant done) {}

  private final KubernetesClient client;
  private final String namespace;
  private final Duration readyDelay;
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final Set<String> stuck = ConcurrentHashMap.newKeySet();
  private final Set<String> handled = ConcurrentHashMap.newKeySet();
  private final Set<String> provisioned = ConcurrentHashMap.newKeySet();
  private final List<Timing> timings = new CopyOnWriteArrayList<>();
  private final Watch claimWatch;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "snapshot-simulator");
            t.setDaemon(true);
            return t;
          });
  private final Watch watch;

  public SnapshotSimulator(KubernetesClient client, String namespace, Duration readyDelay) {
    installCrds(client);
    this.client = client;
    this.namespace = namespace;
    this.readyDelay = readyDelay;
    this.watch =
        snapshots()
            .inNamespace(namespace)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, GenericKubernetesResource snapshot) {
                    if (action == Action.ADDED) {
                      onSnapshot(snapshot);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    this.claimWatch =
        client
            .persistentVolumeClaims()
            .inNamespace(namespace)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, PersistentVolumeClaim claim) {
                    if (action == Action.ADDED) {
                      scheduler.execute(() -> provision(claim));
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  /** Installs the snapshot.storage.k8s.io/v1 CRDs (idempotent) and waits until they are served. */
  public static synchronized void installCrds(KubernetesClient client) {
    try (InputStream in =
        SnapshotSimulator.class.getResourceAsStream("/crds/snapshot.storage.k8s.io-v1.yaml")) {
      List<HasMetadata> crds = client.load(in).items();
      for (HasMetadata crd : crds) {
        client.resource(crd).fieldManager("ordinal-tests").forceConflicts().serverSideApply();
      }
      for (HasMetadata crd : crds) {
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .waitUntilCondition(SnapshotSimulator::established, 30, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  /**
   * The snapshot with this name, or of the claim with this name, fails instead of becoming ready.
   */
  public SnapshotSimulator failSnapshot(String name) {
    failing.add(name);
    return this;
  }

  /** The snapshot with this name, or of this claim, is taken but never becomes readyToUse. */
  public SnapshotSimulator neverReady(String name) {
    stuck.add(name);
    return this;
  }

  /** When each snapshot was seen and finished, in the order they finished. */
  public List<Timing> timings() {
    return List.copyOf(timings);
  }

  public MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      snapshots() {
    return client.genericKubernetesResources(API_VERSION, "VolumeSnapshot");
  }

  public MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      contents() {
    return client.genericKubernetesResources(API_VERSION, "VolumeSnapshotContent");
  }

  private void onSnapshot(GenericKubernetesResource snapshot) {
    if (handled.add(snapshot.getMetadata().getUid())) {
      Instant seen = Instant.now();
      scheduler.schedule(
          () -> {
            complete(snapshot);
            timings.add(new Timing(snapshot.getMetadata().getName(), seen, Instant.now()));
          },
          readyDelay.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** A claim created from one of the snapshots starts with the data the snapshot copied. */
  private void provision(PersistentVolumeClaim claim) {
    var source = claim.getSpec().getDataSource();
    if (source == null
        || !"VolumeSnapshot".equals(source.getKind())
        || !provisioned.add(claim.getMetadata().getUid())) {
      return;
    }
    GenericKubernetesResource snapshot =
        snapshots().inNamespace(namespace).withName(source.getName()).get();
    Object status = snapshot == null ? null : snapshot.getAdditionalProperties().get("status");
    Object contentName =
        status instanceof Map<?, ?> m ? m.get("boundVolumeSnapshotContentName") : null;
    GenericKubernetesResource content =
        contentName == null ? null : contents().withName(contentName.toString()).get();
    String data =
        content == null || content.getMetadata().getAnnotations() == null
            ? ""
            : content.getMetadata().getAnnotations().getOrDefault(DATA, "");
    client
        .persistentVolumeClaims()
        .inNamespace(namespace)
        .withName(claim.getMetadata().getName())
        .edit(
            c -> {
              if (c.getMetadata().getUid().equals(claim.getMetadata().getUid())) {
                Map<String, String> annotations =
                    c.getMetadata().getAnnotations() == null
                        ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(c.getMetadata().getAnnotations());
                annotations.put(DATA, data);
                c.getMetadata().setAnnotations(annotations);
              }
              return c;
            });
  }

  @SuppressWarnings("unchecked")
  private void complete(GenericKubernetesResource snapshot) {
    String name = snapshot.getMetadata().getName();
    Map<String, Object> spec = (Map<String, Object>) snapshot.getAdditionalProperties().get("spec");
    Map<String, Object> source = (Map<String, Object>) spec.get("source");
    String claimName = (String) source.get("persistentVolumeClaimName");
    PersistentVolumeClaim claim =
        claimName == null
            ? null
            : client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
    if (failing.contains(name) || failing.contains(claimName)) {
      fail(name, "simulated CSI driver failure for snapshot " + name);
      return;
    }
    if (claim == null) {
      fail(name, "failed to take snapshot: persistentvolumeclaim \"" + claimName + "\" not found");
      return;
    }
    Quantity size =
        claim.getSpec().getResources().getRequests().getOrDefault("storage", new Quantity("0"));
    String contentName = "snapcontent-" + snapshot.getMetadata().getUid();
    Instant now = Instant.now();
    Map<String, Object> ref = new LinkedHashMap<>();
    ref.put("apiVersion", API_VERSION);
    ref.put("kind", "VolumeSnapshot");
    ref.put("name", name);
    ref.put("namespace", namespace);
    ref.put("uid", snapshot.getMetadata().getUid());
    GenericKubernetesResource content =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(API_VERSION)
            .withKind("VolumeSnapshotContent")
            .withNewMetadata()
            .withName(contentName)
            .withAnnotations(Map.of(DATA, data(claim)))
            .endMetadata()
            .addToAdditionalProperties(
                "spec",
                Map.of(
                    "deletionPolicy",
                    "Delete",
                    "driver",
                    DRIVER,
                    "source",
                    Map.of("volumeHandle", "pv-" + claim.getMetadata().getUid()),
                    "volumeSnapshotRef",
                    ref))
            .build();
    GenericKubernetesResource created = contents().resource(content).create();
    created
        .getAdditionalProperties()
        .put(
            "status",
            Map.of(
                "readyToUse",
                true,
                "snapshotHandle",
                "snap-" + snapshot.getMetadata().getUid(),
                "restoreSize",
                size.getNumericalAmount().longValue(),
                "creationTime",
                now.toEpochMilli() * 1_000_000L));
    contents().resource(created).updateStatus();
    snapshots()
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            s -> {
              s.getAdditionalProperties()
                  .put(
                      "status",
                      Map.of(
                          "boundVolumeSnapshotContentName",
                          contentName,
                          "readyToUse",
                          !(stuck.contains(name) || stuck.contains(claimName)),
                          "creationTime",
                          now.toString(),
                          "restoreSize",
                          size.toString()));
              return s;
            });
  }

  private static String data(PersistentVolumeClaim claim) {
    Map<String, String> annotations = claim.getMetadata().getAnnotations();
    return annotations == null ? "" : annotations.getOrDefault(DATA, "");
  }

  private void fail(String name, String message) {
    snapshots()
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            s -> {
              s.getAdditionalProperties()
                  .put(
                      "status",
                      Map.of(
                          "readyToUse",
                          false,
                          "error",
                          Map.of("message", message, "time", Instant.now().toString())));
              return s;
            });
  }

  @Override
  public void close() {
    watch.close();
    claimWatch.close();
    scheduler.shutdownNow();
  }
}
