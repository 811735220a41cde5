package dev.ordinal.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.daemon.RecreateRollouts;
import dev.ordinal.daemon.Recreates.Outcome;
import dev.ordinal.rollout.Annotations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;

/** The pod side of a recreate against an API server: relabel the pods, stamp the template. */
final class KubeRecreateRollouts implements RecreateRollouts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  KubeRecreateRollouts(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Outcome relabelPod(String namespace, String pod, String uid, Map<String, String> labels) {
    // A merge patch carrying the uid: refused (409) if another pod of that name replaced it.
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata").put("uid", uid);
    ObjectNode added = metadata.putObject("labels");
    labels.forEach(added::put);
    PatchContext ctx =
        new PatchContext.Builder()
            .withPatchType(PatchType.JSON_MERGE)
            .withFieldManager(FIELD_MANAGER)
            .build();
    try {
      client.pods().inNamespace(namespace).withName(pod).patch(ctx, patch.toString());
      return Outcome.DONE;
    } catch (KubernetesClientException e) {
      return KubeRecreates.outcome(e);
    }
  }

  @Override
  public Outcome restart(
      String namespace, String name, String uid, String stamp, Integer partition) {
    // Server-side apply of just these fields under a manager of their own: the Git applier
    // (manager "ordinal") never sends them, so it neither conflicts with them nor removes them,
    // and the partition stays held even when the applier gives up a partition it once sent.
    ObjectNode apply =
        JSON.createObjectNode().put("apiVersion", "apps/v1").put("kind", "StatefulSet");
    apply.putObject("metadata").put("name", name).put("namespace", namespace).put("uid", uid);
    ObjectNode spec = apply.putObject("spec");
    spec.putObject("template")
        .putObject("metadata")
        .putObject("annotations")
        .put(Annotations.RECREATED_AT, stamp);
    if (partition != null) {
      spec.putObject("updateStrategy").putObject("rollingUpdate").put("partition", partition);
    }
    PatchContext ctx =
        new PatchContext.Builder()
            .withPatchType(PatchType.SERVER_SIDE_APPLY)
            .withFieldManager(FIELD_MANAGER)
            .withForce(true)
            .build();
    try {
      client
          .apps()
          .statefulSets()
          .inNamespace(namespace)
          .withName(name)
          .patch(ctx, apply.toString());
      return Outcome.DONE;
    } catch (KubernetesClientException e) {
      return KubeRecreates.outcome(e);
    }
  }
}
