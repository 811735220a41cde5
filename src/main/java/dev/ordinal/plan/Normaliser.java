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
  static final List<String> SERVER_METADATA =
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
    tree.remove("status");
    desiredMetadata(tree.withObjectProperty("metadata"), key, options, ignorePartition);
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
    tree.remove("status");
    if (tree.get("metadata") instanceof ObjectNode metadata) {
      liveMetadata(metadata, ignorePartition);
    }
    if (ignorePartition) {
      removePartition(tree);
    }
    return tree;
  }

  /**
   * The metadata of {@link #desired} alone, from the model's: what {@link TypedComparison} compares
   * as a tree while it walks the rest on the models.
   */
  static ObjectNode desiredMetadata(
      ObjectMeta metadata, ObjectKey key, PlanOptions options, boolean ignorePartition) {
    ObjectNode tree = TreeGenerator.valueToTree(MAPPER, metadata);
    removeNulls(tree);
    desiredMetadata(tree, key, options, ignorePartition);
    return tree;
  }

  /** The metadata of {@link #live} alone, from the model's. */
  static ObjectNode liveMetadata(ObjectMeta metadata, boolean ignorePartition) {
    ObjectNode tree = TreeGenerator.valueToTree(MAPPER, metadata);
    liveMetadata(tree, ignorePartition);
    return tree;
  }

  private static void desiredMetadata(
      ObjectNode metadata, ObjectKey key, PlanOptions options, boolean ignorePartition) {
    stripServerMetadata(metadata, ignorePartition);
    if (!key.isClusterScoped()) {
      metadata.put("namespace", key.namespace());
    } else {
      metadata.remove("namespace");
    }
    metadata.withObjectProperty("labels").put(PlanOptions.APP_LABEL, options.appName());
  }

  private static void liveMetadata(ObjectNode metadata, boolean ignorePartition) {
    stripServerMetadata(metadata, ignorePartition);
  }

  /**
   * Server bookkeeping out of metadata, and (under a rollout policy) the annotations the applier
   * writes or carries for the partition: the rollout side's, and none of them drift.
   */
  private static void stripServerMetadata(ObjectNode metadata, boolean ignorePartition) {
    metadata.remove(SERVER_METADATA);
    JsonNode annotations = metadata.get("annotations");
    if (annotations instanceof ObjectNode notes) {
      notes.remove(LAST_APPLIED);
      if (ignorePartition) {
        notes.remove(Annotations.TEMPLATE_COMMIT);
        notes.remove(Annotations.SYNC_HOLD);
      }
    }
  }

  /** Under a rollout policy the partition is the rollout side's: not drift. */
  private static void removePartition(ObjectNode tree) {
    removePartition(tree, TypedComparison.PARTITION_PATH, 0);
  }

  /**
   * Removes the partition from {@code node}, which sits at {@code depth} names down {@code path}
   * (spec, updateStrategy, rollingUpdate, partition) from the object's root.
   */
  static void removePartition(JsonNode node, List<String> path, int depth) {
    JsonNode parent = node;
    for (int i = depth; i < path.size() - 1; i++) {
      parent = parent.path(path.get(i));
    }
    if (parent instanceof ObjectNode object) {
      object.remove(path.get(path.size() - 1));
    }
  }

  /** Git's explicit nulls mean "not set"; the server never stores them. */
  static void removeNulls(JsonNode node) {
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
