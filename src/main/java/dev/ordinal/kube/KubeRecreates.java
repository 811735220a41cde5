package dev.ordinal.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.daemon.ClusterRequestException;
import dev.ordinal.daemon.Recreates;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.extension.ExtensibleResource;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The recreate port against an API server: claims, StorageClasses, the orphan delete. */
final class KubeRecreates implements Recreates {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  KubeRecreates(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public List<PersistentVolumeClaim> claims(String namespace) {
    return translated(
        () -> client.persistentVolumeClaims().inNamespace(namespace).list().getItems());
  }

  @Override
  public Optional<Boolean> allowsVolumeExpansion(String name) {
    StorageClass sc = translated(() -> client.storage().v1().storageClasses().withName(name).get());
    return sc == null
        ? Optional.empty()
        : Optional.of(Boolean.TRUE.equals(sc.getAllowVolumeExpansion()));
  }

  @Override
  public Outcome growClaim(String namespace, String name, String uid, String size) {
    var claim = client.persistentVolumeClaims().inNamespace(namespace).withName(name);
    Outcome before = identity(translated(claim::get), uid);
    if (before != Outcome.DONE) {
      return before;
    }
    // The uid in the merge patch guards against another claim of that name created since the
    // read above: the API server refuses to change a uid (422, or 409 from a precondition).
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").put("uid", uid);
    patch.putObject("spec").putObject("resources").putObject("requests").put("storage", size);
    PatchContext ctx =
        new PatchContext.Builder()
            .withPatchType(PatchType.JSON_MERGE)
            .withFieldManager(KubeCluster.ROLLOUT_MANAGER)
            .build();
    try {
      claim.patch(ctx, patch.toString());
      return Outcome.DONE;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return Outcome.GONE;
      }
      if (e.getCode() == 409 || e.getCode() == 422) {
        Outcome now = identity(translated(claim::get), uid);
        if (now != Outcome.DONE) {
          return now;
        }
      }
      throw new ClusterRequestException(e.getMessage(), e.getCode(), e);
    }
  }

  /** DONE when {@code claim} is the one of {@code uid}; GONE or CHANGED when it is not. */
  private static Outcome identity(PersistentVolumeClaim claim, String uid) {
    if (claim == null) {
      return Outcome.GONE;
    }
    return uid.equals(claim.getMetadata().getUid()) ? Outcome.DONE : Outcome.CHANGED;
  }

  @Override
  public Outcome orphanDelete(String namespace, String name, String uid) {
    var sets = client.apps().statefulSets().inNamespace(namespace);
    for (int attempt = 0; attempt < 5; attempt++) {
      StatefulSet fresh = translated(() -> sets.withName(name).get());
      if (fresh == null) {
        return Outcome.GONE;
      }
      if (!uid.equals(fresh.getMetadata().getUid())) {
        return Outcome.CHANGED;
      }
      try {
        // The resourceVersion precondition makes the uid check and the delete one act.
        // The typed DSL offers either the precondition or the propagation policy; the operation
        // behind it (an ExtensibleResource) takes both.
        ((ExtensibleResource<StatefulSet>) sets.withName(name))
            .withPropagationPolicy(DeletionPropagation.ORPHAN)
            .lockResourceVersion(fresh.getMetadata().getResourceVersion())
            .delete();
        return Outcome.DONE;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          return outcome(e);
        }
        // a status write in between: read again and check the uid again
      }
    }
    return Outcome.CHANGED;
  }

  @Override
  public Outcome keepPartition(String namespace, String name, String uid, int partition) {
    var sts = client.apps().statefulSets().inNamespace(namespace).withName(name);
    StatefulSet fresh = translated(sts::get);
    if (fresh == null) {
      return Outcome.GONE;
    }
    if (!uid.equals(fresh.getMetadata().getUid())) {
      return Outcome.CHANGED;
    }
    ObjectNode apply = JSON.createObjectNode();
    apply.put("apiVersion", "apps/v1").put("kind", "StatefulSet");
    apply.putObject("metadata").put("name", name).put("namespace", namespace);
    apply
        .putObject("spec")
        .putObject("updateStrategy")
        .putObject("rollingUpdate")
        .put("partition", partition);
    PatchContext ctx =
        new PatchContext.Builder()
            .withPatchType(PatchType.SERVER_SIDE_APPLY)
            .withFieldManager(KubeCluster.ROLLOUT_MANAGER)
            .build();
    try {
      sts.patch(ctx, apply.toString());
      return Outcome.DONE;
    } catch (KubernetesClientException e) {
      return outcome(e);
    }
  }

  @Override
  public RecreateStore recreateStore(String namespace, String name) {
    ConfigMapData data = new ConfigMapData(client, namespace, name);
    return new RecreateStore() {
      @Override
      public Optional<String> load(String key) {
        return Optional.ofNullable(translated(data::read).get(ConfigMapData.key(key)));
      }

      @Override
      public List<String> all() {
        return List.copyOf(translated(data::read).values());
      }

      @Override
      public void save(String key, String json) {
        translated(
            () -> {
              data.update(
                  map -> {
                    map.put(ConfigMapData.key(key), json);
                    return map;
                  });
              return null;
            });
      }

      @Override
      public void remove(String key) {
        translated(
            () -> {
              data.update(
                  map -> {
                    map.remove(ConfigMapData.key(key));
                    return map;
                  });
              return null;
            });
      }
    };
  }

  static Outcome outcome(KubernetesClientException e) {
    if (e.getCode() == 404) {
      return Outcome.GONE;
    }
    if (e.getCode() == 409) {
      return Outcome.CHANGED;
    }
    throw new ClusterRequestException(e.getMessage(), e.getCode(), e);
  }

  private static <T> T translated(Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw new ClusterRequestException(e.getMessage(), e.getCode(), e);
    }
  }
}
