package dev.ordinal.testkit;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimConditionBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import java.util.function.Consumer;

/**
 * Plays the PV binder and a CSI driver's resizer for the claims of one namespace that name a
 * StorageClass, as the test control plane has neither (claims naming none are left Pending, as
 * without a default class): each becomes Bound with the capacity it requests, and when a Bound
 * claim's request grows and its StorageClass has {@code allowVolumeExpansion}, its {@code
 * status.capacity} follows, or, for a claim a test names, it reports the {@code
 * FileSystemResizePending} condition instead (the volume grew; the file system grows when a pod
 * mounts it), or it never grows. Polls on an interval, so it misses nothing a watch could drop.
 */
public final class VolumeSimulator implements AutoCloseable {
  /** One capacity change the simulator made: claim, from, to (or the condition it set). */
  public record Resize(String claim, String from, String to, boolean fileSystemPending) {}

  private final KubernetesClient client;
  private final String namespace;
  private final Set<String> fileSystemPending = ConcurrentHashMap.newKeySet();
  private final Set<String> stuck = ConcurrentHashMap.newKeySet();
  private final List<Resize> resizes = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "volume-simulator");
            t.setDaemon(true);
            return t;
          });

  public VolumeSimulator(KubernetesClient client, String namespace, Duration every) {
    this.client = client;
    this.namespace = namespace;
    scheduler.scheduleWithFixedDelay(this::sweep, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Creates a StorageClass of the simulated driver; cluster-scoped, so name it per test. */
  public static String createStorageClass(
      KubernetesClient client, String name, boolean allowVolumeExpansion) {
    client
        .storage()
        .v1()
        .storageClasses()
        .resource(
            new StorageClassBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withProvisioner(SnapshotSimulator.DRIVER)
                .withAllowVolumeExpansion(allowVolumeExpansion)
                .build())
        .create();
    return name;
  }

  /** This claim reports FileSystemResizePending when it grows, and keeps its old capacity. */
  public VolumeSimulator fileSystemResizePending(String claim) {
    fileSystemPending.add(claim);
    return this;
  }

  /** This claim never grows, whatever it requests. */
  public VolumeSimulator neverGrows(String claim) {
    stuck.add(claim);
    return this;
  }

  /** Every capacity change made after the claim was bound, in order. */
  public List<Resize> resizes() {
    return List.copyOf(resizes);
  }

  private void sweep() {
    try {
      for (PersistentVolumeClaim claim :
          client.persistentVolumeClaims().inNamespace(namespace).list().getItems()) {
        String storageClass = claim.getSpec().getStorageClassName();
        if (claim.getMetadata().getDeletionTimestamp() == null
            && storageClass != null
            && !storageClass.isEmpty()) {
          visit(claim);
        }
      }
    } catch (KubernetesClientException e) {
      // a conflict with another writer, or the namespace going away: the next sweep sees anew
    }
  }

  private void visit(PersistentVolumeClaim claim) {
    String name = claim.getMetadata().getName();
    Quantity requested = claim.getSpec().getResources().getRequests().get("storage");
    PersistentVolumeClaimStatus status = claim.getStatus();
    if (status == null || !"Bound".equals(status.getPhase())) {
      writeStatus(
          claim,
          s -> {
            s.setPhase("Bound");
            s.setAccessModes(claim.getSpec().getAccessModes());
            s.setCapacity(new LinkedHashMap<>(Map.of("storage", requested)));
          });
      return;
    }
    Quantity capacity = status.getCapacity() == null ? null : status.getCapacity().get("storage");
    if (capacity == null
        || requested.getNumericalAmount().compareTo(capacity.getNumericalAmount()) <= 0
        || stuck.contains(name)
        || !expandable(claim.getSpec().getStorageClassName())) {
      return;
    }
    if (fileSystemPending.contains(name)) {
      boolean already =
          status.getConditions() != null
              && status.getConditions().stream()
                  .anyMatch(c -> "FileSystemResizePending".equals(c.getType()));
      if (!already) {
        writeStatus(
            claim,
            s ->
                s.setConditions(
                    List.of(
                        new PersistentVolumeClaimConditionBuilder()
                            .withType("FileSystemResizePending")
                            .withStatus("True")
                            .withLastTransitionTime(Instant.now().toString())
                            .withMessage(
                                "Waiting for user to (re-)start a pod to finish file system resize"
                                    + " of volume on node.")
                            .build())));
        resizes.add(new Resize(name, capacity.toString(), requested.toString(), true));
      }
      return;
    }
    writeStatus(
        claim,
        s -> {
          s.setCapacity(new LinkedHashMap<>(Map.of("storage", requested)));
          s.setConditions(List.of());
        });
    resizes.add(new Resize(name, capacity.toString(), requested.toString(), false));
  }

  private boolean expandable(String storageClass) {
    if (storageClass == null || storageClass.isEmpty()) {
      return false;
    }
    StorageClass sc = client.storage().v1().storageClasses().withName(storageClass).get();
    return sc != null && Boolean.TRUE.equals(sc.getAllowVolumeExpansion());
  }

  /** Writes the status of the claim as read (its resourceVersion guards against a newer one). */
  private void writeStatus(
      PersistentVolumeClaim claim, Consumer<PersistentVolumeClaimStatus> edit) {
    if (claim.getStatus() == null) {
      claim.setStatus(new PersistentVolumeClaimStatus());
    }
    edit.accept(claim.getStatus());
    client.persistentVolumeClaims().inNamespace(namespace).resource(claim).updateStatus();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
