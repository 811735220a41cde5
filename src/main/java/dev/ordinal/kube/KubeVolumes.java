package dev.ordinal.kube;

import dev.ordinal.backup.BackupNames;
import dev.ordinal.backup.VolumeSnapshot;
import dev.ordinal.backup.Volumes;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Volumes} port over fabric8: VolumeSnapshots as {@link GenericKubernetesResource}s of
 * {@code snapshot.storage.k8s.io/v1} (no extension library), claims, exec and Jobs. Ordinal's
 * snapshots are watched per namespace, so listing a StatefulSet's sets costs no request.
 */
final class KubeVolumes {
  static final String API_VERSION = BackupNames.SNAPSHOT_GROUP + "/v1";
  private static final Logger log = LoggerFactory.getLogger(KubeVolumes.class);
  private static final Duration CACHE_SYNC_TIMEOUT = Duration.ofSeconds(30);
  private static final int OUTPUT_LIMIT = 4096;

  private final KubernetesClient client;
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> snapshotCaches =
      new ConcurrentHashMap<>();

  KubeVolumes(KubernetesClient client) {
    this.client = client;
  }

  MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      snapshotApi() {
    return client.genericKubernetesResources(API_VERSION, "VolumeSnapshot");
  }

  AutoCloseable watch(Set<String> namespaces, boolean jobs, Volumes.VolumeListener listener) {
    List<SharedIndexInformer<?>> informers = new ArrayList<>();
    List<String> scopes = namespaces.isEmpty() ? List.of("") : List.copyOf(namespaces);
    for (String ns : scopes) {
      SharedIndexInformer<GenericKubernetesResource> snapshots =
          start(
              "VolumeSnapshots",
              ns,
              (ns.isEmpty() ? snapshotApi().inAnyNamespace() : snapshotApi().inNamespace(ns))
                  .withLabel(BackupNames.BACKUP_ID)
                  .runnableInformer(0),
              s ->
                  listener.snapshotChanged(
                      s.getMetadata().getNamespace(), label(s, BackupNames.STATEFULSET)));
      if (snapshots != null) {
        informers.add(snapshots);
        snapshotCaches.put(ns, snapshots);
      }
      var claims =
          start(
              "PersistentVolumeClaims",
              ns,
              (ns.isEmpty()
                      ? client.persistentVolumeClaims().inAnyNamespace()
                      : client.persistentVolumeClaims().inNamespace(ns))
                  .runnableInformer(0),
              c ->
                  listener.claimChanged(c.getMetadata().getNamespace(), c.getMetadata().getName()));
      if (claims != null) {
        informers.add(claims);
      }
      if (jobs) {
        var hookJobs =
            start(
                "hook Jobs",
                ns,
                (ns.isEmpty()
                        ? client.batch().v1().jobs().inAnyNamespace()
                        : client.batch().v1().jobs().inNamespace(ns))
                    .withLabel(BackupNames.HOOK)
                    .runnableInformer(0),
                j ->
                    listener.jobChanged(
                        j.getMetadata().getNamespace(), label(j, BackupNames.STATEFULSET)));
        if (hookJobs != null) {
          informers.add(hookJobs);
        }
      }
    }
    return () -> {
      scopes.forEach(snapshotCaches::remove);
      informers.forEach(SharedIndexInformer::close);
    };
  }

  /** Starts a watch and waits for its first list; null (logged) when it cannot be watched. */
  private static <T extends HasMetadata> SharedIndexInformer<T> start(
      String what, String ns, SharedIndexInformer<T> informer, Consumer<T> tell) {
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(T obj) {
            tell.accept(obj);
          }

          @Override
          public void onUpdate(T old, T obj) {
            tell.accept(obj);
          }

          @Override
          public void onDelete(T obj, boolean unknown) {
            tell.accept(obj);
          }
        });
    try {
      informer
          .start()
          .toCompletableFuture()
          .get(CACHE_SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return informer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      informer.close();
      return null;
    } catch (ExecutionException | TimeoutException | KubernetesClientException e) {
      informer.close();
      log.warn(
          "cannot watch {} in {} ({}); backups that need them fail",
          what,
          ns.isEmpty() ? "any namespace" : ns,
          e.getMessage());
      return null;
    }
  }

  private static String label(HasMetadata o, String key) {
    Map<String, String> labels = o.getMetadata().getLabels();
    return labels == null ? "" : labels.getOrDefault(key, "");
  }

  List<VolumeSnapshot> snapshots(String namespace, Map<String, String> labels) {
    SharedIndexInformer<GenericKubernetesResource> cache = snapshotCaches.get(namespace);
    if (cache == null) {
      cache = snapshotCaches.get("");
    }
    List<VolumeSnapshot> found = new ArrayList<>();
    if (cache != null) {
      for (GenericKubernetesResource s : cache.getStore().list()) {
        if (namespace.equals(s.getMetadata().getNamespace()) && matches(s, labels)) {
          found.add(snapshot(s));
        }
      }
      return found;
    }
    try {
      snapshotApi().inNamespace(namespace).withLabels(labels).list().getItems().stream()
          .map(KubeVolumes::snapshot)
          .forEach(found::add);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
    return found;
  }

  private static boolean matches(HasMetadata o, Map<String, String> labels) {
    Map<String, String> have = o.getMetadata().getLabels();
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (have == null || !e.getValue().equals(have.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  Optional<VolumeSnapshot> snapshot(String namespace, String name) {
    return Optional.ofNullable(get(() -> snapshotApi().inNamespace(namespace).withName(name).get()))
        .map(KubeVolumes::snapshot);
  }

  Volumes.Created createSnapshot(VolumeSnapshot.Request request) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("source", Map.of("persistentVolumeClaimName", request.claim()));
    if (!request.volumeSnapshotClassName().isEmpty()) {
      spec.put("volumeSnapshotClassName", request.volumeSnapshotClassName());
    }
    GenericKubernetesResource snapshot =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(API_VERSION)
            .withKind("VolumeSnapshot")
            .withNewMetadata()
            .withName(request.name())
            .withNamespace(request.namespace())
            .withLabels(request.labels())
            .withAnnotations(request.annotations())
            .endMetadata()
            .addToAdditionalProperties("spec", spec)
            .build();
    try {
      snapshotApi().inNamespace(request.namespace()).resource(snapshot).create();
      return Volumes.Created.CREATED;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return Volumes.Created.EXISTS;
      }
      if (e.getCode() == 404) {
        throw new ClusterException(
            "the cluster does not serve "
                + API_VERSION
                + " VolumeSnapshots: install the CSI snapshot CRDs and snapshot controller");
      }
      throw new ClusterException(statusMessage(e));
    }
  }

  void deleteSnapshot(String namespace, String name) {
    try {
      snapshotApi().inNamespace(namespace).withName(name).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  Optional<PersistentVolumeClaim> claim(String namespace, String name) {
    return Optional.ofNullable(
        get(() -> client.persistentVolumeClaims().inNamespace(namespace).withName(name).get()));
  }

  /**
   * Deletes under the resourceVersion of a fresh read of the same uid, so a claim created again
   * under the name since the observation is never the one deleted.
   */
  Volumes.ClaimDeletion deleteClaim(String namespace, String name, String uid) {
    for (int attempt = 0; attempt < 5; attempt++) {
      PersistentVolumeClaim fresh = claim(namespace, name).orElse(null);
      if (fresh == null) {
        return Volumes.ClaimDeletion.GONE;
      }
      if (!uid.equals(fresh.getMetadata().getUid())) {
        return Volumes.ClaimDeletion.CHANGED;
      }
      if (fresh.getMetadata().getDeletionTimestamp() != null) {
        return Volumes.ClaimDeletion.DELETED;
      }
      try {
        client
            .persistentVolumeClaims()
            .inNamespace(namespace)
            .withName(name)
            .lockResourceVersion(fresh.getMetadata().getResourceVersion())
            .delete();
        return Volumes.ClaimDeletion.DELETED;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return Volumes.ClaimDeletion.GONE;
        }
        if (e.getCode() != 409) {
          throw e;
        }
        // changed in between (a status write): read again and check the uid again
      }
    }
    return Volumes.ClaimDeletion.CHANGED;
  }

  Volumes.Created createClaim(PersistentVolumeClaim claim) {
    return create(
        () ->
            client
                .persistentVolumeClaims()
                .inNamespace(claim.getMetadata().getNamespace())
                .resource(claim)
                .create());
  }

  /** A create whose 409 means "it exists", which idempotent requests are content with. */
  private static Volumes.Created create(Runnable create) {
    try {
      create.run();
      return Volumes.Created.CREATED;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return Volumes.Created.EXISTS;
      }
      throw new ClusterException(statusMessage(e));
    }
  }

  /** Exec over the API server's pods/exec; the first container when none is named. */
  Volumes.ExecResult exec(
      String namespace, String pod, String container, List<String> command, Duration timeout) {
    String target = container;
    if (target.isEmpty()) {
      Pod p = client.pods().inNamespace(namespace).withName(pod).get();
      if (p == null) {
        throw new ClusterException("pod " + pod + " not found");
      }
      target = p.getSpec().getContainers().get(0).getName();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ExecWatch watch =
        client
            .pods()
            .inNamespace(namespace)
            .withName(pod)
            .inContainer(target)
            .writingOutput(out)
            .writingError(out)
            .exec(command.toArray(String[]::new))) {
      Integer exit = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (exit == null) {
        // fabric8 completes with null when the connection closed before the status frame was
        // read, which can happen even after the command succeeded: unknown counts as failed.
        throw new ClusterException(
            "exec in "
                + pod
                + " ended without an exit status (the connection closed before it arrived);"
                + " counted as failed");
      }
      return new Volumes.ExecResult(exit, tail(out), false);
    } catch (TimeoutException e) {
      return new Volumes.ExecResult(-1, tail(out), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while running a hook in " + pod);
    } catch (ExecutionException e) {
      throw new ClusterException("exec in " + pod + " failed: " + execFailure(e));
    } catch (KubernetesClientException e) {
      throw new ClusterException("exec in " + pod + " failed: " + execFailure(e));
    }
  }

  /**
   * What went wrong with an exec, from the cause that says most: the API server's status, or the
   * HTTP code of a refused WebSocket upgrade (fabric8's own message is "An error has occurred.").
   */
  static String execFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k
          && k.getStatus() != null
          && k.getStatus().getMessage() != null) {
        return k.getStatus().getMessage();
      }
      if (t instanceof WebSocketHandshakeException h && h.getResponse() != null) {
        return "the API server refused the exec (HTTP " + h.getResponse().code() + ")";
      }
    }
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  private static String tail(ByteArrayOutputStream out) {
    String text = out.toString(StandardCharsets.UTF_8);
    return text.length() <= OUTPUT_LIMIT ? text : text.substring(text.length() - OUTPUT_LIMIT);
  }

  Volumes.Created createJob(Job job) {
    return create(
        () ->
            client
                .batch()
                .v1()
                .jobs()
                .inNamespace(job.getMetadata().getNamespace())
                .resource(job)
                .create());
  }

  Optional<Job> job(String namespace, String name) {
    return Optional.ofNullable(
        get(() -> client.batch().v1().jobs().inNamespace(namespace).withName(name).get()));
  }

  void deleteJob(String namespace, String name) {
    try {
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(name)
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private static <T> T get(Supplier<T> read) {
    try {
      return read.get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  private static String statusMessage(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : e.getMessage();
  }

  /** A VolumeSnapshot object as the backup side reads it. */
  static VolumeSnapshot snapshot(GenericKubernetesResource s) {
    Map<String, Object> spec = map(s.getAdditionalProperties().get("spec"));
    Map<String, Object> source = map(spec.get("source"));
    Map<String, Object> status = map(s.getAdditionalProperties().get("status"));
    Map<String, Object> error = map(status.get("error"));
    Object size = status.get("restoreSize");
    return new VolumeSnapshot(
        s.getMetadata().getName(),
        s.getMetadata().getUid(),
        s.getMetadata().getLabels(),
        s.getMetadata().getAnnotations(),
        (String) source.get("persistentVolumeClaimName"),
        (String) spec.get("volumeSnapshotClassName"),
        status.get("creationTime") != null,
        Boolean.TRUE.equals(status.get("readyToUse")),
        error.get("message") == null ? "" : error.get("message").toString(),
        size == null ? "" : size.toString(),
        instant(s.getMetadata().getCreationTimestamp()),
        s.getMetadata().getDeletionTimestamp() != null);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static Instant instant(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
