package dev.ordinal.plan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.manifest.ModelFieldAccess;
import dev.ordinal.rollout.Annotations;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns desired and live objects into the trees {@link SubsetComparison} compares: without what the
 * server owns (status, bookkeeping metadata) and, for desired, as Ordinal will apply it (default
 * namespace, inventory label).
 */
final class Normaliser {
  /**
   * Converts models to trees, through their fields ({@link ModelFieldAccess}). managedFields are
   * never compared (OwnedFields reads them from the model) and are the largest part of a live
   * object, so they are not even converted.
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .annotationIntrospector(new ModelFieldAccess())
          .addMixIn(ObjectMeta.class, WithoutManagedFields.class)
          .build();

  @JsonIgnoreProperties("managedFields")
  private abstract static class WithoutManagedFields {}

  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  // Metadata the API server writes and nobody declares in Git.
  private static final List<String> SERVER_METADATA =
      List.of(
          "managedFields",
          "resourceVersion",
          "uid",
          "generation",
          "creationTimestamp",
          "selfLink",
          "deletionTimestamp",
          "deletionGracePeriodSeconds");

  private Normaliser() {}

  /**
   * Desired as Ordinal applies it. The inventory label is added because apply adds it: leaving it
   * out would report it, owned by Ordinal, as removed on every plan.
   */
  static ObjectNode desired(
      HasMetadata desired, ObjectKey key, PlanOptions options, boolean ignorePartition) {
    ObjectNode tree = TreeGenerator.valueToTree(MAPPER, desired);
    removeNulls(tree);
    stripServerFields(tree);
    ObjectNode metadata = tree.withObjectProperty("metadata");
    if (!key.isClusterScoped()) {
      metadata.put("namespace", key.namespace());
    } else {
      metadata.remove("namespace");
    }
    metadata.withObjectProperty("labels").put(PlanOptions.APP_LABEL, options.appName());
    if (Secrets.isSecret(key)) {
      Secrets.foldStringData(tree);
    }
    if (ignorePartition) {
      removePartition(tree);
    }
    return tree;
  }

  /** Live without status, server bookkeeping and (under a rollout policy) the partition. */
  static ObjectNode live(HasMetadata live, boolean ignorePartition) {
    ObjectNode tree = TreeGenerator.valueToTree(MAPPER, live);
    stripServerFields(tree);
    if (ignorePartition) {
      removePartition(tree);
    }
    return tree;
  }

  private static void stripServerFields(ObjectNode tree) {
    tree.remove("status");
    JsonNode metadata = tree.get("metadata");
    if (metadata instanceof ObjectNode meta) {
      meta.remove(SERVER_METADATA);
      JsonNode annotations = meta.get("annotations");
      if (annotations instanceof ObjectNode notes) {
        notes.remove(LAST_APPLIED);
      }
    }
  }

  /**
   * Under a rollout policy the partition is the rollout side's, and so are the annotations the
   * applier writes or carries for it; none of them is drift.
   */
  private static void removePartition(ObjectNode tree) {
    JsonNode rollingUpdate = tree.path("spec").path("updateStrategy").path("rollingUpdate");
    if (rollingUpdate instanceof ObjectNode node) {
      node.remove("partition");
    }
    JsonNode annotations = tree.path("metadata").path("annotations");
    if (annotations instanceof ObjectNode notes) {
      notes.remove(Annotations.TEMPLATE_COMMIT);
      notes.remove(Annotations.SYNC_HOLD);
    }
  }

  /** Git's explicit nulls mean "not set"; the server never stores them. */
  private static void removeNulls(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator();
      while (fields.hasNext()) {
        JsonNode value = fields.next().getValue();
        if (value.isNull()) {
          fields.remove();
        } else {
          removeNulls(value);
        }
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        removeNulls(item);
      }
    }
  }
}
